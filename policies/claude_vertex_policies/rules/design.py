"""A stack grants only what its design grants: nothing on billing accounts, buckets, keys or pools.

The team design makes exactly two kinds of grant: the team's custom role on its project
(`gcp.projects.IAMMember`, held to that role by `project-grants-use-custom-roles`) and, on its own
service accounts (`gcp.serviceaccount.IAMMember`), the token-creator role for impersonators and the
workload identity role for CI. The gateway design adds one: read access to one of its secrets
(`gcp.secretmanager.SecretIamMember`, `roles/secretmanager.secretAccessor` to a service account; which account
and which secret is `secrets-read-by-own-accounts`'s to judge). Every other IAM resource of the provider (about
470 types: billing accounts, buckets, KMS keys, Cloud Run services, pools, ...), every other role on an account or
a secret, and any secret grant to something other than a service account is refused, so a grant that falls
between two rules (billing accounts used to) is still caught.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.iam import SECRET_ACCESSOR, SERVICE_ACCOUNT_ROLES
from claude_vertex_gcp.members import parse_member
from claude_vertex_gcp.resource_types import IAM_MEMBER_TYPES, SECRET_IAM_MEMBER
from pulumi_policy import EnforcementLevel, Severity

from ..grants import SERVICE_ACCOUNT, grants_of
from ..values import is_unknown, known_str, shown
from .base import ResourceRule, RuleInfo, matches_any, string_list


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    found = grants_of(resource_type, props)
    if found.iam is None:
        return []
    if not matches_any(resource_type, config["grantTypes"]):
        return [
            f"{resource_type} grants IAM on a {found.iam.scope} ({found.iam.shape}); a team stack grants only its "
            "custom role on its project and impersonation / workload identity roles on its own service accounts, "
            "and a gateway stack its accounts the teams' roles and access to its own secrets."
        ]
    if resource_type == SECRET_IAM_MEMBER:
        return _secret_grant_problems(resource_type, props, config)
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


def _secret_grant_problems(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    """A secret is read by a service account, with a role in `secretRoles`; a member unknown at preview is the
    stack rule's (it comes from an account of this stack, or is refused there)."""
    roles = config["secretRoles"]
    messages = []
    for grant in grants_of(resource_type, props).grants:
        problems = []
        if is_unknown(grant.role) or not matches_any(grant.role, roles):
            problems.append(f"the role is {shown(grant.role)}")
        if not is_unknown(grant.member) and parse_member(grant.member).kind != "serviceAccount":
            problems.append(f"the member {grant.member} is not a service account")
        if problems:
            messages.append(
                f"{resource_type} grants IAM on a resource (secret {known_str(props.get('secretId')) or '<unknown>'}) "
                f"and {' and '.join(problems)}: a secret is read only by a service account, with "
                f"{', '.join(roles)}; anything more lets a person read the gateway's credentials, or change them."
            )
    return messages


RULE = ResourceRule(
    RuleInfo(
        name="iam-grants-match-design",
        description="IAM grants use only the design's resource types: impersonation or workload identity roles on "
        "accounts, secret access to service accounts.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the grant. Access to billing accounts, buckets, keys, other secrets or pools is the "
        "platform team's to give, in its own stack; a reviewed exception goes in grantTypes / serviceAccountRoles / "
        "secretRoles.",
        config={
            "grantTypes": string_list(
                "IAM resource types a stack may use (exact tokens or globs).", (*IAM_MEMBER_TYPES, SECRET_IAM_MEMBER)
            ),
            "serviceAccountRoles": string_list(
                "Roles a team stack may grant on one of its service accounts (exact names or globs).",
                SERVICE_ACCOUNT_ROLES,
            ),
            "secretRoles": string_list(
                "Roles a stack may grant on one of its secrets, to a service account (exact names or globs).",
                (SECRET_ACCESSOR,),
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
