"""IAM members a stack file may name: one specific principal each, or a one-line refusal naming what is wrong.

The grammar is the one the policy pack uses, `claude_vertex_gcp.members`: a member it cannot parse into a known,
specific principal is refused here for the reason it gives. On top of the grammar, this reader refuses what the
pack's member rules refuse at their defaults (public principals, the default service accounts, whole pools, and
workload identity attributes that name no repository or project), so the program never renders a grant the pack
would stop; `tests/policies/test_member_parity.py` checks both on a generated corpus. A member that parses is a
*specific* principal: one person, one group, one user-managed service account, one Workspace domain, or one subject
/ group / attribute value of a workforce pool, or one subject / repository or project attribute of a workload
identity pool.
"""

from __future__ import annotations

from claude_vertex_gcp import members as grammar
from claude_vertex_gcp.ci_oidc import PINNING_ATTRIBUTES
from claude_vertex_gcp.names import IAM_HOST

from claude_vertex.config.base import Refusal

MEMBER_RULE = (
    "user:EMAIL, group:EMAIL, serviceAccount:NAME@PROJECT.iam.gserviceaccount.com, domain:DOMAIN, or one subject, "
    "group or attribute value of a workforce pool, or one subject or repository/project attribute of a workload "
    f"identity pool (principal://{IAM_HOST}/..., principalSet://{IAM_HOST}/...)"
)
WORKLOAD_ATTRIBUTES = tuple(sorted(PINNING_ATTRIBUTES))
"""Workload identity attributes a member may select on: the CI platforms' repository and project claims."""


def parse_member(key: str, value: object) -> grammar.Member:
    """The member as a specific principal, or a Refusal naming what is wrong with it."""
    if not isinstance(value, str):
        raise Refusal(key, value, f"must be a string; allowed: {MEMBER_RULE}")
    member = grammar.parse_member(value)
    if grammar.is_public(member):
        raise Refusal(key, value, f"public principals are never granted; allowed: {MEMBER_RULE}")
    if member.problem is not None:
        raise Refusal(key, value, f"the member {member.problem}; allowed: {MEMBER_RULE}")
    if grammar.is_default_service_account(member):
        raise Refusal(
            key,
            value,
            "Google-managed default service accounts are never granted: every workload without its own account runs "
            "as one. Name a user-managed account NAME@PROJECT.iam.gserviceaccount.com, or create one in "
            "access.serviceAccounts",
        )
    federated = member.federated
    if federated is not None and federated.selector == "all":
        raise Refusal(
            key,
            value,
            f"a whole identity pool is never granted; name one subject, group or attribute value ({MEMBER_RULE})",
        )
    if (
        federated is not None
        and not federated.workforce
        and federated.selector == "attribute"
        and federated.attribute not in PINNING_ATTRIBUTES
    ):
        raise Refusal(
            key,
            value,
            f"attribute.{federated.attribute} does not name a repository or project, so any identity of the pool "
            f"could carry it; use one of {', '.join(WORKLOAD_ATTRIBUTES)}, or one subject",
        )
    return member


def workforce_pool(member: grammar.Member) -> str | None:
    """The workforce pool a member's principal belongs to, if it is a workforce principal."""
    federated = member.federated
    return federated.pool if federated is not None and federated.workforce else None
