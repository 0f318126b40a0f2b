"""The component plugin (`components/`) as the real CLI installs and reads it: what `pulumi package add` starts from.

The plugin is installed as the `claude-vertex` resource plugin (tests/support/engine/component_plugin.py: the command
the Python host's `RunPlugin` runs, since `make engine` cannot build that host) at the version it reports itself.
Then the CLI asks it for its schema as `pulumi package add` and `pulumi package gen-sdk` do, and writes the package
lock a YAML project gets (the YAML host's `GeneratePackage`, the only language host `make engine` builds that has one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.engine.cli import Engine
from tests.support.engine.component_plugin import PACKAGE, install_component_plugin
from tools import config_docs

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Installed:
    engine: Engine
    version: str
    work: Path


@pytest.fixture(scope="module")
def installed(bin_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """A Pulumi home of the module's own with the component plugin installed, and a directory to run in."""
    base = tmp_path_factory.mktemp("component-plugin")
    backend = base / "backend"
    backend.mkdir()
    engine = Engine(bin=bin_dir, home=base / "pulumi-home", backend=backend)
    version = install_component_plugin(engine, base / "launcher")
    work = base / "work"
    work.mkdir()
    yield Installed(engine, version, work)


def get_schema(installed: Installed, source: str) -> dict[str, Any]:
    """`pulumi package get-schema SOURCE`: the schema as the CLI holds it (read into its `PackageSpec` and out)."""
    return json.loads(installed.engine.pulumi("package", "get-schema", source, cwd=installed.work).stdout)


def as_pulumi_reads(node: Any, *, top: bool = True) -> Any:
    """The golden schema as Pulumi's `PackageSpec` holds it: a type inside `items` or `additionalProperties` has no
    `description` there (the SDK's analyzer repeats the property's own description in it), an empty `dependencies`
    is left out and `config` is always written."""
    if isinstance(node, list):
        return [as_pulumi_reads(item, top=False) for item in node]
    if not isinstance(node, dict):
        return node
    read = {}
    for key, value in node.items():
        if key in ("items", "additionalProperties") and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "description"}
        read[key] = as_pulumi_reads(value, top=False)
    if top:
        if not read.get("dependencies"):
            read.pop("dependencies", None)
        read.setdefault("config", {})
    return read


def test_the_installed_plugin_reports_the_version_it_was_installed_under(installed: Installed) -> None:
    plugins = installed.engine.pulumi("plugin", "ls", "--json", cwd=installed.work).stdout
    listed = {(p["kind"], p["name"]): p["version"] for p in json.loads(plugins)}
    assert listed[("resource", PACKAGE)] == installed.version
    assert get_schema(installed, PACKAGE)["version"] == installed.version


def test_the_cli_gets_the_golden_schema_from_the_plugin(installed: Installed) -> None:
    """What every SDK is generated from: the plugin's schema, as the CLI reads it, is the checked-in one (its version
    aside: the golden file pins 0.0.0, the plugin serves the installed distribution's)."""
    served = get_schema(installed, PACKAGE)
    golden = get_schema(installed, str(config_docs.PACKAGE_SCHEMA))
    assert {**served, "version": config_docs.GOLDEN_VERSION} == golden


def test_the_cli_reads_the_golden_schema_as_pulumi_s_model_has_it(installed: Installed) -> None:
    """The one normalisation between the golden file and what the CLI hands a language host (`as_pulumi_reads`):
    nothing else is dropped or added, so every description a reader sees in the golden reaches the SDKs."""
    golden = json.loads(config_docs.PACKAGE_SCHEMA.read_text())
    assert get_schema(installed, str(config_docs.PACKAGE_SCHEMA)) == as_pulumi_reads(golden)


def test_gen_sdk_writes_the_package_lock_a_yaml_project_gets(installed: Installed) -> None:
    """`pulumi package add` in a YAML project generates the package's "SDK" with the YAML host: a lock file naming
    the package and the version the plugin served, which the YAML host reads back when the program runs."""
    out = installed.work / "sdks"
    installed.engine.pulumi(
        "package", "gen-sdk", PACKAGE, "--language", "yaml", "--out", str(out), "--local", cwd=installed.work
    )
    (lock,) = (out / "yaml").glob("*.yaml")
    assert lock.name == f"{PACKAGE}-{installed.version}.yaml"
    assert yaml.safe_load(lock.read_text()) == {
        "packageDeclarationVersion": 1,
        "name": PACKAGE,
        "version": installed.version,
    }
