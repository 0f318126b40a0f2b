"""Ready-to-paste CI snippets that run a team's own Claude Code jobs on Vertex AI, keyless.

Pure functions of the team's CI identity (a workload identity provider and a service account, both
created by `components/ci_identity.py`) and the Claude Code environment (`environment.claude_env`):

* `github_actions_workflow` is a whole `.github/workflows/claude.yml`: the usual @claude trigger,
  `google-github-actions/auth` for the federation, then `anthropics/claude-code-action` on Vertex AI.
* `gitlab_ci_job` is one job for `.gitlab-ci.yml`: GitLab's OIDC ID token is written to a file, an
  `external_account` credential configuration points Google's client libraries at it, and
  `claude -p` runs with the same environment.

No key and no CI secret appears anywhere: both platforms mint a short-lived OIDC token per job, and the
team's provider admits only the repositories in its stack file. The output is deterministic (the
environment is sorted) so that a stack output built from it only changes when its inputs do.

The pinned third-party actions live here too, as the single list the platform's own workflows are
checked against (tests/test_workflows.py): a version bump is one reviewed change in one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionPin:
    """A GitHub Action pinned to a full commit SHA, with the release it is, for humans and Dependabot."""

    repository: str
    sha: str
    version: str

    @property
    def ref(self) -> str:
        return f"{self.repository}@{self.sha}"

    @property
    def uses(self) -> str:
        """The `uses:` value with its version comment, exactly as it is written in a workflow."""
        return f"{self.ref} # {self.version}"


CHECKOUT = ActionPin("actions/checkout", "08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0")
SETUP_PYTHON = ActionPin("actions/setup-python", "e797f83bcb11b83ae66e0230d6156d7c80228e7c", "v6.0.0")
GOOGLE_AUTH = ActionPin("google-github-actions/auth", "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093", "v3.0.0")
PULUMI_ACTIONS = ActionPin("pulumi/actions", "8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0")
CLAUDE_CODE_ACTION = ActionPin("anthropics/claude-code-action", "cfc3eb22bfed5c26ef66e3223c982af27e4524de", "v1.0.231")
PINNED_ACTIONS = (CHECKOUT, SETUP_PYTHON, GOOGLE_AUTH, PULUMI_ACTIONS, CLAUDE_CODE_ACTION)

# Claude Code needs Node.js 22 or newer; the full Debian image also brings git, which a review needs.
GITLAB_IMAGE = "node:22-bookworm"
CLAUDE_CODE_VERSION = "2.1.331"
GITLAB_PROMPT = (
    "Review the changes of this merge request against its target branch "
    "(git diff origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME...HEAD): point out bugs, security problems "
    "and missing tests, most important first."
)

STS_TOKEN_URL = "https://sts.googleapis.com/v1/token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"

PROVIDER_NAME_RE = re.compile(
    r"^projects/[0-9]{1,20}/locations/global/workloadIdentityPools/[a-z0-9-]{4,32}/providers/[a-z0-9-]{4,32}$"
)
SERVICE_ACCOUNT_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9][a-z0-9.:-]*\.gserviceaccount\.com$")
ENV_KEY_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# Token file placeholder in the credential configuration; the GitLab job's shell fills in the real path.
_TOKEN_FILE = "$CLAUDE_GCP_DIR/oidc-token.jwt"
_TOKEN_FILE_PLACEHOLDER = "@@TOKEN_FILE@@"


def _check(provider_name: str, service_account_email: str, env: Mapping[str, str]) -> dict[str, str]:
    """Refuse anything that could not be pasted safely; return the environment sorted by name.

    Values are quoted on output anyway; these checks catch the values that quoting cannot make mean
    the same thing on both platforms (GitHub evaluates `${{ ... }}` inside any string) and the
    identities that would never work.
    """
    if not PROVIDER_NAME_RE.match(provider_name):
        raise ValueError(
            f"provider_name {provider_name!r}: expected "
            "projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>"
        )
    if not SERVICE_ACCOUNT_RE.match(service_account_email):
        raise ValueError(
            f"service_account_email {service_account_email!r}: expected <id>@<project>.iam.gserviceaccount.com"
        )
    checked: dict[str, str] = {}
    for key in sorted(env):
        value = env[key]
        if not ENV_KEY_RE.match(key):
            raise ValueError(f"environment variable name {key!r}: upper-case letters, digits and _ only")
        if not isinstance(value, str) or any(ord(c) < 0x20 or c == "\x7f" for c in value) or "${{" in value:
            raise ValueError(f"environment value for {key}: a single-line string without '${{{{' expected")
        checked[key] = value
    if not checked:
        raise ValueError("env is empty: pass the Claude Code environment (CLAUDE_CODE_USE_VERTEX=1, ...)")
    return checked


def _q(value: str) -> str:
    """A YAML double-quoted scalar; JSON string syntax is valid YAML and escapes everything that needs it."""
    return json.dumps(value)


def _indent(text: str, spaces: int) -> list[str]:
    pad = " " * spaces
    return [pad + line if line else line for line in text.splitlines()]


def _audience(provider_name: str) -> str:
    """What STS calls the provider; the OIDC token's `aud` is the same name with an https: scheme."""
    return f"//iam.googleapis.com/{provider_name}"


