"""examples/yaml (and examples/python) under the real engine: a program in another language through `Construct`.

The YAML host is the real one (`make engine`), and so are the CLI, the engine and the component plugin's code; the
plugin is started as the Python host would start it (tests/support/engine/component_plugin.py) and the gcp provider is
the stand-in. The program is an untouched copy of examples/yaml. Its `packages:` entry names a GitHub release that
cannot be fetched offline, and nothing here fetches it: the CLI resolves a `packages:` entry only in `pulumi install`,
`pulumi package add` and the `package` commands run inside the project (a remote source such as this one is skipped
when `preview` and `up` collect the project's plugins), and the YAML host never reads the entry at all, only the
package lock files `pulumi package add` writes (`sdks/**/*.yaml`); without one, it asks for `claude-vertex` at no
version and the engine takes the installed plugin. So the copy needs no surgery.

What is checked is what a platform team sees: the preview with the policy pack (no violation), `up`, the outputs a
developer gets, `destroy` (the projects retained), and that the engine recorded exactly the resources, inputs, parents,
dependencies and outputs the Python example registers for the same teams offline, plus the one thing only a program
in another language has: the engine's default provider of the component package. examples/python itself, run under the
engine too (the SDK's language server, tests/support/engine/inline.py), records the same checkpoint.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from claude_vertex_gcp import resource_types as gcp_types

from tests.e2e.conftest import ROOT, scratch_project
from tests.support.default_providers import default_provider_name
from tests.support.engine.cli import Engine, json_events
from tests.support.engine.component_plugin import PACKAGE, install_component_plugin, install_component_release
from tests.support.engine.parity import PROJECT_PLACEHOLDER, engine_resources, offline_resources, project_neutral
from tests.support.gcp_provider import Cloud
from tests.support.package_add import added_package
from tests.support.render import Rendering, render_stack

pytestmark = pytest.mark.e2e

EXAMPLES = ROOT / "examples"
STACK = "dev"
STREAMING = {"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"}
PROVIDERS = "pulumi:providers:"
COMPONENT_PROVIDER = f"urn:pulumi:{STACK}::{PROJECT_PLACEHOLDER}::pulumi:providers:{PACKAGE}::default"
"""What only a program in another language registers: the engine's default provider of the component package."""


@pytest.fixture(scope="module")
def python_example() -> Rendering:
    """examples/python rendered offline (the mocks, the emulated engine): what the YAML program must match."""
    return render_stack(STACK, {}, root=EXAMPLES / "python")


class Steps:
    """Each CLI step's wall time, printed at the end (`pytest -s`): what `make e2e` costs per step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, engine: Engine, *args: str, cwd: Path, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return engine.pulumi(*args, cwd=cwd, **kwargs)
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 1)


@pytest.fixture
def steps() -> Iterator[Steps]:
    recorder = Steps()
    yield recorder
    print(f"\nseconds per CLI step: {recorder.seconds}")


def yaml_example(engine: Engine, tmp_path: Path) -> Path:
    """A copy of examples/yaml, with the component plugin installed into `engine`'s home."""
    install_component_plugin(engine, tmp_path / "component-plugin")
    work = tmp_path / "yaml"
    shutil.copytree(EXAMPLES / "yaml", work)
    return work


