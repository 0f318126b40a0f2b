"""How the offline runner reads project and stack files: the same config path the Pulumi CLI takes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pulumi.runtime.mocks import MockResourceArgs

from tools.gcp_mocks import COMPUTED_STATE, GcpMocks
from tools.render import ROOT, StackFileError, engine_config, read_project, read_stack_config

SIMPLE_TYPES = {"string", "boolean", "integer", "array"}


def test_project_file_repeats_no_stack_key() -> None:
    data = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert data["name"] == "claude-vertex"
    assert data["runtime"]["name"] == "python"
    assert data["runtime"]["options"]["virtualenv"] == ".venv"
    # Keys are declared once, in components/config/; the project file repeats none of them.
    declared = data.get("config") or {}
    assert not [k for k in declared if k.startswith("claude-vertex:")]
    for key, decl in declared.items():
        assert decl["type"] in SIMPLE_TYPES, f"{key}: Pulumi project config types only {SIMPLE_TYPES}"


def test_defaults_and_plain_values_from_the_project_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "demo",
                "runtime": "python",
                "config": {
                    "region": {"type": "string", "default": "global"},
                    "gcp:project": {"value": "shared"},
                    "flag": True,
                    "required": {"type": "string"},
                },
            }
        )
    )
    name, defaults = read_project(tmp_path)
    assert name == "demo"
    assert defaults == {"demo:region": "global", "gcp:project": "shared", "demo:flag": True}


def test_stack_keys_without_namespace_get_the_project_name(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config:\n  team: payments\n  claude-vertex:vertex:\n    region: eu\n  gcp:project: p\n")
    assert read_stack_config(path, "claude-vertex") == {
        "claude-vertex:team": "payments",
        "claude-vertex:vertex": {"region": "eu"},
        "gcp:project": "p",
    }


def test_stack_file_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config:\n  - a list\n")
    with pytest.raises(StackFileError, match="'config' must be a mapping"):
        read_stack_config(path, "p")
    path.write_text("- top level list\n")
    with pytest.raises(StackFileError, match="expected a YAML mapping"):
        read_stack_config(path, "p")


def test_engine_config_encodes_like_the_cli() -> None:
    assert engine_config({"a:s": "x", "a:b": True, "a:n": 3, "a:o": {"k": [1, "v"]}}) == {
        "a:s": "x",
        "a:b": "true",
        "a:n": "3",
        "a:o": '{"k": [1, "v"]}',
    }


def _args(typ: str, inputs: dict) -> MockResourceArgs:
    return MockResourceArgs(typ=typ, name="r", inputs=inputs, provider=None, resource_id=None, custom=True)


def test_mocks_answer_after_up_with_gcp_formats_and_a_default_for_types_they_do_not_know() -> None:
    mocks = GcpMocks()
    role_id, role = mocks.new_resource(
        _args("gcp:projects/iAMCustomRole:IAMCustomRole", {"project": "p-1", "roleId": "r", "title": None})
    )
    assert role_id == role["name"] == "projects/p-1/roles/r" and "title" not in role
    budget = {"billingAccount": "012345-6789AB-CDEF01", "amount": {"specifiedAmount": {"units": "100"}}}
    assert mocks.new_resource(_args("gcp:billing/budget:Budget", budget)) == ("r-id", budget)
    assert set(COMPUTED_STATE) >= {"gcp:organizations/project:Project", "gcp:serviceaccount/account:Account"}


def test_mocks_in_preview_mode_know_only_the_inputs_as_a_new_stacks_preview_does() -> None:
    inputs = {"project": "p-1", "accountId": "claude-agent"}
    assert GcpMocks(preview=True).new_resource(_args("gcp:serviceaccount/account:Account", inputs)) == ("", inputs)
    _, after_up = GcpMocks().new_resource(_args("gcp:serviceaccount/account:Account", inputs))
    assert after_up["email"] == "claude-agent@p-1.iam.gserviceaccount.com"