def external_account_credentials(provider_name: str, service_account_email: str, token_file: str) -> dict[str, object]:
    """The credential configuration `gcloud iam workload-identity-pools create-cred-config` writes.

    Google's client libraries (and so Claude Code) read it through GOOGLE_APPLICATION_CREDENTIALS: they
    trade the OIDC token in `token_file` at STS, then impersonate the service account.
    """
    return {
        "universe_domain": "googleapis.com",
        "type": "external_account",
        "audience": _audience(provider_name),
        "subject_token_type": JWT_TOKEN_TYPE,
        "token_url": STS_TOKEN_URL,
        "credential_source": {"file": token_file, "format": {"type": "text"}},
        "service_account_impersonation_url": (
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
            f"{service_account_email}:generateAccessToken"
        ),
    }


def github_actions_workflow(*, provider_name: str, service_account_email: str, env: Mapping[str, str]) -> str:
    """A complete `.github/workflows/claude.yml` that answers @claude with Claude Code on Vertex AI."""
    variables = _check(provider_name, service_account_email, env)
    project = variables.get("ANTHROPIC_VERTEX_PROJECT_ID")
    settings = json.dumps({"env": variables}, indent=2)
    lines = [
        "# Claude Code on Vertex AI, answering @claude in issues and pull requests. Generated by claude-vertex:",
        "# save as .github/workflows/claude.yml. No key and no secret: GitHub's OIDC token is exchanged through",
        "# workload identity federation for a short-lived token of the team's CI service account, and the",
        "# provider admits only the repositories listed in the team's stack file. The action answers only",
        "# people with write access to the repository. It needs a GitHub app (the Claude app, or your own",
        "# app's token passed as github_token) to comment and push.",
        "name: Claude Code",
        "",
        "on:",
        "  issue_comment:",
        "    types: [created]",
        "  pull_request_review_comment:",
        "    types: [created]",
        "  pull_request_review:",
        "    types: [submitted]",
        "  issues:",
        "    types: [opened, assigned]",
        "",
        "permissions: {}",
        "",
        "jobs:",
        "  claude:",
        "    if: >-",
        "      (github.event_name == 'issue_comment' && contains(github.event.comment.body, '@claude')) ||",
        "      (github.event_name == 'pull_request_review_comment' &&",
        "      contains(github.event.comment.body, '@claude')) ||",
        "      (github.event_name == 'pull_request_review' && contains(github.event.review.body, '@claude')) ||",
        "      (github.event_name == 'issues' &&",
        "      (contains(github.event.issue.body, '@claude') || contains(github.event.issue.title, '@claude')))",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
        "    permissions:",
        "      contents: write  # push Claude's commits to a branch",
        "      pull-requests: write  # comment on and open pull requests",
        "      issues: write  # comment on issues",
        "      id-token: write  # the OIDC token that workload identity federation exchanges",
        "    env:",
        *[f"      {key}: {_q(value)}" for key, value in variables.items()],
        "    steps:",
        "      - name: Check out the repository",
        f"        uses: {CHECKOUT.uses}",
        "        with:",
        "          fetch-depth: 1",
        "      - name: Authenticate to Google Cloud (workload identity federation, no key)",
        f"        uses: {GOOGLE_AUTH.uses}",
        "        with:",
        f"          workload_identity_provider: {_q(provider_name)}",
        f"          service_account: {_q(service_account_email)}",
    ]
    if project is not None:
        # The action exports GOOGLE_CLOUD_PROJECT, which Claude Code reads before ANTHROPIC_VERTEX_PROJECT_ID.
        lines.append(f"          project_id: {_q(project)}  # exported as GOOGLE_CLOUD_PROJECT: the Vertex project")
    lines += [
        "      - name: Run Claude Code on Vertex AI",
        f"        uses: {CLAUDE_CODE_ACTION.uses}",
        "        with:",
        '          use_vertex: "true"',
        "          # Claude Code applies this environment itself: every variable reaches it, per-model regions too.",
        "          settings: |",
        *_indent(settings, 12),
    ]
    return "\n".join(lines) + "\n"


