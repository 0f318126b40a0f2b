"""The fleet view: one table over every stack, the clashes between stacks, and its exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import config_with
from tests.fixture_stacks import FIXTURES, fixture_args
from tools import fleet, preview

ADOPT = {"id": "shared-ml-research", "create": False}


def write_stack(directory: Path, stack: str, team: str, **sections: Any) -> Path:
    config = config_with(**sections)
    config["claude-vertex:team"] = team
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def run(capsys: pytest.CaptureFixture[str], directory: Path, *args: str) -> tuple[int, str, str]:
    code = fleet.main(["--stacks-dir", str(directory), "--no-policy", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


def project(project_id: str) -> dict[str, Any]:
    return {"id": project_id, "billingAccount": "012345-6789AB-CDEF01", "folderId": "123456789012"}


def test_the_repository_stacks_make_one_clean_table(capsys: pytest.CaptureFixture[str]) -> None:
    """Whichever stacks are here (the examples, a platform team's own, or none) render and do not clash."""
    code, out, _ = run(capsys, fleet.ROOT, "--markdown")
    assert code == fleet.EXIT_OK
    lines = out.splitlines()
    assert lines[0] == f"### Claude Code fleet: {len(preview.available_stacks())} stacks"
    assert len([row for row in lines[4:] if row.startswith("| ")]) == len(preview.available_stacks())
    assert "Clashes between stacks: none" in lines


def test_one_row_per_stack_with_what_a_reviewer_compares(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, FIXTURES, "--markdown")
    assert code == fleet.EXIT_OK
    lines = out.splitlines()
    assert lines[0] == f"### Claude Code fleet: {len(preview.available_stacks(FIXTURES))} stacks"
    assert lines[2] == "| " + " | ".join(fleet.COLUMNS) + " |"
    (payments,) = [line for line in lines if line.startswith("| payments |")]
    assert "claude-payments-prod (created)" in payments
    assert "2000 USD/month" in payments
    assert "sonnet in=200000 out=40000 rpm=60" in payments
    assert "github:acme/payments-app" in payments
    assert "Clashes between stacks: none" in lines


def test_one_project_created_by_two_stacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(tmp_path, "alpha", "alpha", project=project("claude-shared-dev"))
    write_stack(tmp_path, "beta", "beta", project=project("claude-shared-dev"))
    code, out, _ = run(capsys, tmp_path)
    assert code == fleet.EXIT_CLASH
    assert "  project claude-shared-dev is created by 2 stacks: alpha, beta" in out.splitlines()


def test_names_twice_in_one_shared_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two teams may share an adopted project, but not a role ID, an account ID or a quota cap in it."""
    access = {"roleId": "claudeVertexShared", "serviceAccounts": [{"id": "claude-agent"}]}
    caps = {"quotas": {"sonnet": {"requestsPerMinute": 10}}}
    write_stack(tmp_path, "alpha", "alpha", project=ADOPT, access=access, guardrails=caps)
    write_stack(tmp_path, "beta", "beta", project=ADOPT, access=access, guardrails=caps)
    code, out, _ = run(capsys, tmp_path, "--json")
    assert code == fleet.EXIT_CLASH
    found = json.loads(out)["clashes"]
    assert "custom role claudeVertexShared in project shared-ml-research is declared by stacks alpha, beta" in found
    assert "service account claude-agent in project shared-ml-research is declared by stacks alpha, beta" in found
    assert (
        "quota cap GlobalOnlinePredictionRequestsPerMinutePerProjectPerBaseModel[base_model=anthropic-claude-sonnet] "
        "in project shared-ml-research is declared by stacks alpha, beta" in found
    )
    assert not any(c.startswith("project ") for c in found), "adopting one project twice is allowed"


def test_one_ci_repository_trusted_by_two_teams(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ci = {"github": {"repositories": ["acme/App"]}}
    write_stack(tmp_path, "alpha", "alpha", project=project("claude-alpha-dev"), ci=ci)
    write_stack(
        tmp_path, "beta", "beta", project=project("claude-beta-dev"), ci={"github": {"repositories": ["acme/app"]}}
    )
    code, out, _ = run(capsys, tmp_path)
    assert code == fleet.EXIT_CLASH
    assert "  CI repository github:acme/app is trusted by teams alpha, beta" in out.splitlines()


def test_a_project_adopted_by_a_team_not_assigned_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(tmp_path, "alpha", "alpha", project=ADOPT)
    write_stack(tmp_path, "beta", "beta", project={"id": "claude-beta-dev", "create": False})
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"team-projects-allowed": {"teamProjects": {"alpha": ["shared-ml-*"]}}}))
    code, out, _ = run(capsys, tmp_path, "--policy-config", str(policy), "--json")
    assert code == fleet.EXIT_CLASH
    assert json.loads(out)["clashes"] == [
        "project claude-beta-dev is adopted by stack beta (team beta), which team-projects-allowed.teamProjects "
        "does not assign it"
    ]
    policy.write_text(json.dumps({"team-projects-allowed": {"teamProjects": {"alpha": ["shared-ml-*"], "beta": []}}}))
    assert run(capsys, tmp_path, "--policy-config", str(policy))[0] == fleet.EXIT_CLASH
    policy.write_text(json.dumps({"team-projects-allowed": {"teamProjects": {"alpha": ["*"], "beta": ["claude-*"]}}}))
    assert run(capsys, tmp_path, "--policy-config", str(policy))[0] == fleet.EXIT_OK


def test_an_invalid_stack_exits_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(tmp_path, "alpha", "alpha", project=project("claude-alpha-dev"))
    bad = write_stack(tmp_path, "beta", "beta", guardrails={"quotas": {"gpt": {"requestsPerMinute": 1}}})
    code, out, err = run(capsys, tmp_path)
    assert code == fleet.EXIT_INVALID and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {bad}: invalid config claude-vertex:guardrails.quotas.gpt")


def test_an_unreadable_stack_file_is_named_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  claude-vertex:team: [unclosed\n")
    code, _, err = run(capsys, tmp_path)
    assert code == fleet.EXIT_INVALID
    assert err.startswith(f"error: {broken}: ") and err.count(str(broken)) == 1 and err.count("\n") == 1
    assert "stacks here" not in err


def test_a_bad_policy_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(tmp_path, "alpha", "alpha", project=project("claude-alpha-dev"))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"team-projects-allowed": {"teamProjects": {"alpha": "shared"}}}))
    code, _, err = run(capsys, tmp_path, "--policy-config", str(policy))
    assert code == fleet.EXIT_INVALID and "teamProjects must map stack names to lists of project IDs" in err


@pytest.mark.slow
def test_in_parallel_with_the_pack_the_verdicts_equal_the_preview(capsys: pytest.CaptureFixture[str]) -> None:
    """One pack per worker judges each stack exactly as `tools.preview` does with a pack of its own."""
    assert fleet.main(["--json", "--jobs", "2", "--stacks-dir", str(FIXTURES)]) == fleet.EXIT_OK
    stacks = {s["stack"]: s for s in json.loads(capsys.readouterr().out)["stacks"]}
    assert set(stacks) == set(preview.available_stacks(FIXTURES))
    for stack, summary in stacks.items():
        assert preview.main([*fixture_args(FIXTURES / f"Pulumi.{stack}.yaml"), "--json"]) == preview.EXIT_OK
        violations = json.loads(capsys.readouterr().out)["violations"]
        assert summary["advisory"] == sorted(v["policy"] for v in violations if v["level"] != "mandatory")
        assert summary["mandatory"] == []


@pytest.mark.slow
def test_one_pack_judges_each_stack_under_its_own_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One pack serves the whole chunk, yet each stack's team-projects verdict keys on that stack's own name."""
    write_stack(tmp_path, "alpha", "alpha", project=project("claude-alpha-dev"))
    write_stack(tmp_path, "beta", "beta", project=project("claude-beta-dev"))
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {"team-projects-allowed": {"teamProjects": {"alpha": ["claude-alpha-*"], "beta": ["claude-beta-*"]}}}
        )
    )
    code = fleet.main(["--stacks-dir", str(tmp_path), "--jobs", "1", "--policy-config", str(policy), "--json"])
    stacks = {s["stack"]: s for s in json.loads(capsys.readouterr().out)["stacks"]}
    assert code == fleet.EXIT_OK and [stacks[s]["mandatory"] for s in ("alpha", "beta")] == [[], []]
    policy.write_text(json.dumps({"team-projects-allowed": {"teamProjects": {"alpha": ["claude-*"]}}}))
    assert fleet.main(["--stacks-dir", str(tmp_path), "--jobs", "1", "--policy-config", str(policy), "--json"]) == 1
    stacks = {s["stack"]: s for s in json.loads(capsys.readouterr().out)["stacks"]}
    assert stacks["alpha"]["mandatory"] == []
    assert stacks["beta"]["mandatory"] and all(
        v.startswith("team-projects-allowed: ") for v in stacks["beta"]["mandatory"]
    )
