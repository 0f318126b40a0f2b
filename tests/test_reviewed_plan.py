"""Apply on merge applies the reviewed plan: finding it (tools/preview_run.py against a loopback GitHub API), holding
main to what was previewed (tools/reviewed_plan.py `record`/`check`), a new stack held to its offline preview
(`new-stack`), a plan violation turned into one line (`explain`), and stacks qualified with the Pulumi Cloud
organization (tools/stack_ref.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_github import (
    REPOSITORY,
    GitHubState,
    artifact,
    github_api,
    pull_request,
    workflow_run,
)
from tools import reviewed_plan
from tools.preview_run import GitHub, GitHubRefusal, NoReviewedPreview, artifact_name, locate
from tools.reviewed_plan import Refusal, check, explain, new_stack, record
from tools.stack_ref import StackRefError, stack_ref

ROOT = Path(__file__).resolve().parent.parent
MERGE, HEAD, OTHER = "a" * 40, "b" * 40, "c" * 40
TOKEN = "ghs_test-token"


def _github(base: str) -> GitHub:
    return GitHub(base, REPOSITORY, TOKEN)


def _merged_state() -> GitHubState:
    return GitHubState(
        pulls={MERGE: [pull_request(7, HEAD, MERGE)]},
        runs=[
            workflow_run(101, HEAD, created_at="2026-12-01T08:00:00Z"),
            workflow_run(102, HEAD, created_at="2026-12-01T09:00:00Z"),
            workflow_run(103, HEAD, created_at="2026-12-01T10:00:00Z", conclusion="failure"),
            workflow_run(104, HEAD, created_at="2026-12-01T11:00:00Z", path=".github/workflows/other.yml"),
        ],
        artifacts={
            102: [
                artifact(1, artifact_name("payments", HEAD)),
                artifact(2, artifact_name("research", HEAD), expired=True),
                artifact(3, artifact_name("dev", OTHER)),
                artifact(4, "review-cloud-payments"),
            ]
        },
    )


# --- finding the reviewed preview ----------------------------------------------------------------------------------


def test_the_pushed_commit_leads_to_its_pull_request_and_newest_successful_preview() -> None:
    state = _merged_state()
    with github_api(state) as base:
        found = locate(_github(base), MERGE)
    assert (found.pr, found.head_sha, found.run_id) == (7, HEAD, 102)
    assert found.plans == {"payments": 1}, "an expired artifact or another head's plan is no reviewed plan"
    assert all(auth == f"Bearer {TOKEN}" for _, auth in state.requests)
    assert f"/repos/{REPOSITORY}/commits/{MERGE}/pulls?per_page=100" in [path for path, _ in state.requests]


def test_a_push_straight_to_main_has_no_reviewed_plan() -> None:
    state = GitHubState(pulls={MERGE: [pull_request(7, HEAD, OTHER), pull_request(8, HEAD, MERGE, merged=False)]})
    with github_api(state) as base, pytest.raises(NoReviewedPreview, match="not merged from a pull request"):
        locate(_github(base), MERGE)


def test_a_pull_request_whose_preview_never_succeeded_has_no_reviewed_plan() -> None:
    state = GitHubState(
        pulls={MERGE: [pull_request(7, HEAD, MERGE)]},
        runs=[workflow_run(103, HEAD, conclusion="failure"), workflow_run(105, OTHER)],
    )
    with github_api(state) as base, pytest.raises(NoReviewedPreview, match=r"PR #7 has no successful Preview run"):
        locate(_github(base), MERGE)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"message": "Resource not accessible by integration"}', "HTTP 403 Resource not accessible by integration"),
        (b"<html>" + b"x" * 100_000, "HTTP 403 Forbidden"),
    ],
)
def test_a_refusal_is_one_line_with_githubs_message_only(body: bytes, expected: str) -> None:
    state = _merged_state()
    state.refuse["commits/"] = (403, body)
    with github_api(state) as base, pytest.raises(GitHubRefusal) as refused:
        locate(_github(base), MERGE)
    assert str(refused.value) == f"GET commits/{MERGE}/pulls: {expected}"


def test_an_unreachable_api_is_one_line() -> None:
    with github_api(GitHubState()) as base:
        pass  # stopped: nothing listens there any more
    with pytest.raises(GitHubRefusal, match="cannot reach"):
        locate(_github(base), MERGE)


@pytest.mark.slow
def test_locate_writes_the_step_outputs_the_apply_jobs_read(tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    with github_api(_merged_state()) as base:
        env = {**os.environ, "GITHUB_API_URL": base, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": TOKEN}
        result = subprocess.run(
            [sys.executable, "-m", "tools.reviewed_plan", "locate", "--sha", MERGE, "--output", str(output)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        refused = subprocess.run(
            [sys.executable, "-m", "tools.reviewed_plan", "locate", "--sha", OTHER, "--output", str(output)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert output.read_text().splitlines() == ["pr=7", f"head-sha={HEAD}", "run-id=102", 'plans=["payments"]']
    assert refused.returncode == 1 and refused.stderr == ""
    assert refused.stdout.startswith("::error::commit cccccccccccc was not merged from a pull request")
    assert len(refused.stdout.splitlines()) == 1


# --- main still holds what was previewed -------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    for name, text in {
        "Pulumi.yaml": "name: claude-vertex\n",
        "__main__.py": "print('program')\n",
        "Pulumi.payments.yaml": "config: {}\n",
        "Pulumi.research.yaml": "config: {}\n",
        "docs/gitops.md": "# GitOps\n",
    }.items():
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "previewed")
    return repo


def _commit(repo: Path, name: str, text: str | None) -> None:
    if text is None:
        (repo / name).unlink()
    else:
        (repo / name).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"change {name}")


@pytest.mark.slow
def test_the_merged_tree_that_is_the_previewed_tree_applies_the_saved_plan(repo: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    record(repo, "payments", 7, HEAD, saved, new_stack=False)
    (saved / "plan.json").write_text("{}")
    assert check(repo, "payments", saved, HEAD, "PR #7") == "saved"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "text", "moved"),
    [
        ("docs/gitops.md", "# GitOps, edited\n", False),  # documentation changes no stack
        ("Pulumi.research.yaml", "config: {a: 1}\n", False),  # another team's stack
        ("Pulumi.research.yaml", None, False),
        ("Pulumi.payments.yaml", "config: {b: 2}\n", True),  # this stack's own file
        ("__main__.py", "print('changed')\n", True),  # the program every stack runs
        ("policies/rules.py", "# new rule\n", True),  # anything else may change every plan
        ("Pulumi.yaml", None, True),
    ],
)
def test_main_moving_since_the_preview_refuses_only_a_stack_that_depends_on_what_moved(
    repo: Path, tmp_path: Path, name: str, text: str | None, moved: bool
) -> None:
    saved = tmp_path / "saved"
    record(repo, "payments", 7, HEAD, saved, new_stack=False)
    (saved / "plan.json").write_text("{}")
    (repo / name).parent.mkdir(exist_ok=True)
    _commit(repo, name, text)
    if not moved:
        assert check(repo, "payments", saved, HEAD, "PR #7") == "saved"
        return
    with pytest.raises(Refusal) as refused:
        check(repo, "payments", saved, HEAD, "PR #7")
    assert str(refused.value).startswith("main moved since the preview of PR #7: payments depends on files that")
    assert name in str(refused.value) and "Re-run its preview" in str(refused.value)


@pytest.mark.slow
def test_a_plan_for_another_stack_or_head_is_refused(repo: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    record(repo, "research", 7, HEAD, saved, new_stack=False)
    with pytest.raises(Refusal, match="the saved plan is 'research' at bbbbbbbbbbbb, not 'payments'"):
        check(repo, "payments", saved, HEAD, "PR #7")
    with pytest.raises(Refusal, match="not 'research' at cccccccccccc"):
        check(repo, "research", saved, OTHER, "PR #7")


@pytest.mark.slow
@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b'{"version": 1}', b'{"version": 2, "tree": {}, "newStack": false}', b"\xff\xfe"],
)
def test_a_record_that_is_not_a_preview_record_is_one_line(repo: Path, tmp_path: Path, content: bytes) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "previewed.json").write_bytes(content)
    with pytest.raises(Refusal, match=r"previewed\.json is not"):
        check(repo, "payments", saved, HEAD, "PR #7")


@pytest.mark.slow
def test_a_new_stack_is_recorded_without_a_plan(repo: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    record(repo, "payments", 7, HEAD, saved, new_stack=True)
    assert check(repo, "payments", saved, HEAD, "PR #7") == "new"
    record(repo, "payments", 7, HEAD, saved, new_stack=False)
    with pytest.raises(Refusal, match=r"saved no plan\.json for payments"):
        check(repo, "payments", saved, HEAD, "PR #7")


# --- a new stack: its fresh plan creates exactly the reviewed offline preview's resources ---------------------------

STACK_URN = "urn:pulumi:payments::claude-vertex::pulumi:pulumi:Stack::claude-vertex-payments"
PROVIDER_URN = "urn:pulumi:payments::claude-vertex::pulumi:providers:gcp::default_10_2_0"
PROJECT_URN = "urn:pulumi:payments::claude-vertex::claude-vertex:index:Team$gcp:organizations/project:Project::p"
ROLE_URN = "urn:pulumi:payments::claude-vertex::claude-vertex:index:Team$gcp:projects/iAMCustomRole:IAMCustomRole::r"


def _plan(tmp_path: Path, steps: dict[str, list[str]]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"manifest": {}, "resourcePlans": {urn: {"steps": s} for urn, s in steps.items()}}))
    return path


def _offline(tmp_path: Path, urns: list[str]) -> Path:
    path = tmp_path / "offline.json"
    path.write_text(json.dumps({"stack": "payments", "resources": [{"urn": urn} for urn in urns]}))
    return path


def test_a_new_stacks_plan_that_creates_the_offline_previews_resources_is_applied(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path, {STACK_URN: ["create"], PROVIDER_URN: ["create"], PROJECT_URN: ["create"], ROLE_URN: ["create"]}
    )
    assert new_stack("payments", plan, _offline(tmp_path, [PROJECT_URN, ROLE_URN, PROVIDER_URN])) == 2


def test_a_new_stacks_plan_that_differs_from_the_offline_preview_is_refused(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {PROJECT_URN: ["create"], ROLE_URN: ["create"]})
    with pytest.raises(Refusal, match=r"creates .*IAMCustomRole::r, not in it \(1 more, 0 fewer\)"):
        new_stack("payments", plan, _offline(tmp_path, [PROJECT_URN]))
    with pytest.raises(Refusal, match=r"does not create .*Project::p \(0 more, 1 fewer\)"):
        new_stack("payments", _plan(tmp_path, {ROLE_URN: ["create"]}), _offline(tmp_path, [PROJECT_URN, ROLE_URN]))


def test_a_new_stack_that_exists_after_all_is_refused(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {PROJECT_URN: ["same"], ROLE_URN: ["create"]})
    with pytest.raises(Refusal, match=r"does more than create .*Project::p: \[.same.\]"):
        new_stack("payments", plan, _offline(tmp_path, [PROJECT_URN, ROLE_URN]))


# --- a plan violation is one line ----------------------------------------------------------------------------------

VIOLATIONS = [
    "error: resource urn:pulumi:payments::claude-vertex::gcp:billing/budget:Budget::b violates plan: properties "
    "changed: ~~amount[{...}!={...}]",
    "error: update is not allowed by the plan: no steps were expected for this resource",
    "error: expected resource operations for urn:pulumi:payments::claude-vertex::gcp:x:Y::z but none were seen",
]


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_a_plan_violation_says_the_stack_moved_since_the_reviewed_preview(tmp_path: Path, violation: str) -> None:
    log = tmp_path / "up.log"
    log.write_text(f"Updating (payments):\n    {violation}\n    more\nResources: 3 unchanged\n")
    line = explain("payments", log, "PR #7", retry=False)
    assert line is not None and "\n" not in line
    assert line.startswith("payments moved since the reviewed preview of PR #7 (")
    retried = explain("payments", log, "PR #7", retry=True)
    assert retried is not None and "The first attempt applied part of it" in retried


def test_any_other_failure_is_not_a_plan_violation(tmp_path: Path) -> None:
    log = tmp_path / "up.log"
    log.write_text("error: googleapi: Error 400: Service account x does not exist., badRequest\n")
    assert explain("payments", log, "PR #7", retry=False) is None


# --- stacks qualified with the Pulumi Cloud organization ---------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "payments"),
        ({"PULUMI_ORG": ""}, "payments"),
        ({"PULUMI_ORG": "acme", "PULUMI_BACKEND_URL": "https://api.pulumi.com"}, "acme/payments"),
        ({"PULUMI_ORG": "acme-platform_2"}, "acme-platform_2/payments"),
    ],
)
def test_a_stack_is_qualified_with_the_organization_when_one_is_configured(
    environ: dict[str, str], expected: str
) -> None:
    assert stack_ref("payments", environ) == expected


@pytest.mark.parametrize(
    ("stack", "environ", "message"),
    [
        ("pay/ments", {}, "stack 'pay/ments' is not a stack name"),
        ("payments", {"PULUMI_ORG": "acme/other"}, "PULUMI_ORG 'acme/other' is not an organization name"),
        ("payments", {"PULUMI_ORG": "-acme"}, "PULUMI_ORG '-acme' is not an organization name"),
        (
            "payments",
            {"PULUMI_ORG": "acme", "PULUMI_BACKEND_URL": "gs://acme-state"},
            "PULUMI_BACKEND_URL 'gs://acme-state' is a self-managed backend, which has none: unset PULUMI_ORG",
        ),
    ],
)
def test_a_name_that_cannot_qualify_a_stack_is_refused(stack: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(StackRefError) as refused:
        stack_ref(stack, environ)
    assert message in str(refused.value)


@pytest.mark.slow
def test_stack_ref_prints_the_reference_or_one_line() -> None:
    def run(*args: str, org: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PULUMI_ORG": org, "PULUMI_BACKEND_URL": ""}
        return subprocess.run(
            [sys.executable, "tools/stack_ref.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    assert run("payments", org="acme").stdout == "acme/payments\n"
    refused = run("payments", org="a b")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert (
        refused.stderr == "stack_ref: PULUMI_ORG 'a b' is not an organization name (letters, digits, '-', '_' or '.')\n"
    )


def test_the_cli_refuses_a_bad_stack_or_sha_or_a_missing_log_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    common = ["--dir", ".", "--source", "PR #1", "--output", str(tmp_path / "out")]
    assert reviewed_plan.main(["check", "--stack", "a b", "--head-sha", HEAD, *common]) == 1
    assert reviewed_plan.main(["check", "--stack", "payments", "--head-sha", "HEAD", *common]) == 1
    missing = tmp_path / "up.log"
    assert reviewed_plan.main(["explain", "--stack", "payments", "--log", str(missing), "--source", "PR #1"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "::error::'a b' is not a stack name",
        "::error::'HEAD' is not a full commit SHA",
        f"::error::cannot read the log of pulumi up {missing} (No such file or directory)",
    ]
