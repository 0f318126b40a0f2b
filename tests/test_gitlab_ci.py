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
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from claude_vertex.render import ci_snippets

from tests import gitlab_job_runner
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
from tests.yaml12 import load_yaml12
from tools.preview import available_stacks

if not HAS_GITLAB:  # before importing the generator: a GitHub-only repository may have deleted it too
    pytest.skip(NO_GITLAB, allow_module_level=True)

from tools import gitlab_apply, gitlab_plans

TEMPLATES = ROOT / gitlab_apply.TEMPLATE_FILE
STACKS = available_stacks(FIXTURES)
PREVIEWER = ("GCP_WIF_PROVIDER_PREVIEW", "GCP_PREVIEW_SERVICE_ACCOUNT")
DEPLOYER = ("GCP_WIF_PROVIDER_APPLY", "GCP_DEPLOY_SERVICE_ACCOUNT")
APPLY = 'pulumi up --yes --refresh --stack "$apply_ref"'


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
        "reapply-preview": PREVIEWER,
        "reapply": DEPLOYER,
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
    # The reviewed plan is fetched first, then applied; the job's own script is nothing else.
    assert job["script"] == ['python3 -m tools.gitlab_plans --stack "$STACK" --dir plans', "apply_reviewed"]


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


# --- plans applied as reviewed ------------------------------------------------------------------------

POLICY = "--policy-pack policies"


def own_script(job: dict[str, Any]) -> str:
    """The job's own script, without the before_script it shares."""
    return "\n".join(line for item in job.get("script", []) for line in ([item] if isinstance(item, str) else item))


def test_the_cloud_preview_saves_each_stacks_plan_and_keeps_plans_and_records_whatever_the_result() -> None:
    job = visible_jobs(parent())[gitlab_plans.PREVIEW_JOB]
    assert 'preview_saving_plan "$stack" "$@"' in own_script(job)
    assert job["artifacts"]["when"] == "always"
    assert f"{gitlab_plans.PLAN_DIR}/" in job["artifacts"]["paths"] and "review/" in job["artifacts"]["paths"]
    functions = gitlab_job_runner.functions(parent())
    assert '--refresh --save-plan "plans/$plan_stack.json"' in functions  # the state as the apply will refresh it


@pytest.mark.slow
def test_the_cloud_preview_leaves_a_plan_per_deployed_stack_a_marker_per_new_one_and_no_plan_of_a_failure(
    tmp_path: Path,
) -> None:
    job = visible_jobs(parent())["cloud-preview"]
    run = gitlab_job_runner.run_job(
        parent(),
        job,
        tmp_path / "w",
        {"STUB_MISSING": "fresh", "STUB_PREVIEW_FAILS": "broken"},
        stacks=["payments", "fresh", "broken"],
    )
    assert run.code == 1  # one preview failed: the job fails, after previewing and recording every stack
    plans = sorted(p.name for p in (run.workdir / "plans").iterdir())
    assert plans == ["fresh.new", "payments.json"]
    records = [call for call in run.calls if call.startswith("python3 -m tools.review")]
    assert [record_args(call) for call in records] == [
        ("payments", "cloud", "0"),
        ("fresh", "cloud", "0"),
        ("broken", "cloud", "1"),
    ]
    previews = [call for call in run.calls if call.startswith("pulumi preview")]
    assert all(POLICY in call and "--refresh" in call for call in previews) and len(previews) == 2


def record_args(call: str) -> tuple[str, str, str]:
    """(stack, kind, exit code) of a `tools.review record` call, parsed as the review contract declares it."""
    args = contract().parse_args(call.split()[3:] if call.split()[2] == "tools.review" else call.split())
    assert args.command == "record" and args.dir == "review/" and args.output
    return args.stack, args.kind, args.exit_code


def contract() -> Any:
    """The review tool's command line as COMMON.md's contract declares it (tools/review implements it)."""
    import argparse

    parser = argparse.ArgumentParser(exit_on_error=False)
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record", exit_on_error=False)
    record.add_argument("--stack", required=True)
    record.add_argument("--kind", required=True, choices=["offline", "cloud"])
    record.add_argument("--exit-code", required=True)
    record.add_argument("--output", required=True)
    record.add_argument("--dir", required=True)
    comment = commands.add_parser("comment", exit_on_error=False)
    comment.add_argument("--forge", required=True, choices=["github", "gitlab"])
    comment.add_argument("--dir", required=True)
    drift = commands.add_parser("drift", exit_on_error=False)
    drift.add_argument("--forge", required=True, choices=["github", "gitlab"])
    drift.add_argument("--stack", required=True)
    drift.add_argument("--exit-code", required=True)
    drift.add_argument("--output", required=True)
    return parser


