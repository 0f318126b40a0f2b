"""The offline preview's command-line contract: exit codes, one-line errors, JSON shape, files, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from claude_vertex.catalog import catalog

from tests.conftest import BASE_CONFIG
from tests.fixture_stacks import DEV, PAYMENTS, fixture_args, stacks_here
from tests.support.render import ROOT
from tools import preview

RESOURCE_KEYS = {"urn", "type", "name", "parent", "dependencies", "protect", "inputs"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The preview exactly as a person or a pipeline starts it."""
    return subprocess.run(
        [sys.executable, "-m", "tools.preview", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def write_stack(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "Pulumi.team.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def test_json_document_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert preview.main([*fixture_args(DEV), "--json", "--no-policy"]) == preview.EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert set(document) >= {"stack", "resources", "outputs", "violations"}
    assert document["stack"] == "dev"
    assert document["violations"] == []
    for resource in document["resources"]:
        assert set(resource) >= RESOURCE_KEYS
    types = {r["type"] for r in document["resources"]}
    assert "gcp:projects/iAMCustomRole:IAMCustomRole" in types
    assert document["outputs"]["env"]["ANTHROPIC_VERTEX_PROJECT_ID"] == "claude-platform-dev"


def test_text_plan_shows_resources_outputs_and_env(capsys: pytest.CaptureFixture[str]) -> None:
    assert preview.main([*fixture_args(DEV), "--no-policy"]) == preview.EXIT_OK
    text = capsys.readouterr().out
    assert "Stack dev of claude-vertex: 16 resources to create" in text
    assert "platform-role" in text and "roleId=claudeVertexPlatform" in text
    assert "roleName: projects/claude-platform-dev/roles/claudeVertexPlatform" in text
    assert "CLAUDE_CODE_USE_VERTEX=1" in text
    assert "Policies: skipped (--no-policy)" in text


def test_config_file_replaces_the_stack_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_stack(tmp_path, BASE_CONFIG)
    assert preview.main(["--stack", "team", "--config-file", str(path), "--json", "--no-policy"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["outputs"]["projectId"] == "claude-payments-dev"


def test_bad_config_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    bad = dict(BASE_CONFIG, **{"claude-vertex:vertex": {"region": "mars-1"}})
    result = run_cli("--stack", "team", "--config-file", str(write_stack(tmp_path, bad)))
    assert result.returncode == preview.EXIT_CONFIG
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        'error: invalid config claude-vertex:vertex.region: "mars-1" — global, us, eu or a GCP region that serves '
        f"Claude ({', '.join(catalog().regions())})"
    ]


@pytest.mark.slow
def test_a_config_pulumi_could_not_pass_on_exits_2_before_anything_runs(tmp_path: Path) -> None:
    """The engine hands the whole config to the program and the pack in PULUMI_CONFIG; Linux refuses one
    environment string over 128 KiB, so the real `pulumi preview` could not even start (pulumi/pulumi#20402)."""
    accounts = [
        {"id": f"claude-agent-{i:04d}", "impersonators": [f"group:oncall-{i}-{j}@example.com" for j in range(9)]}
        for i in range(700)
    ]
    big = dict(BASE_CONFIG, **{"claude-vertex:access": {"members": [], "serviceAccounts": accounts}})
    path = write_stack(tmp_path, big)
    result = run_cli("--stack", "team", "--config-file", str(path))
    assert result.returncode == preview.EXIT_CONFIG and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: the stack's config is ") and "over the 131,072 bytes" in line
    assert "split the team's members and accounts over two stacks" in line


def test_a_pack_the_system_refuses_to_start_is_a_one_line_error() -> None:
    from tests.support.analyzer import PolicyPackError, launch_pack_process
    from tests.support.engine_config import MAX_ENVIRONMENT_STRING

    with pytest.raises(PolicyPackError, match=r"the policy pack could not be started .*Argument list too long"):
        launch_pack_process(
            preview.POLICY_PACK, project="p", stack="s", program_config={"x": "y" * MAX_ENVIRONMENT_STRING}
        )


def test_error_raised_during_the_run_is_one_line_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import gcp_declarations

    monkeypatch.setattr(
        gcp_declarations,
        "TESTABLE_PERMISSIONS",
        tuple(p for p in gcp_declarations.TESTABLE_PERMISSIONS if p != "aiplatform.endpoints.predict"),
    )
    with pytest.raises(preview.ConfigInvalid, match="does not support it in custom roles"):
        preview.load_rendering("team", write_stack(tmp_path, BASE_CONFIG))


def test_missing_stack_file_names_the_stacks_that_exist() -> None:
    result = run_cli("--stack", "no-such-team")
    assert result.returncode == preview.EXIT_CONFIG
    assert result.stderr == f"error: {ROOT / 'Pulumi.no-such-team.yaml'}: no such file {stacks_here()}\n"


def test_stack_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config: [unclosed\n")
    result = run_cli("--stack", "x", "--config-file", str(path))
    assert result.returncode == preview.EXIT_CONFIG
    assert "not valid YAML" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_write_env_writes_the_three_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "env"
    assert preview.main([*fixture_args(DEV), "--no-policy", "--write-env", str(out)]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [".env", "env.sh", "settings.json"]
    settings = json.loads((out / "settings.json").read_text())
    assert settings["env"]["CLAUDE_CODE_USE_VERTEX"] == "1"
    assert "ANTHROPIC_VERTEX_PROJECT_ID=claude-platform-dev" in (out / ".env").read_text()
    assert "export CLOUD_ML_REGION=global" in (out / "env.sh").read_text()


@pytest.mark.slow
def test_same_config_gives_byte_identical_output() -> None:
    for args in ([*fixture_args(PAYMENTS), "--json"], fixture_args(DEV)):
        first, second = run_cli(*args), run_cli(*args)
        for run in (first, second):
            assert run.returncode == preview.EXIT_OK, f"exit {run.returncode}: {run.stderr}"
        assert first.stdout and first.stdout == second.stdout


def test_engine_preview_marks_what_waits_for_pulumi_up() -> None:
    result = run_cli(*fixture_args(PAYMENTS), "--engine-preview")
    assert result.returncode == preview.EXIT_OK, result.stderr
    plan = result.stdout
    assert "<unknown until apply> is known only after `pulumi up`" in plan
    assert "payments-grant-sa-claude-agent" in plan and "role=<unknown until apply>" in plan
    assert "  roleName: <unknown until apply>" in plan and "  projectNumber: <unknown until apply>" in plan
    assert "  projectId: claude-payments-prod" in plan
    assert "Policies: no violations" in plan


def test_outputs_section_lists_every_output_the_program_exports(capsys: pytest.CaptureFixture[str]) -> None:
    assert preview.main([*fixture_args(PAYMENTS), "--no-policy"]) == preview.EXIT_OK
    plan = capsys.readouterr().out
    shown = plan.split("Outputs:\n", 1)[1].split("\n\n", 1)[0]
    assert preview.main([*fixture_args(PAYMENTS), "--no-policy", "--json"]) == preview.EXIT_OK
    outputs = json.loads(capsys.readouterr().out)["outputs"]
    assert {line.split(":")[0].split(".")[0].strip() for line in shown.splitlines()} == set(outputs)
    assert "  ciGithubWorkflow: " in shown and "lines of text (see --json" in shown
