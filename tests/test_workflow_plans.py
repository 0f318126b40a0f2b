"""Saved plans in the GitHub pipeline: what a pull request's preview saves is what Apply on merge applies.

The workflows' own shell steps run here, as GitHub runs them (`bash -eo pipefail`), with a stand-in `pulumi` on PATH
that records its arguments and answers as the CLI does (a plan file for `preview --save-plan`, a plan violation or a
GCP error for `up --plan`), in a scratch git checkout that reaches the repository's tools. What is checked is what an
operator sees: the commands run, the files uploaded, the exit status and the one `::error::` line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.pipelines import ROOT, WORKFLOW_DIR, check_jsonschema, load, needs_github

pytestmark = needs_github

DEPENDABOT = ROOT / ".github" / "dependabot.yml"
HEAD_SHA = "b" * 40
STACK_REF_LINE = 'stack_ref=$(python3 tools/stack_ref.py "$STACK")'

FAKE_PULUMI = f"""#!{sys.executable}
# A stand-in `pulumi`: records its arguments; `preview --save-plan P` writes a plan; `up` answers the next outcome.
import json, os, sys
args = sys.argv[1:]
with open(os.environ["CALLS"], "a") as calls:
    calls.write(json.dumps(args) + "\\n")
if args[:2] == ["stack", "select"]:
    if os.environ.get("FAKE_NEW_STACK"):
        print(f"error: no stack named '{{args[args.index('--stack') + 1]}}' found", file=sys.stderr)
        sys.exit(255)
    sys.exit(0)
if args[0] == "preview":
    if "--save-plan" in args:
        with open(args[args.index("--save-plan") + 1], "w") as plan:
            json.dump({{"resourcePlans": {{}}}}, plan)
    print("Previewing update (payments):\\nResources:\\n    3 unchanged")
    sys.exit(0)
if args[0] == "up":
    outcomes = os.environ["FAKE_UP"].split("|")
    count = sum(1 for line in open(os.environ["CALLS"]) if json.loads(line)[0] == "up")
    code, _, message = outcomes[min(count, len(outcomes)) - 1].partition(":")
    print(f"Updating (payments):\\n    {{message}}")
    sys.exit(int(code))
sys.exit(0)
"""


def workflow(name: str) -> dict[str, Any]:
    return load(WORKFLOW_DIR / name)


def step(workflow_name: str, job_id: str, name: str) -> dict[str, Any]:
    [found] = [s for s in workflow(workflow_name)["jobs"][job_id]["steps"] if s.get("name", "").startswith(name)]
    return found


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A scratch checkout with one commit (what `git ls-tree HEAD` lists) that reaches this repository's tools."""
    work = tmp_path / "checkout"
    work.mkdir()
    (work / "Pulumi.yaml").write_text("name: claude-vertex\n")
    (work / "Pulumi.payments.yaml").write_text("config: {}\n")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "stacks"], check=True)
    (work / "tools").symlink_to(ROOT / "tools")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text(FAKE_PULUMI)
    (bin_dir / "pulumi").chmod(0o755)
    return work