def test_every_review_command_in_the_pipeline_is_one_the_review_contract_accepts() -> None:
    import shlex

    calls = []
    for name, job in visible_jobs(parent()).items():
        for line in own_script(job).splitlines():
            if "python3 -m tools.review " in line:
                words = shlex.split(line.strip().split("python3 -m tools.review ", 1)[1].split(" || ")[0])
                args = contract().parse_args(words)
                if args.command != "record":
                    assert args.forge == "gitlab", name
                calls.append((name, args.command))
    assert sorted(calls) == [
        ("cloud-preview", "record"),
        ("drift", "drift"),
        ("offline-preview", "record"),
        ("review-note", "comment"),
    ]


@pytest.mark.slow
def test_the_offline_preview_records_each_stack_whatever_its_exit_code_and_keeps_review(tmp_path: Path) -> None:
    job = visible_jobs(parent())["offline-preview"]
    assert job["artifacts"] == {"when": "always", "paths": ["review/"], "expire_in": "30 days"}
    run = gitlab_job_runner.run_job(
        parent(), job, tmp_path / "w", {"STUB_OFFLINE_FAILS": "research"}, stacks=["payments", "research"]
    )
    assert run.code == 1
    records = [call for call in run.calls if call.startswith("python3 -m tools.review")]
    assert [record_args(call) for call in records] == [("payments", "offline", "0"), ("research", "offline", "1")]


@pytest.mark.parametrize(
    ("fetched", "missing", "up_codes", "expected_code", "expected"),
    [
        ("plan", "", "0", 0, ["pulumi stack select --stack payments", "pulumi up * --plan plans/payments.json"]),
        (
            "plan",
            "",
            "1,0",
            0,
            ["pulumi stack select", "pulumi up * --plan plans/payments.json", "pulumi up * --plan plans/payments.json"],
        ),
        (
            "plan",
            "",
            "1,1",
            1,
            ["pulumi stack select", "pulumi up * --plan plans/payments.json", "pulumi up * --plan plans/payments.json"],
        ),
        ("plan", "payments", "0", 1, ["pulumi stack select --stack payments"]),
        (
            "new",
            "payments",
            "0",
            0,
            ["pulumi stack init --stack payments --secrets-provider gcpkms://k", "pulumi up *"],
        ),
        ("new", "", "0", 1, ["pulumi stack init --stack payments --secrets-provider gcpkms://k"]),
        ("refuse", "", "0", 1, []),
    ],
    ids=[
        "plan",
        "plan-retried-once",
        "plan-fails-twice",
        "plan-but-stack-gone",
        "new-stack",
        "new-but-exists-now",
        "no-reviewed-plan",
    ],
)
@pytest.mark.slow
def test_an_apply_job_applies_exactly_the_reviewed_plan_or_nothing(
    fetched: str, missing: str, up_codes: str, expected_code: int, expected: list[str], tmp_path: Path
) -> None:
    """What the apply does with what tools/gitlab_plans.py found; the retry keeps the same plan."""
    config = child(STACKS)
    job = visible_jobs(config)[gitlab_apply.job_name(STACKS[0])]
    env = {
        "STACK": "payments",
        "STUB_FETCH": fetched,
        "STUB_MISSING": missing,
        "STUB_UP_RCS": up_codes,
        "PULUMI_SECRETS_PROVIDER": "gcpkms://k",
    }
    run = gitlab_job_runner.run_job(config, job, tmp_path / "w", env)
    assert run.code == expected_code, run.output
    pulumi_calls = [call for call in run.calls if call.startswith("pulumi")]
    assert len(pulumi_calls) == len(expected), pulumi_calls
    for call, pattern in zip(pulumi_calls, expected, strict=True):
        assert fnmatch(call, pattern + "*"), (call, pattern)
    ups = [call for call in pulumi_calls if call.startswith("pulumi up")]
    assert all(POLICY in call and "--refresh" in call for call in ups)
    if fetched == "new":
        assert not any("--plan" in call for call in ups)  # the offline preview was its plan
    assert run.calls[0] == "python3 -m tools.gitlab_plans --stack payments --dir plans"


def test_the_apply_retries_once_after_a_minute() -> None:
    functions = gitlab_job_runner.functions(parent())
    assert "pause=60" in functions and functions.count('sleep "$pause"') == 1


