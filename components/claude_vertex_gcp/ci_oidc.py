"""The CI platforms whose OIDC tokens keyless CI identity trusts: their issuers, and the claims that name a repository.

From GitHub's "About security hardening with OpenID Connect" and GitLab's "OpenID Connect (OIDC) authentication
using ID tokens". Only the claims below identify a repository or project; `ref`, `workflow`, `environment`, `actor`
and the rest are chosen by whoever runs a job in a stranger's repository and pin nothing. Each claim comes with the
shape of one exact value of it: the program validates the values it pins with it, and the pack accepts a condition
as pinned only when it compares a claim with values of that shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

_GITHUB_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?"
"""A GitHub user or organization: 1-39 letters, digits or hyphens, no hyphen at either end."""
_GITHUB_NAME = r"[A-Za-z0-9._-]{1,100}"
_GITLAB_SEGMENT = r"[A-Za-z0-9_.][A-Za-z0-9_.-]*"
"""A GitLab group or project path segment: letters, digits, `_`, `.`, `-`, not starting with `-`."""
_ID = r"[0-9]+"


@dataclass(frozen=True)
class CiTokens:
    """One CI platform's OIDC tokens.

    `claims` maps each claim that identifies a repository or project (and `sub`, which starts with one) to the
    pattern of one exact value; `pinned_claim` is the one the program pins a provider to and grants by.
    """

    id: str
    vendor: str  # "GitHub", for messages
    product: str  # "GitHub Actions": the CI system whose jobs carry the tokens
    issuer: str
    claims: Mapping[str, str]
    pinned_claim: str

    @property
    def pinning_attributes(self) -> frozenset[str]:
        """Claims a mapped attribute may carry and still select one repository or project."""
        return frozenset(self.claims) - {"sub"}


GITHUB = CiTokens(
    id="github",
    vendor="GitHub",
    product="GitHub Actions",
    issuer="https://token.actions.githubusercontent.com",
    claims={
        "repository": rf"{_GITHUB_OWNER}/{_GITHUB_NAME}",
        "repository_id": _ID,
        "repository_owner": _GITHUB_OWNER,
        "repository_owner_id": _ID,
        "sub": rf"repo:{_GITHUB_OWNER}/{_GITHUB_NAME}:\S+",
    },
    pinned_claim="repository",  # owner/name, exactly as the token carries it
)
GITLAB = CiTokens(
    id="gitlab",
    vendor="GitLab",
    product="GitLab CI",
    issuer="https://gitlab.com",  # self-managed instances have their own (ci.gitlab.issuerUri, gitlabIssuers)
    claims={
        "project_path": rf"{_GITLAB_SEGMENT}(?:/{_GITLAB_SEGMENT})+",
        "project_id": _ID,
        "namespace_path": rf"{_GITLAB_SEGMENT}(?:/{_GITLAB_SEGMENT})*",
        "namespace_id": _ID,
        "sub": rf"project_path:{_GITLAB_SEGMENT}(?:/{_GITLAB_SEGMENT})+:\S+",
    },
    pinned_claim="project_path",  # group[/subgroup]/project
)
PLATFORMS = (GITHUB, GITLAB)
BY_ID = {platform.id: platform for platform in PLATFORMS}
PINNING_ATTRIBUTES = frozenset().union(*(platform.pinning_attributes for platform in PLATFORMS))
"""Attributes a workload identity principalSet may select on without admitting every identity of its pool."""
