"""The GitLab CI pipeline (.gitlab-ci.yml, .gitlab/ci/templates.yml, and the apply child pipeline that
tools/gitlab_apply.py writes per push): valid, and safe in the ways a reviewer checks.

The jobs judged are the ones GitLab would run: includes merged and templates extended (tests/gitlab_config.py).
The apply child pipeline is written here for the suite's own stacks (tests/stacks/), exactly as the
`changed-stacks` job writes it, and judged like the rest: valid against GitLab's schema offline, each stack
one job with the deployer's own ID token, its own resource group shared with `destroy`, never interrupted,
retried once, with the policy pack. A repository that runs only GitHub Actions has deleted these files
(docs/gitops.md, step 2): then these tests are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from claude_vertex.render import ci_snippets

from tests.fixture_stacks import FIXTURES
from tests.gitlab_config import DEFAULT_STAGE, compose, expand, resolved, script_lines, visible_jobs
from tests.pipelines import (
    GITLAB_CI,
    HAS_GITLAB,
    NO_GITLAB,
    ROOT,
    check_jsonschema,
    requirements_pulumi_version,
    shellcheck_failures,
)
from tools.preview import available_stacks

if not HAS_GITLAB:  # before importing the generator: a GitHub-only repository may have deleted it too
    pytest.skip(NO_GITLAB, allow_module_level=True)

from tools import gitlab_apply

TEMPLATES = ROOT / gitlab_apply.TEMPLATE_FILE
STACKS = available_stacks(FIXTURES)
PREVIEWER = ("GCP_WIF_PROVIDER_PREVIEW", "GCP_PREVIEW_SERVICE_ACCOUNT")
DEPLOYER = ("GCP_WIF_PROVIDER_APPLY", "GCP_DEPLOY_SERVICE_ACCOUNT")
APPLY = 'pulumi up --yes --refresh --stack "$STACK"'


def parent() -> dict[str, Any]:
    return compose(GITLAB_CI.read_text(), ROOT)


def child(stacks: list[str]) -> dict[str, Any]:
    """The apply child pipeline for `stacks`, composed as GitLab composes it at the pipeline's commit."""
    return compose(gitlab_apply.render(stacks), ROOT)


def written_child(tmp_path: Path, stacks: list[str]) -> Path:
    path = tmp_path / f"apply-{len(stacks)}.yml"
    path.write_text(gitlab_apply.render(stacks))
    return path


def identity(job: dict[str, Any]) -> tuple[str, str] | None:
    """The (provider, account) variables a job exchanges its ID token for; None when it gets no token."""
    if "id_tokens" not in job:
        return None
    [(token, claims)] = job["id_tokens"].items()
    assert token == "GCP_ID_TOKEN"
    provider = re.fullmatch(r"https://iam\.googleapis\.com/\$\{(\w+)\}", claims["aud"]).group(1)
    account = job["variables"]["GCP_SERVICE_ACCOUNT"].removeprefix("$")
    assert job["variables"]["GCP_WIF_PROVIDER"] == f"${provider}", "the token's audience is the provider it is for"
    return provider, account


# --- the files are what GitLab accepts ----------------------------------------------------------------