def run_step(checkout: Path, script: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """The step's script as GitHub runs it; returns the run and the stand-in pulumi's calls."""
    calls = checkout.parent / "calls"
    calls.unlink(missing_ok=True)
    calls.touch()
    environ = {
        "PATH": f"{checkout.parent / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(checkout.parent),
        "CALLS": str(calls),
        "GITHUB_STEP_SUMMARY": str(checkout.parent / "summary.md"),
        "GITHUB_OUTPUT": str(checkout.parent / "output"),
        **env,
    }
    run = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=checkout,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    return run, [json.loads(line) for line in calls.read_text().splitlines()]


# --- the pull request's preview saves the plan --------------------------------------------------------------------


PLAN_MAKERS = [
    pytest.param("preview.yml", "cloud-preview", "7", id="pull-request"),
    pytest.param("apply.yml", "plan", "0", id="by-hand"),
]
"""The two jobs that save a plan for Apply: a pull request's cloud preview, and the `plan` job of an Apply by hand."""


@pytest.mark.slow
@pytest.mark.parametrize(("workflow_name", "job_id", "pr"), PLAN_MAKERS)
def test_the_cloud_preview_refreshes_saves_the_plan_and_records_what_it_previewed(
    checkout: Path, workflow_name: str, job_id: str, pr: str
) -> None:
    preview = step(workflow_name, job_id, "pulumi preview")
    env = {"STACK": "payments", "PR_NUMBER": pr, "HEAD_SHA": HEAD_SHA, "PULUMI_ORG": "acme"}
    run, calls = run_step(checkout, preview["run"], **env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert calls[0] == ["stack", "select", "--stack", "acme/payments"]
    assert calls[1][:8] == [
        "preview", "--stack", "acme/payments", "--non-interactive", "--diff", "--refresh",
        "--save-plan", "saved-plan/payments/plan.json",
    ]  # fmt: skip
    assert json.loads((checkout / "saved-plan/payments/plan.json").read_text()) == {"resourcePlans": {}}
    previewed = json.loads((checkout / "saved-plan/payments/previewed.json").read_text())
    assert (previewed["stack"], previewed["pr"], previewed["headSha"], previewed["newStack"]) == (
        "payments", int(pr), HEAD_SHA, False
    )  # fmt: skip
    assert set(previewed["tree"]) == {"Pulumi.yaml", "Pulumi.payments.yaml"}


@pytest.mark.slow
@pytest.mark.parametrize(("workflow_name", "job_id", "pr"), PLAN_MAKERS)
def test_a_new_stacks_cloud_preview_records_it_as_new_and_saves_no_plan(
    checkout: Path, workflow_name: str, job_id: str, pr: str
) -> None:
    preview = step(workflow_name, job_id, "pulumi preview")
    env = {"STACK": "payments", "PR_NUMBER": pr, "HEAD_SHA": HEAD_SHA, "FAKE_NEW_STACK": "1"}
    run, calls = run_step(checkout, preview["run"], **env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert [call[0] for call in calls] == ["stack"], "nothing to preview against: no state yet"
    assert "::notice title=New stack payments::" in run.stdout
    assert json.loads((checkout / "saved-plan/payments/previewed.json").read_text())["newStack"] is True
    assert not (checkout / "saved-plan/payments/plan.json").exists()


def test_the_saved_plan_is_uploaded_per_stack_and_head_commit_for_a_short_while() -> None:
    [upload] = [
        s
        for s in workflow("preview.yml")["jobs"]["cloud-preview"]["steps"]
        if "upload-artifact" in s.get("uses", "") and s["with"]["name"].startswith("plan-")
    ]
    assert upload["with"] == {
        "name": "plan-${{ matrix.stack }}-${{ github.event.pull_request.head.sha }}",
        "path": "saved-plan/${{ matrix.stack }}/",
        "if-no-files-found": "error",
        "retention-days": 14,
    }


# --- Apply on merge applies exactly that plan ----------------------------------------------------------------------


def test_apply_takes_the_plan_from_the_reviewed_preview_run_or_from_its_own_plan_job() -> None:
    apply = workflow("apply.yml")["jobs"]
    assert apply["reviewed"]["if"] == "github.event_name == 'push' && needs.changes.outputs.stacks != '[]'"
    assert apply["plan"]["if"].startswith("github.event_name == 'workflow_dispatch'")
    assert set(apply["apply"]["needs"]) == {"changes", "reviewed", "plan"}
    assert "(needs.reviewed.result == 'success' || needs.plan.result == 'success')" in apply["apply"]["if"]
    [download] = [s for s in apply["apply"]["steps"] if "download-artifact" in s.get("uses", "")]
    assert download["with"] == {
        "name": "plan-${{ matrix.stack }}-${{ needs.reviewed.outputs.head-sha || github.sha }}",
        "path": "reviewed-plan",
        "run-id": "${{ needs.reviewed.outputs.run-id || github.run_id }}",
        "github-token": "${{ github.token }}",
    }
    # The by-hand plan is made with the read-only identity; only the apply holds the deployer's.
    [auth] = [s for s in apply["plan"]["steps"] if "google-github-actions/auth" in s.get("uses", "")]
    assert auth["with"]["service_account"] == "${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}"


def test_no_workflow_runs_pulumi_up_without_the_reviewed_plan() -> None:
    for path in sorted(WORKFLOW_DIR.glob("*.yml")):
        for job in load(path)["jobs"].values():
            for s in job["steps"]:
                if "pulumi up" in s.get("run", ""):
                    assert "pulumi up --yes --refresh --plan reviewed-plan/plan.json" in s["run"], path.name


def _up(checkout: Path, outcomes: str) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    up = step("apply.yml", "apply", "pulumi up --plan")
    env = {"STACK": "payments", "PLAN_SOURCE": "PR #7", "RETRY_PAUSE_SECONDS": "0", "FAKE_UP": outcomes}
    return run_step(checkout, up["run"], **env)


@pytest.mark.slow
def test_apply_runs_up_with_the_reviewed_plan_refreshed_once_when_it_succeeds(checkout: Path) -> None:
    run, calls = _up(checkout, "0:Resources: 3 unchanged")
    assert run.returncode == 0, run.stdout + run.stderr
    [up] = calls
    assert up[:7] == ["up", "--yes", "--refresh", "--plan", "reviewed-plan/plan.json", "--stack", "payments"]
    assert "--policy-pack" in up


@pytest.mark.slow
def test_apply_retries_a_gcp_failure_once_with_the_same_plan(checkout: Path) -> None:
    run, calls = _up(checkout, "1:error: googleapi: Error 400: Service account x does not exist.|0:done")
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(calls) == 2 and calls[0] == calls[1], "the retry applies the same plan"
    assert "::warning::pulumi up of payments failed; retrying once with the same plan in 0s" in run.stdout
    run, calls = _up(checkout, "1:error: quota|1:error: quota")
    assert run.returncode == 1 and len(calls) == 2 and "::error::" not in run.stdout


@pytest.mark.slow
def test_a_plan_violation_is_one_clear_line_and_is_not_retried(checkout: Path) -> None:
    violation = "error: resource urn:pulumi:payments::claude-vertex::gcp:x:Y::z violates plan: properties changed"
    run, calls = _up(checkout, f"255:{violation}")
    assert run.returncode == 1 and len(calls) == 1
    [line] = [line for line in run.stdout.splitlines() if line.startswith("::error::")]
    assert line.startswith("::error::payments moved since the reviewed preview of PR #7 (resource urn:pulumi:")
    assert "nothing outside the plan was applied" in line


@pytest.mark.slow
def test_a_retry_that_no_longer_fits_the_plan_says_the_first_attempt_applied_part_of_it(checkout: Path) -> None:
    run, calls = _up(checkout, "1:error: 503|255:error: expected resource operations for urn:x but none were seen")
    assert run.returncode == 1 and len(calls) == 2
    [line] = [line for line in run.stdout.splitlines() if line.startswith("::error::")]
    assert "the retry no longer fits the reviewed plan of PR #7" in line and "Run Apply by hand" in line


@pytest.mark.slow
@pytest.mark.parametrize(
    ("saved", "refused"), [('["payments","research"]', False), ('["research"]', True), ("[]", True)]
)
def test_a_stack_the_reviewed_preview_saved_no_plan_for_is_not_applied(
    checkout: Path, saved: str, refused: bool
) -> None:
    guard = step("apply.yml", "apply", "The reviewed preview saved a plan")
    run, _ = run_step(checkout, guard["run"], STACK="payments", PLAN_SOURCE="PR #7", SAVED_PLANS=saved)
    assert run.returncode == int(refused)
    if refused:
        assert run.stdout.startswith("::error::The preview of PR #7 saved no plan for payments")


def test_a_new_stack_is_applied_only_as_its_reviewed_offline_preview_creates_it() -> None:
    new = step("apply.yml", "apply", "Plan the new stack")
    assert new["if"] == "steps.check.outputs.kind == 'new'"
    script = new["run"]
    assert script.index("--save-plan reviewed-plan/plan.json") < script.index("tools.reviewed_plan new-stack")
    assert '.venv/bin/python -m tools.preview --stack "$STACK" --json --no-policy' in script
    steps = [s.get("name", s.get("uses", "")) for s in workflow("apply.yml")["jobs"]["apply"]["steps"]]
    order = [
        steps.index(s)
        for s in steps
        if s.startswith(("Main still holds", "Select the stack", "Plan the new", "pulumi up"))
    ]
    assert order == sorted(order) and len(order) == 4


# --- stacks qualified with the Pulumi Cloud organization ---------------------------------------------------------


def test_every_stack_a_workflow_selects_is_qualified_by_the_one_definition() -> None:
    """`--stack` always takes tools/stack_ref.py's answer, in every job that runs pulumi, with PULUMI_ORG set."""
    seen = set()
    for path in sorted(WORKFLOW_DIR.glob("*.yml")):
        for job_id, job in load(path)["jobs"].items():
            for s in job["steps"]:
                script = s.get("run", "")
                if "pulumi " not in script or "--stack" not in script:
                    continue
                seen.add(f"{path.name}:{job_id}")
                assert script.startswith(STACK_REF_LINE) or f"\n{STACK_REF_LINE}" in script, f"{path.name}:{job_id}"
                for line in script.splitlines():
                    if line.strip().startswith("pulumi ") and "--stack" in line:
                        assert '--stack "$stack_ref"' in line, f"{path.name}:{job_id}: {line}"
                assert job["env"]["PULUMI_ORG"] == "${{ vars.PULUMI_ORG }}", f"{path.name}:{job_id}"
    assert seen == {
        "preview.yml:cloud-preview",
        "apply.yml:plan",
        "apply.yml:apply",
        "drift.yml:drift",
        "destroy.yml:destroy",
    }


# --- dependabot -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dependabot_config_is_valid_against_its_schema_offline() -> None:
    result = check_jsonschema("vendor.dependabot", DEPENDABOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_keeps_the_action_pins_and_the_python_pins_fresh_in_one_weekly_pull_request_each() -> None:
    config = load(DEPENDABOT)
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    for update in updates.values():
        assert update["schedule"]["interval"] == "weekly"
        [group] = update["groups"].values()
        assert group["patterns"] == ["*"], "one pull request with every update of the week"
    pip_dirs = updates["pip"]["directories"]
    pinned = ["/"] + [f"/{path.parent.name}" for path in ROOT.glob("*/requirements.txt")]
    assert sorted(pip_dirs) == sorted(pinned), "every requirements.txt with pins, in one group (one pulumi release)"
    assert updates["pip"]["versioning-strategy"] == "increase-if-necessary", "ranges in pyproject.toml stay as tested"
