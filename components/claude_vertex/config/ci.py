"""`claude-vertex:ci`: keyless CI identity for the team's own pipelines (GitHub Actions, GitLab CI)."""

from __future__ import annotations

import re
from typing import Any

from claude_vertex_gcp.ci_oidc import GITHUB, GITLAB, CiTokens
from claude_vertex_gcp.names import RESERVED_POOL_PREFIX, WORKLOAD_POOL_ID
from pydantic import ValidationInfo, field_validator, model_validator

from claude_vertex.ci_platforms import BY_ID
from claude_vertex.config.access import SERVICE_ACCOUNT_ID_PATTERN
from claude_vertex.config.base import Refusal, Section, Text, key, refuse_duplicates
from claude_vertex.config.project import team_of


def _pinned_value(tokens: CiTokens) -> re.Pattern[str]:
    """One exact value of the claim the platform's provider pins, as the token carries it."""
    return re.compile(rf"^(?:{tokens.claims[tokens.pinned_claim]})$")


_GITHUB_REPO = _pinned_value(GITHUB)
_GITLAB_PROJECT = _pinned_value(GITLAB)


def _paths(values: tuple[str, ...], platform: str) -> tuple[str, ...]:
    for index, value in enumerate(values):
        if any(part in (".", "..") for part in value.split("/")):
            raise Refusal(f"[{index}]", value, "path segments may not be . or ..")
    refuse_duplicates("", values, fold_case=True)
    # GCP refuses an over-long attribute_condition only at apply; the platform module builds it, so it judges it.
    problem = BY_ID[platform].limit_problem(values)
    if problem is not None:
        raise Refusal("", list(values), problem)
    return values


class GitHubCiConfig(Section):
    """GitHub Actions repositories whose workflows may act as the team's CI service account (OIDC)."""

    repositories: tuple[Text, ...] = key(
        allowed="a GitHub repository as owner/name, exactly (no wildcards)",
        doc="`owner/name`, exact; pinned in the provider's `attribute_condition` (`assertion.repository in [...]`).",
        min_length=1,
    )

    @field_validator("repositories")
    @classmethod
    def _repositories(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for index, value in enumerate(values):
            if not _GITHUB_REPO.match(value):
                raise Refusal(f"[{index}]", value, "a GitHub repository as owner/name, exactly (no wildcards)")
        return _paths(values, "github")


class GitLabCiConfig(Section):
    """GitLab CI projects whose jobs may act as the team's CI service account (OIDC)."""

    projects: tuple[Text, ...] = key(
        allowed="a GitLab project path as group[/subgroup]/project",
        doc="`group[/subgroup]/project` paths, exact (`assertion.project_path in [...]`).",
        min_length=1,
    )
    issuer_uri: Text = key(
        GITLAB.issuer,
        allowed="an https:// URL of the GitLab instance",
        doc="`https://` URL of a self-managed GitLab. Trusting a new issuer is the platform team's decision: the "
        "policy `workload-identity-provider-pinned` fails until the URL is added to its `gitlabIssuers`.",
        pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$",
    )

    @field_validator("projects")
    @classmethod
    def _projects(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for index, value in enumerate(values):
            if not _GITLAB_PROJECT.match(value):
                raise Refusal(f"[{index}]", value, "a GitLab project path as group[/subgroup]/project")
        return _paths(values, "gitlab")

    @field_validator("issuer_uri")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.rstrip("/")


class CiConfig(Section):
    """Present only when the team runs Claude Code in CI. Creates a workload identity pool, one OIDC provider per
    platform, a CI service account holding only the team's role, and `roles/iam.workloadIdentityUser` on that
    account for each listed repository or project alone; enables `sts.googleapis.com` and
    `iamcredentials.googleapis.com`, which federation uses at CI time. At least one of `github` / `gitlab` is
    required. Pools and providers are soft-deleted for 30 days with their IDs reserved, and create never undeletes
    them: docs/team-lifecycle.md walks a destroy and re-create."""

    github: GitHubCiConfig | None = key(None, allowed="an object with key repositories", doc="GitHub Actions.")
    gitlab: GitLabCiConfig | None = key(None, allowed="an object with keys projects, issuerUri", doc="GitLab CI.")
    pool_id: Text = key(
        None,
        allowed="4-32 lowercase letters, digits or hyphens, not starting with gcp-",
        doc="Workload identity pool ID: 4-32 lowercase letters, digits, hyphens; `gcp-` is reserved by Google. "
        "Pools are soft-deleted for 30 days: a re-created team sets a new one (see docs/team-lifecycle.md).",
        pattern=rf"^{WORKLOAD_POOL_ID}$",
        default_text="claude-<team>",
    )
    service_account_id: Text = key(
        None,
        allowed="service account IDs are 6-30 characters: lowercase letters, digits, hyphens",
        doc="Service-account ID rules; must differ from `access.serviceAccounts`.",
        pattern=SERVICE_ACCOUNT_ID_PATTERN,
        default_text="claude-ci-<team>",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict):
            data = cls.given(data)
            if "github" not in data and "gitlab" not in data:
                raise Refusal("", data, "needs ci.github.repositories and/or ci.gitlab.projects (or remove ci)")
            team = team_of(info)
            data.setdefault("poolId", f"claude-{team}"[:32].rstrip("-"))
            data.setdefault("serviceAccountId", f"claude-ci-{team}"[:30].rstrip("-"))
        return data

    @field_validator("pool_id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.startswith(RESERVED_POOL_PREFIX):
            raise Refusal(
                "", value, f"the prefix {RESERVED_POOL_PREFIX} is reserved by Google for workload identity pool IDs"
            )
        return value
