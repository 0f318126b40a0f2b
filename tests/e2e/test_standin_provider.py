"""The stand-in gcp provider under the real engine: a small Pulumi YAML program (a project, a custom role, an invoke)
through install, preview, up, a second up, drift and refresh, a replacement, destroy, and GCP's refusals.

YAML because its host is the one `make engine` builds and it reads the stand-in's schema (the engine's loader asks
the plugin for it), so this proves the whole protocol without the Python program's own machinery. What is checked
is what a user sees: the CLI's output and exit codes, the stack's outputs, and what the stand-in's cloud holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from claude_vertex_gcp import resource_types as gcp_types

from tests.support.engine.cli import Engine
from tests.support.gcp_declarations import TESTABLE_PERMISSIONS, project_number
from tests.support.gcp_provider import Cloud, install_arguments, write_launcher

pytestmark = pytest.mark.e2e

PROJECT_ID = "claude-e2e-standin"
ROLE_NAME = f"projects/{PROJECT_ID}/roles/claudeE2e"
PROGRAM = """\
name: standin-e2e
runtime: yaml
config:
  gcp:project: {project}
variables:
  testable:
    fn::invoke:
      function: gcp:iam:getTestablePermissions
      arguments:
        fullResourceName: //cloudresourcemanager.googleapis.com/projects/{project}
resources:
  project:
    type: gcp:organizations:Project
    properties:
      projectId: {project}
      name: Claude e2e
      deletionPolicy: {deletion_policy}
  role:
    type: gcp:projects:IAMCustomRole
    properties:
      project: ${{project.projectId}}
      roleId: {role_id}
      title: Claude e2e
      permissions:
        - aiplatform.endpoints.predict
outputs:
  number: ${{project.number}}
  roleName: ${{role.name}}
  testable: ${{testable.permissions}}
"""


def write_program(directory: Path, *, role_id: str = "claudeE2e", deletion_policy: str = "PREVENT") -> None:
    text = PROGRAM.format(project=PROJECT_ID, role_id=role_id, deletion_policy=deletion_policy)
    (directory / "Pulumi.yaml").write_text(text)


@pytest.fixture
def bare_engine(bin_dir: Path, tmp_path: Path, cloud: Cloud) -> Iterator[Engine]:
    """An installation without the stand-in installed: installing it is part of what these tests prove."""
    (tmp_path / "backend").mkdir()
    yield Engine(bin=bin_dir, home=tmp_path / "home", backend=tmp_path / "backend", extra_env=cloud.environment)


def test_the_stand_in_serves_a_program_through_its_whole_life(
    bare_engine: Engine, cloud: Cloud, tmp_path: Path
) -> None:
    launcher = write_launcher(tmp_path / "plugin")
    bare_engine.pulumi(*install_arguments(launcher), cwd=tmp_path)
    listed = json.loads(bare_engine.pulumi("plugin", "ls", "--json", cwd=tmp_path).stdout)
    assert [(p["name"], p["kind"], p["version"]) for p in listed] == [("gcp", "resource", "10.2.0")]

    work = tmp_path / "program"
    work.mkdir()
    write_program(work)
    bare_engine.pulumi("stack", "init", "dev", cwd=work)

    preview = bare_engine.pulumi("preview", "--diff", cwd=work).stdout
    assert "+ 3 to create" in preview and cloud.resources() == {}  # a preview creates nothing
    creates = [call for call in cloud.calls() if call["rpc"] == "Create"]
    assert creates and all(call["preview"] for call in creates)

    bare_engine.pulumi("up", "--yes", cwd=work)
    outputs = json.loads(bare_engine.pulumi("stack", "output", "--json", cwd=work).stdout)
    assert outputs["number"] == project_number(PROJECT_ID) and outputs["roleName"] == ROLE_NAME
    assert [p["name"] for p in outputs["testable"]] == list(TESTABLE_PERMISSIONS)
    assert set(cloud.resources(gcp_types.PROJECT)) == {f"projects/{PROJECT_ID}"}
    assert cloud.get(gcp_types.PROJECT_CUSTOM_ROLE, ROLE_NAME)["title"] == "Claude e2e"
    bare_engine.pulumi("preview", "--expect-no-changes", cwd=work)  # a second run changes nothing

    cloud.drift(gcp_types.PROJECT_CUSTOM_ROLE, ROLE_NAME, {"title": "edited in the console"})
    refreshed = bare_engine.pulumi("refresh", "--yes", "--diff", cwd=work).stdout
    assert '~ title: "Claude e2e" => "edited in the console"' in refreshed
    assert bare_engine.pulumi("preview", "--expect-no-changes", cwd=work, check=False).returncode != 0
    bare_engine.pulumi("up", "--yes", cwd=work)
    assert cloud.get(gcp_types.PROJECT_CUSTOM_ROLE, ROLE_NAME)["title"] == "Claude e2e"  # the drift undone

    write_program(work, role_id="claudeE2eTwo")
    replaced = bare_engine.pulumi("up", "--yes", "--diff", cwd=work).stdout
    assert "+-1 replaced" in replaced
    assert cloud.get(gcp_types.PROJECT_CUSTOM_ROLE, ROLE_NAME) is None  # soft-deleted: the ID stays reserved
    assert cloud.get(gcp_types.PROJECT_CUSTOM_ROLE, f"projects/{PROJECT_ID}/roles/claudeE2eTwo") is not None

    refused = bare_engine.pulumi("destroy", "--yes", cwd=work, check=False)
    assert refused.returncode != 0
    assert "Cannot destroy project as deletion_policy is set to PREVENT." in refused.stdout
    assert cloud.get(gcp_types.PROJECT, f"projects/{PROJECT_ID}") is not None

    write_program(work, role_id="claudeE2eTwo", deletion_policy="DELETE")
    bare_engine.pulumi("up", "--yes", cwd=work)
    bare_engine.pulumi("destroy", "--yes", cwd=work)
    assert cloud.resources() == {}

    again = bare_engine.pulumi("up", "--yes", cwd=work, check=False)
    assert again.returncode != 0
    assert (
        f"error creating project {PROJECT_ID} (Claude e2e): googleapi: Error 409: Requested entity already exists"
        in (again.stdout)
    )
    rpcs = {call["rpc"] for call in cloud.calls()}
    assert {"GetPluginInfo", "GetSchema", "CheckConfig", "Configure", "Check", "Diff", "Create", "Read"} <= rpcs
    assert {"Update", "Delete", "Invoke"} <= rpcs