def test_the_yaml_example_runs_through_construct_with_the_pack(
    engine: Engine,
    cloud: Cloud,
    pack_launcher: Path,
    tmp_path: Path,
    python_example: Rendering,
    steps: Steps,
) -> None:
    work = yaml_example(engine, tmp_path)
    project = yaml.safe_load((work / "Pulumi.yaml").read_text())["name"]
    policy = ("--policy-pack", str(pack_launcher))
    offline = offline_resources(python_example)
    steps.run("stack init", engine, "stack", "init", STACK, cwd=work)

    preview = steps.run("preview", engine, "preview", "--stack", STACK, "--json", *policy, cwd=work, env=STREAMING)
    events = json_events(preview.stdout)
    assert [event["policyEvent"] for event in events if "policyEvent" in event] == []
    planned = {
        project_neutral(event["resourcePreEvent"]["metadata"]["urn"], project): event["resourcePreEvent"]["metadata"][
            "op"
        ]
        for event in events
        if "resourcePreEvent" in event
    }
    assert set(planned.values()) == {"create"}
    # The engine shows no step for its own providers; everything else is what the Python program registers.
    assert set(planned) == {urn for urn, resource in offline.items() if not resource["type"].startswith(PROVIDERS)}

    steps.run("up", engine, "up", "--stack", STACK, "--yes", *policy, cwd=work)

    outputs = json.loads(
        steps.run("stack output", engine, "stack", "output", "--json", "--stack", STACK, cwd=work).stdout
    )
    assert outputs == python_example.outputs
    assert "CLAUDE_CODE_USE_VERTEX=1" in outputs["paymentsDotenv"].splitlines()
    assert "ANTHROPIC_VERTEX_PROJECT_ID=claude-research-prod" in outputs["researchDotenv"].splitlines()

    exported = json.loads(steps.run("stack export", engine, "stack", "export", "--stack", STACK, cwd=work).stdout)
    applied = engine_resources(exported["deployment"], project)
    component_provider = applied.pop(COMPONENT_PROVIDER)
    assert component_provider["inputs"] == {}, "the pack may see nothing but a version there"
    assert applied == offline

    projects = [r["id"] for r in exported["deployment"]["resources"] if r["type"] == gcp_types.PROJECT]
    assert len(projects) == 2

    steps.run("destroy", engine, "destroy", "--stack", STACK, "--yes", cwd=work)
    exported = json.loads(engine.pulumi("stack", "export", "--stack", STACK, cwd=work).stdout)
    assert not exported["deployment"].get("resources")
    assert all(cloud.get(gcp_types.PROJECT, project_id) is not None for project_id in projects), "projects are kept"
    assert (work / "Pulumi.yaml").read_bytes() == (EXAMPLES / "yaml" / "Pulumi.yaml").read_bytes()


def test_a_bad_input_stops_the_yaml_program_naming_the_field(engine: Engine, tmp_path: Path) -> None:
    """The plugin's refusal (`InputPropertiesError`) as the CLI prints it: the component, the field and the rule,
    one line, before anything of either team registers."""
    work = yaml_example(engine, tmp_path)
    program = work / "Pulumi.yaml"
    program.write_text(program.read_text().replace("id: claude-research-prod", "id: x", 1))
    engine.pulumi("stack", "init", STACK, cwd=work)
    preview = engine.pulumi("preview", "--stack", STACK, cwd=work, check=False)
    assert preview.returncode != 0
    assert "invalid ClaudeVertexTeam 'research' input project.id: \"x\"" in preview.stdout
    assert 'property project.id with value "x" has a problem' in preview.stdout
    assert "Traceback" not in preview.stdout + preview.stderr


def test_the_python_example_under_the_engine_registers_what_it_registers_offline(
    engine: Engine, pack_launcher: Path, tmp_path: Path, python_example: Rendering, steps: Steps
) -> None:
    """The other side of the comparison above, under the engine too: examples/python served by the SDK's language
    server (tests/support/engine/inline.py), so the YAML program and the Python one are held to one checkpoint."""
    work = scratch_project(EXAMPLES / "python", tmp_path / "python")
    engine.pulumi("stack", "init", STACK, cwd=work)
    started = time.perf_counter()
    engine.python_program("up", "--stack", STACK, "--yes", "--policy-pack", str(pack_launcher), cwd=work)
    steps.seconds["up (python)"] = round(time.perf_counter() - started, 1)
    outputs = json.loads(engine.pulumi("stack", "output", "--json", "--stack", STACK, cwd=work).stdout)
    assert outputs == python_example.outputs
    exported = json.loads(engine.pulumi("stack", "export", "--stack", STACK, cwd=work).stdout)
    assert engine_resources(exported["deployment"], python_example.project) == offline_resources(python_example)