@pytest.mark.slow
def test_a_plan_committed_to_the_repository_is_never_applied(tmp_path: Path) -> None:
    work = tmp_path / "w"
    (work / "plans").mkdir(parents=True)
    (work / "plans" / "payments.json").write_text("{}")
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "add", "plans"], check=True)
    reapply = visible_jobs(parent())["reapply"]
    run = gitlab_job_runner.run_job(parent(), reapply, work, {"STACK": "payments"})
    assert run.code == 1 and "plans/ is tracked in git" in run.output
    assert not [call for call in run.calls if call.startswith("pulumi")]


def test_the_apply_finds_the_plans_where_the_cloud_preview_keeps_them() -> None:
    jobs = visible_jobs(parent())
    assert gitlab_plans.PREVIEW_JOB in jobs
    assert f"{gitlab_plans.PLAN_DIR}/" in jobs[gitlab_plans.PREVIEW_JOB]["artifacts"]["paths"]
    assert '[ -f "plans/$STACK.json" ]' in gitlab_job_runner.functions(parent())
    assert gitlab_plans.plan_file("payments") == "payments.json"
    assert gitlab_plans.new_stack_file("payments") == "payments.new"


def test_a_reapply_is_a_preview_then_a_manual_apply_of_exactly_its_plan() -> None:
    jobs = visible_jobs(parent())
    preview, apply = jobs["reapply-preview"], jobs["reapply"]
    [preview_rule] = preview["rules"]
    [apply_rule] = apply["rules"]
    assert apply_rule["when"] == "manual" and "when" not in preview_rule
    assert apply_rule["if"] == preview_rule["if"] and '$CI_PIPELINE_SOURCE == "web"' in apply_rule["if"]
    assert apply["needs"] == ["reapply-preview"] and preview["artifacts"]["paths"] == ["plans/"]
    assert apply["script"] == ["apply_reviewed"]  # no download: the plan is the preview's, in this pipeline
    assert preview["variables"]["STACK"] == apply["variables"]["STACK"] == "$APPLY_STACK"
    assert apply["resource_group"] == jobs["destroy"]["resource_group"].replace("DESTROY", "APPLY")
    assert apply["interruptible"] is False and apply["environment"] == "claude-vertex"
    pattern = re.compile(re.search(r"\$APPLY_STACK =~ /(.+?)/ ", apply_rule["if"]).group(1))
    assert [name for name in ("", "-x", "a b", "$(id)", "a/b") if pattern.search(name)] == []


@pytest.mark.slow
def test_a_reapply_preview_of_a_stack_without_a_stack_file_stops(tmp_path: Path) -> None:
    job = visible_jobs(parent())["reapply-preview"]
    run = gitlab_job_runner.run_job(parent(), job, tmp_path / "w", {"STACK": "ghost", "CI_COMMIT_BRANCH": "main"})
    assert run.code == 1 and "There is no Pulumi.ghost.yaml" in run.output and run.calls == []


# --- one note per merge request; one issue per drifted stack ------------------------------------------


def test_the_note_job_runs_after_both_previews_whatever_they_did_for_this_projects_merge_requests_only() -> None:
    job = visible_jobs(parent())["review-note"]
    [rule] = job["rules"]
    assert rule == {
        "if": '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID',
        "when": "always",
    }
    assert job["needs"] == [{"job": "offline-preview"}, {"job": "cloud-preview", "optional": True}]
    assert identity(job) is None and job.get("stage") == "review"
    assert parent()["stages"].index("review") > parent()["stages"].index("preview")


@pytest.mark.slow
@pytest.mark.parametrize("token", ["", "glpat-x"])
def test_the_note_job_posts_with_the_token_or_says_it_is_not_configured(token: str, tmp_path: Path) -> None:
    job = visible_jobs(parent())["review-note"]
    run = gitlab_job_runner.run_job(parent(), job, tmp_path / "w", {"CLAUDE_VERTEX_GITLAB_TOKEN": token})
    assert run.code == 0
    if token:
        assert run.calls == ["python3 -m tools.review comment --forge gitlab --dir review/"]
    else:
        assert run.calls == [] and "CLAUDE_VERTEX_GITLAB_TOKEN is not set: no merge request note" in run.output