@pytest.mark.slow
def test_every_file_and_the_written_child_pipelines_validate_against_the_gitlab_schema_offline(tmp_path: Path) -> None:
    children = [written_child(tmp_path, STACKS), written_child(tmp_path, [])]
    result = check_jsonschema("vendor.gitlab-ci", GITLAB_CI, TEMPLATES, *children)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_schema_check_does_reject_a_broken_child_pipeline(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(gitlab_apply.render(STACKS).replace('"extends"', '"extend"'))
    assert check_jsonschema("vendor.gitlab-ci", broken).returncode == 1


def test_every_job_runs_in_a_stage_its_pipeline_declares() -> None:
    for pipeline in (parent(), child(STACKS), child([])):
        for name, job in visible_jobs(pipeline).items():
            assert job.get("stage", DEFAULT_STAGE) in pipeline["stages"], name


@pytest.mark.slow
def test_every_shell_script_is_shellcheck_clean() -> None:
    jobs = {**visible_jobs(parent()), **visible_jobs(child(STACKS)), **visible_jobs(child([]))}
    scripts = [(name, "sh", "\n".join(script_lines(job))) for name, job in jobs.items() if "trigger" not in job]
    failures = shellcheck_failures(scripts)
    assert not failures, "\n".join(failures)


def test_the_pulumi_cli_matches_the_sdk_pinned_in_requirements() -> None:
    for pipeline in (parent(), child(STACKS)):
        assert pipeline["variables"]["PULUMI_VERSION"] == requirements_pulumi_version()


def test_the_stack_diff_sees_full_history() -> None:
    assert parent()["variables"]["GIT_DEPTH"] == "0"


# --- identities ---------------------------------------------------------------------------------------


def test_only_the_cloud_jobs_get_an_id_token_each_for_its_own_identity() -> None:
    jobs = {**visible_jobs(parent()), **visible_jobs(child(STACKS))}
    expected = {
        "cloud-preview": PREVIEWER,
        "drift": PREVIEWER,
        "destroy": DEPLOYER,
        **{gitlab_apply.job_name(stack): DEPLOYER for stack in STACKS},
    }
    assert {name: identity(job) for name, job in jobs.items()} == {name: expected.get(name) for name in jobs}


def test_cloud_preview_is_for_merge_requests_from_this_project_only() -> None:
    [rule] = visible_jobs(parent())["cloud-preview"]["rules"]
    assert '$CI_PIPELINE_SOURCE == "merge_request_event"' in rule["if"]
    assert "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID" in rule["if"]


def test_gitlab_writes_the_same_credential_configuration_as_gcloud_would() -> None:
    """The external_account file every cloud job writes, variables filled in, is the documented shape."""
    script = "\n".join(script_lines(visible_jobs(parent())["drift"]))
    body = re.search(r"<<EOF\n(.*?)\nEOF", script, re.S).group(1)
    provider = "projects/1/locations/global/workloadIdentityPools/claude-vertex-apply/providers/gitlab"
    values = {"GCP_WIF_PROVIDER": provider, "GCP_SERVICE_ACCOUNT": "d@p.iam.gserviceaccount.com", "GCP_CRED_DIR": "/t"}
    filled = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], body)
    assert json.loads(filled) == ci_snippets.external_account_credentials(
        provider, "d@p.iam.gserviceaccount.com", "/t/oidc-token.jwt"
    )
    assert 'export GOOGLE_APPLICATION_CREDENTIALS="$GCP_CRED_DIR/credentials.json"' in script


# --- apply: a child pipeline with one job per changed stack -------------------------------------------


def test_a_push_to_the_default_branch_runs_the_child_pipeline_that_changed_stacks_wrote() -> None:
    jobs = visible_jobs(parent())
    trigger = jobs["apply"]
    [rule] = trigger["rules"]
    assert rule["if"] == (
        '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push" && $GCP_WIF_PROVIDER_APPLY'
    )
    [include] = trigger["trigger"]["include"]
    assert trigger["trigger"]["strategy"] == "depend"  # the push's pipeline fails when an apply fails
    writer = jobs[include["job"]]
    assert include["job"] in trigger["needs"] and "offline-preview" in trigger["needs"]
    assert include["artifact"] in writer["artifacts"]["paths"]
    assert f"python3 -m tools.gitlab_apply stacks.txt > {include['artifact']}" in script_lines(writer)


def test_each_stack_is_one_apply_job_that_only_extends_the_reviewed_template() -> None:
    written = json.loads(gitlab_apply.render(STACKS).split("\n", 1)[1])
    assert written.pop("include") == [{"local": gitlab_apply.TEMPLATE_FILE}]
    assert written.pop("stages") == [gitlab_apply.STAGE]
    assert written == {
        gitlab_apply.job_name(stack): {"extends": ".apply", "variables": {"STACK": stack}} for stack in STACKS
    }


@pytest.mark.parametrize("stack", STACKS)
def test_an_apply_job_runs_for_its_stack_only_serialised_with_destroy_and_never_interrupted(stack: str) -> None:
    job = visible_jobs(child(STACKS))[gitlab_apply.job_name(stack)]
    assert job["variables"]["STACK"] == stack
    assert expand(job["resource_group"], job["variables"]) == f"claude-vertex-apply-{stack}"
    assert visible_jobs(parent())["destroy"]["resource_group"] == "claude-vertex-apply-$DESTROY_STACK"
    assert job["interruptible"] is False
    assert job["environment"] == "claude-vertex"
    assert job["timeout"] == "60m"
    [rule] = job["rules"]
    assert rule["if"] == (
        '$CI_PIPELINE_SOURCE == "parent_pipeline" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $GCP_WIF_PROVIDER_APPLY'
    )
    script = "\n".join(script_lines(job))
    assert script.count(APPLY) == 2 and "sleep" in script  # one retry after a pause, no more
    assert "--policy-pack policies" in script
    assert script.index("GCP_CRED_DIR") < script.index(APPLY)


