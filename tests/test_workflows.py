"""The GitHub Actions pipeline (.github/workflows/*.yml): valid, and safe in the ways a reviewer checks.

Schema validity uses check-jsonschema's vendored schemas (no network). The safety properties: actions
pinned to reviewed commits, least `permissions:` per job, credentials only where a job needs them and
never for a fork's pull request, applies only from main and never two at once on one stack, no
`${{ }}` expansion inside a shell script, and every shell script shellcheck-clean. A repository that runs
only GitLab CI has deleted these files (docs/gitops.md, step 2): then these tests are skipped, saying so.
GitLab's pipeline is tests/test_gitlab_ci.py's.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from claude_vertex.render import ci_snippets

from tests.pipelines import (
    GITHUB_PIPELINE,
    WORKFLOW_DIR,
    check_jsonschema,
    load,
    needs_github,
    requirements_pulumi_version,
    shellcheck_failures,
)

pytestmark = needs_github

WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
PR_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"
PINNED_REFS = {pin.ref: pin for pin in (*ci_snippets.PINNED_ACTIONS, *ci_snippets.PIPELINE_ONLY_ACTIONS)}
WRITERS = {
    ("preview-comment.yml", "comment"): {"actions": "read", "pull-requests": "write"},
    ("drift.yml", "issues"): {"issues": "write"},
}
"""The only jobs that may write to the repository, and exactly what each may write: neither gets a GCP token."""
API_READS = {
    ("apply.yml", "reviewed"): {"actions": "read", "pull-requests": "read"},  # the merged pull request, its Preview run
    ("apply.yml", "apply"): {"actions": "read"},  # download the saved plan from that run
}
"""The only other jobs whose token reads more than the repository's contents, and what they read."""


def workflow(name: str) -> dict[str, Any]:
    return load(WORKFLOW_DIR / name)


def jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in WORKFLOWS:
        for job_id, job in load(path)["jobs"].items():
            yield path.name, job_id, job


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if s.get("uses", "").startswith(action + "@")]


# --- the files are what GitHub accepts ---------------------------------------------------------------


def test_the_pipeline_is_whole() -> None:
    """The four workflows call each other's conventions (one apply group per stack, one previewer identity)."""
    assert [path.name for path in GITHUB_PIPELINE if not path.is_file()] == []


@pytest.mark.slow
def test_every_workflow_validates_against_the_github_workflow_schema_offline() -> None:
    result = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_schema_check_does_reject_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text((WORKFLOW_DIR / "apply.yml").read_text().replace("runs-on:", "runs_on:"))
    assert check_jsonschema("vendor.github-workflows", broken).returncode == 1


# --- GitHub: pinning, permissions, credentials --------------------------------------------------------


def test_every_action_is_pinned_to_a_reviewed_commit_with_its_version_beside_it() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        for line in (line.strip() for line in text.splitlines()):
            if line.startswith(("uses:", "- uses:")):
                ref = line.split("uses:", 1)[1].split("#", 1)[0].strip()
                assert ref in PINNED_REFS, (
                    f"{path.name}: {line} is not one of the pins in components/claude_vertex/render/ci_snippets.py "
                    "(after a Dependabot bump, move the pin there too: the snippets teams get use the same actions)"
                )
                assert line.endswith(f"# {PINNED_REFS[ref].version}"), f"{path.name}: {line} lacks its version"


def test_workflows_grant_nothing_by_default_and_every_job_declares_its_permissions() -> None:
    for path in WORKFLOWS:
        assert load(path)["permissions"] == {}, path.name
    for name, job_id, job in jobs():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{name}:{job_id} declares no permissions"
        if steps_using(job, "actions/checkout"):
            assert permissions.get("contents") == "read", f"{name}:{job_id}"
        else:
            assert permissions == {}, f"{name}:{job_id} reads nothing, so it needs no permission"
        extra = {key: value for key, value in permissions.items() if key not in ("contents", "id-token")}
        expected = WRITERS.get((name, job_id)) or API_READS.get((name, job_id), {})
        assert extra == expected, f"{name}:{job_id} asks for {permissions}"
    for (name, job_id), grants in WRITERS.items():
        assert workflow(name)["jobs"][job_id]["permissions"] == {"contents": "read", **grants}, f"{name}:{job_id}"


