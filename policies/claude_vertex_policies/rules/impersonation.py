"""Roles that let a member act as a service account are granted on one account only.

On a project, folder or organization these roles cover every service account there, including
accounts created later, so a grant meant for "the agent account" silently reaches the CI account and
anything with broader roles. On a single account they are the sanctioned way to use it (and the
alternative to keys), but never for the whole internet, and a whole Workspace domain deserves a look.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.iam import IMPERSONATION_ROLES
from claude_vertex_gcp.members import is_public, parse_member
from pulumi_policy import EnforcementLevel, Severity

from ..grants import FOLDER, ORGANIZATION, PROJECT, SERVICE_ACCOUNT, grants_of
from ..values import is_unknown, shown
from .base import ResourceRule, RuleInfo, matches_any, string_list

_ROLES_CONFIG = {
    "impersonationRoles": string_list(
        "Roles that let a member act as (or mint credentials for) a service account; globs allowed.",
        IMPERSONATION_ROLES,
    )
}
_BROAD_SCOPES = {PROJECT, FOLDER, ORGANIZATION}


def check_scope(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    messages = []
    for grant in grants_of(resource_type, props).grants:
        if is_unknown(grant.role) or not matches_any(grant.role, config["impersonationRoles"]):
            continue
        if grant.scope in _BROAD_SCOPES:
            messages.append(
                f"Grants {grant.role} on the whole {grant.where} to {shown(grant.member)}: it lets that member act as "
                "every service account there, including ones created later. Grant it on one service account "
                "(gcp.serviceaccount.IAMMember) instead."
            )
        elif grant.scope == SERVICE_ACCOUNT and not is_unknown(grant.member) and is_public(parse_member(grant.member)):
            messages.append(
                f"Grants {grant.role} on {grant.where} to {grant.member}: anyone could act as this service account."
            )
    return list(dict.fromkeys(messages))


IMPERSONATION_ON_ACCOUNTS_ONLY = ResourceRule(
    RuleInfo(
        name="impersonation-on-service-accounts-only",
        description="Service-account impersonation roles are granted on a single service account, never on a "
        "project, folder or organization, and never to public principals.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Move the grant to the service account itself (access.serviceAccounts[].impersonators, "
        "i.e. gcp.serviceaccount.IAMMember with service_account_id=<account>.name).",
        config=_ROLES_CONFIG,
        equivalents={
            "Checkov": "CKV_GCP_41 / CKV_GCP_49 (project), CKV_GCP_44 (folder), CKV_GCP_45 (organization)",
            "Trivy": "AVD-GCP-0011 (project), AVD-GCP-0005 (folder), AVD-GCP-0009 (organization)",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 sample iam_blacklist_role "
            "(roles/iam.serviceAccountUser)",
        },
        tags=("iam", "service-account", "impersonation"),
    ),
    check_scope,
)


def check_domain(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    messages = []
    for grant in grants_of(resource_type, props).grants:
        if is_unknown(grant.role) or is_unknown(grant.member):
            continue
        if grant.scope == SERVICE_ACCOUNT and matches_any(grant.role, config["impersonationRoles"]):
            member = parse_member(grant.member)
            if member.kind == "domain":
                messages.append(
                    f"Grants {grant.role} on {grant.where} to {grant.member}: every account in the domain can "
                    "act as this service account."
                )
    return messages


NO_DOMAIN_WIDE_IMPERSONATION = ResourceRule(
    RuleInfo(
        name="no-domain-wide-impersonation",
        description="Service-account impersonation roles are not granted to a whole domain:.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Grant the impersonation role to the team's group (group:team@example.com) rather than to "
        "every account in the domain.",
        config=_ROLES_CONFIG,
        equivalents={
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (denylist domain:* for impersonation roles)",
            "Checkov": "none",
            "Trivy": "none",
        },
        tags=("iam", "service-account", "impersonation"),
    ),
    check_domain,
)