ADDED = added_package(PACKAGE, yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())["packages"][PACKAGE])
"""The package as `pulumi package add github.com/OWNER/claude-vertex/components@v0.1.0` (the examples' source) sees
it; `ADDED.plugin_download_url` is what it records and every registration then carries."""
RELEASE = ADDED.plugin_download_url
REMOTE_PROGRAM = '''\
"""ClaudeVertexTeam registered as the SDKs `pulumi package add` generates register it: a remote component, with the
version and the plugin URL of the release the package was added from."""
import json
from pathlib import Path

import pulumi

spec = json.loads(Path("team.json").read_text())
pulumi.ComponentResource(
    "claude-vertex:index:ClaudeVertexTeam",
    spec["name"],
    spec["inputs"],
    pulumi.ResourceOptions(version=spec["version"], plugin_download_url=spec["url"]),
    remote=True,
)
'''


def test_a_release_added_from_git_passes_the_pack_only_when_the_platform_lists_it(
    engine: Engine, pack_launcher: Path, tmp_path: Path
) -> None:
    """Added from git, the package's registrations carry the release's URL, and the engine names the component
    package's provider after it; the pack refuses such a provider unless `componentSources` lists that URL."""
    version = install_component_release(engine, tmp_path / "release", RELEASE)
    research = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())["resources"]["research"]
    work = tmp_path / "program"
    work.mkdir()
    (work / "Pulumi.yaml").write_text("name: release-from-git\nruntime: python\n")
    (work / "__main__.py").write_text(REMOTE_PROGRAM)
    spec = {"name": "research", "inputs": research["properties"], "version": version, "url": RELEASE}
    (work / "team.json").write_text(json.dumps(spec))
    engine.pulumi("stack", "init", STACK, cwd=work)

    def preview(*config: str) -> tuple[int, list[dict[str, Any]]]:
        done = engine.python_program(
            "preview", "--stack", STACK, "--json", "--policy-pack", str(pack_launcher), *config,
            cwd=work, env=STREAMING, check=False,
        )  # fmt: skip
        return done.returncode, [event["policyEvent"] for event in json_events(done.stdout) if "policyEvent" in event]

    refused, violations = preview()
    provider = default_provider_name(version, RELEASE)  # the emulation's name for it, held to the engine's here
    assert refused != 0
    assert [(v["policyName"], v["resourceUrn"].rsplit("::", 1)[1]) for v in violations] == [
        ("allowed-resource-types", provider)
    ]
    listed = tmp_path / "policy-config.json"
    listed.write_text(json.dumps({"allowed-resource-types": {"componentSources": [RELEASE]}}))
    accepted, violations = preview("--policy-pack-config", str(listed))
    assert (accepted, violations) == (0, [])


def test_package_add_from_git_names_the_sdks_after_the_owner(engine: Engine, tmp_path: Path) -> None:
    """What the CLI makes of a plugin added from the examples' git source, as tests/support/package_add.py (and so
    `make test-sdks`) assumes: the schema it hands every language host carries the release's URL and the owner as
    namespace, and the YAML host's package lock records the URL."""
    version = install_component_release(engine, tmp_path / "release", RELEASE)
    plugin = (f"{PACKAGE}@{version}", "--server", RELEASE)
    schema = json.loads(engine.pulumi("package", "get-schema", *plugin, cwd=tmp_path).stdout)
    assert (schema["pluginDownloadURL"], schema["namespace"]) == (RELEASE, ADDED.namespace)
    out = tmp_path / "sdks"
    engine.pulumi("package", "gen-sdk", *plugin, "--language", "yaml", "--out", str(out), "--local", cwd=tmp_path)
    (lock,) = (out / "yaml").glob("*.yaml")
    assert yaml.safe_load(lock.read_text())["downloadUrl"] == RELEASE