def test_only_jobs_that_authenticate_to_google_get_an_oidc_token() -> None:
    for name, job_id, job in jobs():
        authenticates = bool(steps_using(job, "google-github-actions/auth"))
        assert (job["permissions"].get("id-token") == "write") == authenticates, f"{name}:{job_id}"


def test_a_pull_request_from_a_fork_never_reaches_a_credential() -> None:
    for path in WORKFLOWS:
        triggers = load(path)["on"]
        assert "pull_request_target" not in triggers, path.name
        assert "workflow_run" not in triggers or path.name == "preview-comment.yml", path.name
    preview = workflow("preview.yml")
    assert set(preview["on"]) == {"pull_request"}
    for job_id, job in preview["jobs"].items():
        text = json.dumps(job)
        if job["permissions"].get("id-token") == "write" or "secrets." in text:
            assert PR_GUARD in job["if"], f"preview.yml:{job_id} reaches credentials without the same-repository guard"
    offline = preview["jobs"]["offline-preview"]
    assert offline["permissions"] == {"contents": "read"}
    assert "secrets." not in json.dumps(offline) and "vars.GCP" not in json.dumps(offline)


def test_pull_requests_and_drift_checks_use_the_read_only_identity() -> None:
    for name in ("preview.yml", "drift.yml"):
        for job in workflow(name)["jobs"].values():
            for step in steps_using(job, "google-github-actions/auth"):
                assert step["with"] == {
                    "workload_identity_provider": "${{ vars.GCP_WIF_PROVIDER_PREVIEW }}",
                    "service_account": "${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}",
                }


def test_only_apply_and_destroy_use_the_deployer_identity_and_only_on_main() -> None:
    users = set()
    for name, job_id, job in jobs():
        for step in steps_using(job, "google-github-actions/auth"):
            if "GCP_WIF_PROVIDER_APPLY" in step["with"]["workload_identity_provider"]:
                users.add(f"{name}:{job_id}")
                assert step["with"]["service_account"] == "${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}"
                assert "github.ref == 'refs/heads/main'" in job["if"]
                assert job["environment"] == "claude-vertex"
    assert users == {"apply.yml:apply", "destroy.yml:destroy"}


def test_apply_runs_on_pushes_to_main_one_stack_at_a_time_and_is_never_cancelled() -> None:
    apply = workflow("apply.yml")
    assert apply["on"]["push"] == {"branches": ["main"]}
    assert set(apply["on"]) == {"push", "workflow_dispatch"}
    job = apply["jobs"]["apply"]
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.changes.outputs.stacks) }}"
    assert job["strategy"]["fail-fast"] is False
    assert job["concurrency"] == {"group": "claude-vertex-apply-${{ matrix.stack }}", "cancel-in-progress": False}
    destroy = workflow("destroy.yml")["jobs"]["destroy"]
    assert destroy["concurrency"] == {"group": "claude-vertex-apply-${{ inputs.stack }}", "cancel-in-progress": False}


def test_no_other_concurrency_group_can_cancel_a_queued_apply() -> None:
    """GitHub keeps one pending run per group and cancels the older one: only applies may share that group."""
    groups = []
    for path in WORKFLOWS:
        wf = load(path)
        groups += [(path.name, wf["concurrency"]["group"])] if "concurrency" in wf else []
        groups += [(path.name, j["concurrency"]["group"]) for j in wf["jobs"].values() if "concurrency" in j]
    sharing = {name for name, group in groups if group.startswith("claude-vertex-apply-")}
    assert sharing == {"apply.yml", "destroy.yml"}