@pytest.mark.slow
@pytest.mark.parametrize("token", ["", "glpat-x"])
def test_the_drift_job_reports_each_stack_to_its_issue_when_it_can(token: str, tmp_path: Path) -> None:
    job = visible_jobs(parent())["drift"]
    env = {"CLAUDE_VERTEX_GITLAB_TOKEN": token, "STUB_PREVIEW_FAILS": "research"}
    run = gitlab_job_runner.run_job(parent(), job, tmp_path / "w", env, stacks=["payments", "research"])
    assert run.code == 1  # drift still turns the scheduled pipeline red
    reports = [call.split()[3:] for call in run.calls if call.startswith("python3 -m tools.review")]
    if token:
        parsed = [contract().parse_args(words) for words in reports]
        assert [(a.command, a.forge, a.stack, a.exit_code) for a in parsed] == [
            ("drift", "gitlab", "payments", "0"),
            ("drift", "gitlab", "research", "1"),
        ]
    else:
        assert reports == [] and "drift opens no issues" in run.output


def test_no_job_that_sees_a_credential_runs_a_forks_merge_request() -> None:
    """The note token and the ID tokens reach merge request pipelines of this project's branches only."""
    for name, job in {**visible_jobs(parent()), **visible_jobs(child(STACKS))}.items():
        if identity(job) is None and "CLAUDE_VERTEX_GITLAB_TOKEN" not in own_script(job):
            continue
        for rule in job.get("rules", []):
            if "merge_request_event" in rule["if"]:
                assert "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID" in rule["if"], name


# --- stacks qualified with the Pulumi Cloud organization -----------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stack", "env", "code", "printed"),
    [
        ("payments", {}, 0, "payments"),
        ("payments", {"PULUMI_ORG": "acme", "PULUMI_BACKEND_URL": "https://api.pulumi.com"}, 0, "acme/payments"),
        ("payments", {"PULUMI_ORG": "acme"}, 0, "acme/payments"),
        ("payments", {"PULUMI_ORG": "acme", "PULUMI_BACKEND_URL": "gs://state"}, 2, "self-managed backend"),
        ("payments", {"PULUMI_ORG": "ac me"}, 2, "PULUMI_ORG is not an organization name"),
        ("payments", {"PULUMI_ORG": "$(id)"}, 2, "PULUMI_ORG is not an organization name"),
        ("a/b", {}, 2, "is not a stack name"),
    ],
    ids=["unset", "cloud", "cloud-default-url", "gcs", "space", "command", "bad-stack"],
)
def test_stack_ref_qualifies_with_the_organization_only_where_one_exists(
    stack: str, env: dict[str, str], code: int, printed: str
) -> None:
    script = gitlab_job_runner.functions(parent()) + f'\nstack_ref "{stack}"'
    done = subprocess.run(
        ["sh", "-c", script], env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True, check=False
    )
    assert done.returncode == code
    assert printed in (done.stdout if code == 0 else done.stderr)
    if code == 0:
        assert done.stdout == f"{printed}\n"


def test_every_pulumi_command_names_its_stack_through_stack_ref() -> None:
    """One definition: no job passes a bare stack name to pulumi, and every job that runs pulumi defines it."""
    config = {**visible_jobs(parent()), **visible_jobs(child(STACKS))}
    functions = gitlab_job_runner.functions(parent())
    assigned = set(re.findall(r"(\w+)=\$\(stack_ref ", functions))
    assert assigned == {"plan_ref", "apply_ref"}
    texts = {name: own_script(job) for name, job in config.items()} | {"pulumi-functions": functions}
    for name, text in texts.items():
        local = assigned | set(re.findall(r"(\w+)=\$\(stack_ref ", text))
        for match in re.finditer(r"pulumi [^\n]*?--stack (\S+)", text):
            assert match.group(1).strip('"').removeprefix("$") in local, (name, match.group(0))
        if "pulumi " in text and name != "pulumi-functions":
            assert functions in script_lines(config[name]), name
    assert len(re.findall(r"^\s*stack_ref\(\) \{", functions, re.M)) == 1


@pytest.mark.slow
def test_with_an_organization_every_job_selects_the_qualified_stack(tmp_path: Path) -> None:
    env = {
        "PULUMI_ORG": "acme",
        "PULUMI_BACKEND_URL": "https://api.pulumi.com",
        "STUB_MISSING": "fresh",
        "STUB_FETCH": "plan",
        "STACK": "payments",
        "DESTROY_STACK": "payments",
        "CLAUDE_VERTEX_GITLAB_TOKEN": "t",
    }
    jobs = {**visible_jobs(parent()), **visible_jobs(child(STACKS))}
    names = ["cloud-preview", "drift", "destroy", gitlab_apply.job_name(STACKS[0])]
    for name in names:
        config = child(STACKS) if name.startswith("apply:") else parent()
        run = gitlab_job_runner.run_job(
            config, jobs[name], tmp_path / name.replace(":", "-"), env, stacks=["payments", "fresh"]
        )
        stacked = [call for call in run.calls if call.startswith("pulumi") and "--stack" in call]
        assert stacked, name
        assert all(re.search(r"--stack acme/(payments|fresh)\b", call) for call in stacked), (name, stacked)


