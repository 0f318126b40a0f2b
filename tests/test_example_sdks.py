"""examples/go compiles and examples/typescript type-checks against the SDKs `pulumi package add` would generate
(`make test-sdks`).

No Pulumi CLI here: tests/sdkgen is a small Go program around Pulumi's own code generators (github.com/pulumi/
pulumi/pkg/v3/codegen, the module the CLI is built from), which writes each SDK from the package schema as a
local SDK. (The CLI's own `pulumi package gen-sdk` hands the schema to the language's host, whose GeneratePackage
calls the same generators; `make engine` cannot build the Go and Node.js hosts.) The schema is the golden file where
the repository has it, else the one the component provider host serves (the SDK's analyzer), with what `pulumi
package add` from the examples' git source adds to it: the release's plugin URL and the owner as namespace
(tests/support/package_add.py), which name the Node.js package and the Go module. Then `go build` the Go example with
the generated module in its `sdks/` directory, and `npm install` plus `tsc --noEmit` the TypeScript one.

Needs Go (1.24 or newer, with the module proxy) and npm (the registry); a cold run downloads Pulumi's Go modules
and compiles the generator (a few minutes), a warm one takes about a minute. Left out of `make test`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.package_add import added_package
from tests.support.package_schema import PACKAGE, package_schema
from tests.support.render import ROOT

pytestmark = pytest.mark.sdks

EXAMPLES = ROOT / "examples"
GOLDEN_SCHEMA = ROOT / "schema" / "claude-vertex.package.json"
GENERATOR_SOURCE = ROOT / "tests" / "sdkgen"
CACHE = ROOT / ".cache" / "sdkgen"
TIMEOUT = 1200.0


def run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, f"{' '.join(command)} (in {cwd}) exited {done.returncode}:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def generator() -> Path:
    """tests/sdkgen built under .cache/sdkgen (its module graph resolved there, from its one requirement)."""
    for tool in ("go", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"make test-sdks needs {tool} on PATH")
    CACHE.mkdir(parents=True, exist_ok=True)
    for name in ("main.go", "go.mod"):
        source, copy = GENERATOR_SOURCE / name, CACHE / name
        if not copy.is_file() or copy.read_text() != source.read_text():
            shutil.copyfile(source, copy)
            (CACHE / "go.sum").unlink(missing_ok=True)
    run(["go", "mod", "tidy"], CACHE)
    run(["go", "build", "-o", "sdkgen", "."], CACHE)
    return CACHE / "sdkgen"


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema as `pulumi package add <the examples' source>` hands it to the code generators."""
    path = tmp_path_factory.mktemp("schema") / "claude-vertex.json"
    schema = json.loads(GOLDEN_SCHEMA.read_text()) if GOLDEN_SCHEMA.is_file() else package_schema()
    source = yaml.safe_load((EXAMPLES / "go" / "Pulumi.yaml").read_text())["packages"][PACKAGE]
    path.write_text(json.dumps(added_package(PACKAGE, source).schema(schema)))
    return path


def program_with_sdk(example: str, language: str, generator: Path, schema_file: Path, directory: Path) -> Path:
    """A copy of examples/<example> with the generated SDK where `pulumi package add` puts it."""
    program = directory / example
    shutil.copytree(EXAMPLES / example, program)
    run([str(generator), str(schema_file), str(program / "sdks" / "claude-vertex"), language], program)
    return program


def test_the_go_example_compiles_against_the_generated_sdk(generator: Path, schema_file: Path, tmp_path: Path) -> None:
    program = program_with_sdk("go", "go", generator, schema_file, tmp_path)
    run(["go", "mod", "tidy"], program)
    run(["go", "build", "-o", os.devnull, "."], program)


def test_the_typescript_example_type_checks_against_the_generated_sdk(
    generator: Path, schema_file: Path, tmp_path: Path
) -> None:
    program = program_with_sdk("typescript", "nodejs", generator, schema_file, tmp_path)
    run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], program)
    run(["npx", "tsc", "--noEmit", "-p", "."], program)