def test_apply_and_previews_run_the_policy_pack() -> None:
    commands = {
        "apply.yml": ["pulumi up --yes --refresh --plan", "pulumi preview --stack", "pulumi preview --stack"],
        "preview.yml": ["pulumi preview --stack"],
        "drift.yml": ["pulumi preview --stack"],
    }
    for name, expected in commands.items():
        runs = [s["run"] for j in workflow(name)["jobs"].values() for s in j["steps"] if "run" in s]
        found = [(command, r) for r in runs for command in dict.fromkeys(expected) if command in r]
        assert sorted(command for command, _ in found) == sorted(expected), name
        for _, script in found:
            assert "--policy-pack policies" in script, name
    drift = next(
        s["run"] for s in workflow("drift.yml")["jobs"]["drift"]["steps"] if "pulumi preview" in s.get("run", "")
    )
    assert "--refresh --expect-no-changes" in drift


def test_offline_preview_is_the_credential_free_tool() -> None:
    job = workflow("preview.yml")["jobs"]["offline-preview"]
    [script] = [s["run"] for s in job["steps"] if "tools.preview" in s.get("run", "")]
    assert '.venv/bin/python -m tools.preview --stack "$STACK"' in script


def test_no_expression_is_expanded_inside_a_shell_script() -> None:
    """`${{ }}` in `run:` is pasted into the script before bash sees it: file names from a pull request could run."""
    for name, job_id, job in jobs():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), f"{name}:{job_id}: pass values through env:"


def test_checkouts_never_leave_a_token_behind() -> None:
    for name, job_id, job in jobs():
        for step in steps_using(job, "actions/checkout"):
            assert step.get("with", {}).get("persist-credentials") is False, f"{name}:{job_id}"


def test_every_job_has_a_timeout() -> None:
    for name, job_id, job in jobs():
        assert isinstance(job.get("timeout-minutes"), int), f"{name}:{job_id}"


def test_one_stable_check_sums_up_every_pull_request_job() -> None:
    """Branch protection needs a fixed name; the matrix jobs are named per stack."""
    preview = workflow("preview.yml")["jobs"]
    result = preview["result"]
    assert result["name"] == "Preview result"
    assert set(result["needs"]) == set(preview) - {"result"}
    assert result["if"] == "always()"
    [check] = result["steps"]
    assert check["env"] == {"RESULTS": "${{ join(needs.*.result, ' ') }}"}
    for results, expected in (("success skipped success skipped", 0), ("success failure", 1), ("cancelled", 1)):
        run = subprocess.run(["bash", "-eo", "pipefail", "-c", check["run"]], env={"RESULTS": results}, check=False)
        assert run.returncode == expected, results


def test_matrix_jobs_are_skipped_when_no_stack_changed() -> None:
    """An empty matrix is an error in GitHub Actions, so every stack matrix is guarded."""
    for name, job_id, job in jobs():
        matrix = job.get("strategy", {}).get("matrix", {})
        if "stack" in matrix:
            source = re.search(r"needs\.(\w+)\.outputs\.stacks", matrix["stack"]).group(0)
            assert f"{source} != '[]'" in job["if"], f"{name}:{job_id}"


def test_the_pulumi_cli_matches_the_sdk_pinned_in_requirements() -> None:
    version = requirements_pulumi_version()
    for name, job_id, job in jobs():
        for step in steps_using(job, "pulumi/actions"):
            assert step["with"] == {"pulumi-version": version}, f"{name}:{job_id}"


@pytest.mark.slow
def test_every_shell_script_is_shellcheck_clean() -> None:
    scripts = [
        (f"{name}:{job_id}", "bash", step["run"])
        for name, job_id, job in jobs()
        for step in job["steps"]
        if "run" in step
    ]
    failures = shellcheck_failures(scripts)
    assert not failures, "\n".join(failures)


def test_the_daily_workflow_checks_model_retirements_without_credentials() -> None:
    """`make calendar` fails 90 days before a pinned model retires: daily, so no pull request waits on it."""
    drift = workflow("drift.yml")
    job = drift["jobs"]["calendar"]
    assert "schedule" in drift["on"]
    assert job["steps"][-1] == {"run": "make calendar"}
    assert job["permissions"] == {"contents": "read"}