def test_without_a_changed_stack_the_child_pipeline_applies_nothing_and_still_runs() -> None:
    """GitLab refuses a child pipeline without a job, which would fail the push's pipeline."""
    [(name, job)] = visible_jobs(child([])).items()
    assert name == gitlab_apply.NOTHING_TO_APPLY
    assert identity(job) is None and "resource_group" not in job
    assert all("pulumi" not in line for line in script_lines(job))


def test_destroy_is_by_hand_for_one_valid_stack_name() -> None:
    destroy = visible_jobs(parent())["destroy"]
    [rule] = destroy["rules"]
    assert rule["when"] == "manual"
    assert '$CI_PIPELINE_SOURCE == "web"' in rule["if"] and "$GCP_WIF_PROVIDER_APPLY" in rule["if"]
    assert destroy["interruptible"] is False and destroy["environment"] == "claude-vertex"
    # Not even created (nor its resource group named) for anything but a stack name.
    pattern = re.compile(re.search(r"\$DESTROY_STACK =~ /(.+?)/ ", rule["if"]).group(1))
    assert [name for name in ("payments", "team-2.b", "X_y") if not pattern.search(name)] == []
    assert [name for name in ("", "-x", ".x", "a b", "a;b", "$(id)", "a/b") if pattern.search(name)] == []


# --- the generator refuses what is not a stack name ---------------------------------------------------


def run_generator(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    listing = tmp_path / "stacks.txt"
    listing.write_bytes(content)
    code = gitlab_apply.main([str(listing)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "content",
    [
        b"dev\n$(id)\n",
        b"a b\n",
        b"-x\n",
        b".apply\n",
        b"a;b\n",
        b"dev\n\npayments\n",
        b"dev\ndev\n",
        b"x" * 101 + b"\n",
        b"caf\xe9\n",
    ],
    ids=["command", "space", "dash", "hidden-job", "semicolon", "blank-line", "twice", "too-long", "latin-1"],
)
def test_a_list_with_anything_but_stack_names_writes_nothing(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_generator(tmp_path, content, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("gitlab_apply: ") and err.count("\n") == 1


def test_what_changed_stacks_prints_is_what_it_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for stacks in ([], STACKS):
        code, out, _ = run_generator(tmp_path, "".join(f"{s}\n" for s in stacks).encode(), capsys)
        assert (code, out) == (0, gitlab_apply.render(stacks))


@pytest.mark.slow
def test_the_changed_stacks_job_writes_one_apply_job_per_stack_the_push_changed(tmp_path: Path) -> None:
    """The job's own script, run in a scratch clone for a push that changes one team's stack file."""
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    for name in ("__init__.py", "changed_stacks.py", "gitlab_apply.py"):
        (repo / "tools" / name).write_text((ROOT / "tools" / name).read_text())
    for stack in STACKS:
        (repo / f"Pulumi.{stack}.yaml").write_text("config: {}\n")

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
        return done.stdout.strip()

    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "empty")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    before = git("rev-parse", "HEAD")
    (repo / f"Pulumi.{STACKS[-1]}.yaml").write_text("config: {changed: true}\n")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "one team")

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "CI_PIPELINE_SOURCE": "push",
        "CI_COMMIT_BEFORE_SHA": before,
        "CI_COMMIT_SHA": git("rev-parse", "HEAD"),
    }
    job = visible_jobs(parent())["changed-stacks"]
    script = "set -e\n" + "\n".join(script_lines(job))
    done = subprocess.run(["sh", "-c", script], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    [artifact] = [p for p in job["artifacts"]["paths"] if p != "stacks.txt"]
    written = compose((repo / artifact).read_text(), ROOT)
    assert list(visible_jobs(written)) == [gitlab_apply.job_name(STACKS[-1])]
    assert resolved(written, gitlab_apply.job_name(STACKS[-1]))["variables"]["STACK"] == STACKS[-1]


def test_the_scheduled_pipeline_checks_model_retirements_without_credentials() -> None:
    """`make calendar` fails 90 days before a pinned model retires: scheduled, so no merge request waits on it."""
    job = visible_jobs(parent())["calendar"]
    assert script_lines(job)[-1] == "make calendar"
    assert [rule["if"] for rule in job["rules"]] == ['$CI_PIPELINE_SOURCE == "schedule"']
    assert identity(job) is None
