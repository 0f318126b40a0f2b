"""What the ready-to-paste CI snippets share: pinned actions, input checks, YAML quoting, the credential file.

Each platform's snippet renderer lives in its own module (`claude_vertex/ci_platforms/<platform>.py`) and is a
pure function of the team's CI identity (a workload identity provider and a service account, created by
`claude_vertex/resources/ci_identity.py`) and the Claude Code environment (`environment.claude_env`). No key and no CI
secret appears anywhere: both platforms mint a short-lived OIDC token per job, and the team's provider
admits only the repositories in its stack file. The output is deterministic (the environment is sorted) so
that a stack output built from it only changes when its inputs do.

The pinned third-party actions live here too, as the single list the platform's own workflows are
checked against (tests/test_workflows.py): a version bump is one reviewed change in one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from claude_vertex_gcp.names import (
    USER_MANAGED_SERVICE_ACCOUNT,
    WORKLOAD_PROVIDER_NAME,
    impersonation_url,
    sts_audience,
)
from claude_vertex_gcp.services import STS


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
# Only the platform's own pipelines use these (a pull request's saved plan, kept for the apply on merge); no snippet a
# team gets does. Dependabot bumps them in .github/workflows/ weekly: tests/test_workflows.py then asks for the new
# pin here too, so the snippets and the pipelines never drift apart.
UPLOAD_ARTIFACT = ActionPin("actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0")
DOWNLOAD_ARTIFACT = ActionPin("actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1")
PIPELINE_ONLY_ACTIONS = (UPLOAD_ARTIFACT, DOWNLOAD_ARTIFACT)

# The Claude Code release the snippets install where no action does it for them.
CLAUDE_CODE_VERSION = "2.1.331"

STS_TOKEN_URL = f"https://{STS}/v1/token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"

ENV_KEY_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# Token file placeholder in the credential configuration; the GitLab job's shell fills in the real path.
TOKEN_FILE = "$CLAUDE_GCP_DIR/oidc-token.jwt"
TOKEN_FILE_PLACEHOLDER = "@@TOKEN_FILE@@"


def check_inputs(provider_name: str, service_account_email: str, env: Mapping[str, str]) -> dict[str, str]:
    """Refuse anything that could not be pasted safely; return the environment sorted by name.

    Values are quoted on output anyway; these checks catch the values that quoting cannot make mean
    the same thing on both platforms (GitHub evaluates `${{ ... }}` inside any string) and the
    identities that would never work.
    """
    if not WORKLOAD_PROVIDER_NAME.match(provider_name):
        raise ValueError(
            f"provider_name {provider_name!r}: expected "
            "projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>"
        )
    if not USER_MANAGED_SERVICE_ACCOUNT.match(service_account_email):
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


def yaml_quote(value: str) -> str:
    """A YAML double-quoted scalar; JSON string syntax is valid YAML and escapes everything that needs it."""
    return json.dumps(value)


def indent(text: str, spaces: int) -> list[str]:
    pad = " " * spaces
    return [pad + line if line else line for line in text.splitlines()]


def audience(provider_name: str) -> str:
    """What STS calls the provider; the OIDC token's `aud` is the same name with an https: scheme."""
    return sts_audience(provider_name)


def external_account_credentials(provider_name: str, service_account_email: str, token_file: str) -> dict[str, object]:
    """The credential configuration `gcloud iam workload-identity-pools create-cred-config` writes.

    Google's client libraries (and so Claude Code) read it through GOOGLE_APPLICATION_CREDENTIALS: they
    trade the OIDC token in `token_file` at STS, then impersonate the service account.
    """
    return {
        "universe_domain": "googleapis.com",
        "type": "external_account",
        "audience": audience(provider_name),
        "subject_token_type": JWT_TOKEN_TYPE,
        "token_url": STS_TOKEN_URL,
        "credential_source": {"file": token_file, "format": {"type": "text"}},
        "service_account_impersonation_url": (impersonation_url(service_account_email)),
    }