# --- the pull request's comment and the drift issues (tools/review) ----------------------------------------------

REVIEW_RECORD = 'python3 -m tools.review record --stack "$STACK" --kind {kind} --exit-code "$code"'


def test_both_previews_record_their_result_whatever_it_was_and_upload_it() -> None:
    jobs_ = workflow("preview.yml")["jobs"]
    for kind, job_id in (("offline", "offline-preview"), ("cloud", "cloud-preview")):
        steps = jobs_[job_id]["steps"]
        [record] = [s for s in steps if "tools.review record" in s.get("run", "")]
        upload = steps_using(jobs_[job_id], "actions/upload-artifact")[-1]
        assert steps[-2:] == [record, upload], f"{job_id}: record and upload come last"
        assert record["if"] == upload["if"] == "always()"
        assert REVIEW_RECORD.format(kind=kind) in record["run"] and "--output preview.txt --dir review" in record["run"]
        assert record["env"]["PULL_REQUEST"] == "${{ github.event.pull_request.number }}"
        assert upload["with"]["name"] == f"review-{kind}-${{{{ matrix.stack }}}}"
        assert upload["with"]["path"] == "review/"


def test_the_comment_workflow_never_runs_the_pull_requests_code() -> None:
    """It holds a write token: it runs the default branch's tools on the artifacts, as data, and nothing else."""
    comment = workflow("preview-comment.yml")
    assert comment["on"] == {"workflow_run": {"workflows": ["Preview"], "types": ["completed"]}}
    assert workflow("preview.yml")["name"] == "Preview"
    [job] = comment["jobs"].values()
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    [checkout] = steps_using(job, "actions/checkout")
    assert checkout["with"] == {"ref": "${{ github.event.repository.default_branch }}", "persist-credentials": False}
    [download] = steps_using(job, "actions/download-artifact")
    assert download["with"] == {
        "pattern": "review-*",
        "path": "${{ runner.temp }}/review",
        "run-id": "${{ github.event.workflow_run.id }}",
        "github-token": "${{ github.token }}",
    }
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert uses == ["actions/checkout", "actions/download-artifact"]
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert len(runs) == 1 and "make" not in runs[0] and ".venv" not in runs[0] and "pip" not in runs[0]
    assert (
        'python3 -m tools.review comment --forge github --dir "$RUNNER_TEMP/review" --head-sha "$HEAD_SHA"' in runs[0]
    )
    [step] = [s for s in job["steps"] if "run" in s]
    assert step["env"] == {
        "GITHUB_TOKEN": "${{ github.token }}",
        "HEAD_SHA": "${{ github.event.workflow_run.head_sha }}",
    }
    assert "secrets." not in json.dumps(comment) and "head_branch }}" not in json.dumps(job)


def test_drift_keeps_one_issue_per_stack_from_a_job_without_cloud_credentials() -> None:
    drift = workflow("drift.yml")["jobs"]
    [check] = [s for s in drift["drift"]["steps"] if "pulumi preview" in s.get("run", "")]
    assert check["run"].rstrip().endswith('exit "$status"')  # the drift job stays red when the stack drifted
    [upload] = steps_using(drift["drift"], "actions/upload-artifact")
    assert upload["if"] == "always()" and upload["with"]["name"] == "drift-${{ matrix.stack }}"
    issues = drift["issues"]
    assert set(issues["needs"]) == {"stacks", "drift"} and issues["if"].startswith("always()")
    assert not steps_using(issues, "google-github-actions/auth") and "secrets." not in json.dumps(issues)
    [download] = steps_using(issues, "actions/download-artifact")
    assert download["with"]["pattern"] == "drift-*"
    [step] = [s for s in issues["steps"] if "run" in s]
    assert "python3 -m tools.review drift --forge github --stack" in step["run"]
    assert step["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