def gitlab_ci_job(*, provider_name: str, service_account_email: str, env: Mapping[str, str]) -> str:
    """One `.gitlab-ci.yml` job that runs `claude -p` on Vertex AI, on demand in merge requests."""
    variables = _check(provider_name, service_account_email, env)
    project = variables.get("ANTHROPIC_VERTEX_PROJECT_ID")
    job_variables = dict(variables)
    if project is not None:
        # Client libraries take the project from here before ANTHROPIC_VERTEX_PROJECT_ID; keep them equal.
        job_variables["GOOGLE_CLOUD_PROJECT"] = project
    job_variables["CLAUDE_CODE_VERSION"] = CLAUDE_CODE_VERSION
    job_variables["CLAUDE_PROMPT"] = GITLAB_PROMPT
    credentials = json.dumps(
        external_account_credentials(provider_name, service_account_email, _TOKEN_FILE_PLACEHOLDER), indent=2
    ).replace(_TOKEN_FILE_PLACEHOLDER, _TOKEN_FILE)

    def variable(key: str, value: str) -> str:
        if "$" in value and key != "CLAUDE_PROMPT":
            # GitLab expands $NAME inside variable values; a literal value must say so.
            return f"    {key}: {{value: {_q(value)}, expand: false}}"
        return f"    {key}: {_q(value)}"

    lines = [
        "# Claude Code on Vertex AI in GitLab CI, keyless. Generated by claude-vertex: paste into .gitlab-ci.yml.",
        "# GitLab mints an OIDC ID token for the job; Google's STS exchanges it through workload identity",
        "# federation for a short-lived token of the team's CI service account. The provider admits only the",
        "# projects listed in the team's stack file. No key, no CI/CD secret variable. Run it from a merge",
        "# request pipeline (manual, so nobody pays for a review they did not ask for).",
        "claude-code:",
        f"  image: {GITLAB_IMAGE}",
        "  rules:",
        '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
        "      when: manual",
        "      allow_failure: true",
        "  id_tokens:",
        "    GCP_ID_TOKEN:",
        f"      aud: {_q('https://iam.googleapis.com/' + provider_name)}",
        "  variables:",
        *[variable(key, value) for key, value in sorted(job_variables.items())],
        "  script:",
        "    - umask 077",
        '    - CLAUDE_GCP_DIR="$(mktemp -d)"',
        '    - printf \'%s\' "$GCP_ID_TOKEN" > "$CLAUDE_GCP_DIR/oidc-token.jwt"',
        "    - |",
        '      cat > "$CLAUDE_GCP_DIR/credentials.json" <<EOF',
        *_indent(credentials, 6),
        "      EOF",
        '    - export GOOGLE_APPLICATION_CREDENTIALS="$CLAUDE_GCP_DIR/credentials.json"',
        '    - npm install --global "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}"',
        '    - git fetch --depth=50 origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"',
        '    - claude -p "$CLAUDE_PROMPT" --allowedTools "Read" "Grep" "Glob" "Bash(git diff:*)" "Bash(git log:*)"',
    ]
    return "\n".join(lines) + "\n"
