"""A team stack grants only what its design grants: nothing on billing accounts, buckets, keys or pools.

The design makes exactly two kinds of grant: the team's custom role on its project
(`gcp.projects.IAMMember`, held to that role by `project-grants-use-custom-roles`) and, on its own
service accounts (`gcp.serviceaccount.IAMMember`), the token-creator role for impersonators and the
workload identity role for CI. Every other IAM resource of the provider (about 470 types: billing
accounts, buckets, KMS keys, secrets, pools, ...) and every other role on an account is refused, so a
grant that falls between two rules (billing accounts used to) is still caught.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.iam import SERVICE_ACCOUNT_ROLES
from claude_vertex_gcp.resource_types import IAM_MEMBER_TYPES
from pulumi_policy import EnforcementLevel, Severity

from ..grants import SERVICE_ACCOUNT, grants_of
from ..values import is_unknown, shown
from .base import ResourceRule, RuleInfo, matches_any, string_list


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    found = grants_of(resource_type, props)
    if found.iam is None:
        return []
    if not matches_any(resource_type, config["grantTypes"]):
        return [
            f"{resource_type} grants IAM on a {found.iam.scope} ({found.iam.shape}); a team stack grants only its "
            "custom role on its project and impersonation / workload identity roles on its own service accounts."
        ]
    messages = []
    for grant in found.grants:
        if grant.scope != SERVICE_ACCOUNT:
            continue
        if is_unknown(grant.role):
            messages.append(f"Grants a role unknown at preview on {grant.where}; it cannot be verified before apply.")
        elif not matches_any(grant.role, config["serviceAccountRoles"]):
            messages.append(
                f"Grants {grant.role} on {grant.where} to {shown(grant.member)}; on a service account a team stack "
                f"grants only {', '.join(config['serviceAccountRoles'])}."
            )
    return list(dict.fromkeys(messages))


RULE = ResourceRule(
    RuleInfo(
        name="iam-grants-match-design",
        description="IAM grants use only the design's resource types, and only impersonation or workload identity "
        "roles on accounts.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the grant. Access to billing accounts, buckets, keys, secrets or pools is the platform "
        "team's to give, in its own stack; a reviewed exception goes in grantTypes / serviceAccountRoles.",
        config={
            "grantTypes": string_list(
                "IAM resource types a team stack may use (exact tokens or globs).", IAM_MEMBER_TYPES
            ),
            "serviceAccountRoles": string_list(
                "Roles a team stack may grant on one of its service accounts (exact names or globs).",
                SERVICE_ACCOUNT_ROLES,
            ),
        },
        equivalents={
            "Checkov": "none",
            "Trivy": "none",
            "Policy Library": "GCPIAMAllowBanRolesConstraintV1 (mode: allow), per target",
        },
        tags=("iam", "least-privilege", "deny-by-default"),
    ),
    check,
)