# --- Renovate keeps the GitLab pipeline's pins fresh ---------------------------------------------------

RENOVATE = ROOT / ".gitlab" / "renovate.json"


def renovate() -> dict[str, Any]:
    return json.loads(RENOVATE.read_text())


def renovate_schema() -> dict[str, Any]:
    """Renovate's own schema, as check-jsonschema vendors it (no network)."""
    from importlib.resources import files

    return json.loads((files("check_jsonschema.builtin_schemas.vendor") / "renovate.json").read_text())


def renovate_regex(pattern: str) -> re.Pattern[str]:
    """A Renovate `/regex/` file pattern or match string (RE2 named groups) as a Python pattern."""
    return re.compile(pattern.removeprefix("/").removesuffix("/").replace("(?<", "(?P<"))


@pytest.mark.slow
def test_the_renovate_config_is_valid_against_renovates_schema_offline(tmp_path: Path) -> None:
    assert check_jsonschema("vendor.renovate", RENOVATE).returncode == 0
    broken = tmp_path / "renovate.json"
    broken.write_text(json.dumps({**renovate(), "enabledManagers": ["gitlab-ci"]}))
    assert check_jsonschema("vendor.renovate", broken).returncode == 1  # the check can fail


def test_every_renovate_option_used_is_one_renovate_documents() -> None:
    """Renovate's schema lets unknown keys through; a misspelt option would be silently ignored, so check them."""
    definitions = renovate_schema()["definitions"]
    config = renovate()
    assert set(config) - {"$schema"} <= set(renovate_schema()["properties"])
    [rule_schema] = definitions["packageRules"]["items"]["allOf"]
    for rule in config["packageRules"]:
        assert set(rule) <= set(rule_schema["properties"]), rule
    manager_schema = definitions["customManagers"]["items"]["allOf"][0]
    for manager in config["customManagers"]:
        assert set(manager) <= set(manager_schema["properties"]), manager


def test_renovate_updates_the_pulumi_cli_the_jobs_download_together_with_the_sdk_pin() -> None:
    config = renovate()
    [manager] = config["customManagers"]
    templates = TEMPLATES.relative_to(ROOT).as_posix()
    assert any(renovate_regex(p).search(templates) for p in manager["managerFilePatterns"])
    [pattern] = manager["matchStrings"]
    found = [m.group("currentValue") for m in renovate_regex(pattern).finditer(TEMPLATES.read_text())]
    assert found == [requirements_pulumi_version()]  # exactly the one pin, today's value
    assert (manager["depNameTemplate"], manager["datasourceTemplate"]) == ("pulumi", "pypi")
    [group] = [rule for rule in config["packageRules"] if "groupName" in rule]
    assert group["matchPackageNames"] == ["pulumi"]  # the CLI above and requirements' pulumi== in one request


def test_renovate_reads_both_pip_pin_files_and_the_job_image() -> None:
    config = renovate()
    assert set(config["enabledManagers"]) == {"gitlabci", "pip_requirements", "custom.regex"}
    definitions = renovate_schema()["definitions"]
    [pip_files] = definitions["pip_requirements"]["default"]["managerFilePatterns"]
    for path in ("requirements.txt", "policies/requirements.txt"):
        assert renovate_regex(pip_files).search(path), path
        pins = re.findall(r"^([A-Za-z0-9_.\[\]-]+)==", (ROOT / path).read_text(), re.M)
        assert "pulumi" in pins, path  # exact pins, what Renovate moves (pulumi with the CLI, as one group)
    # The gitlabci manager reads .gitlab-ci.yml and follows its `include: local` files, where the image is.
    [gitlab_files] = definitions["gitlabci"]["default"]["managerFilePatterns"]
    assert renovate_regex(gitlab_files).search(".gitlab-ci.yml")
    includes = [entry["local"] for entry in load_yaml12(GITLAB_CI.read_text())["include"]]
    assert gitlab_apply.TEMPLATE_FILE in includes
    image = load_yaml12(TEMPLATES.read_text())["default"]["image"]
    assert re.fullmatch(r"python:3\.11-bookworm(@sha256:[0-9a-f]{64})?", image)
    assert config["pinDigests"] is True  # Renovate's first merge request pins the digest; later ones move it
