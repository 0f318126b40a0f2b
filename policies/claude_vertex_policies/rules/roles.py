"""Which roles a grant may use.

Basic roles are banned everywhere because all three (owner, editor, viewer) include
`aiplatform.endpoints.predict`: anyone holding one can spend the team's Claude budget, and they carry
thousands of other permissions besides. Project grants are held to the stack's own custom role, which
rules out `roles/aiplatform.user` (hundreds of permissions) and `roles/aiplatform.admin`.

A gateway stack grants each team's role in that team's project: a custom role of the project it is granted in,
which `project-grants-use-custom-roles` lets through as it does a team's own grant; `gateway-account-minimal-role`
(`gateway_access.py`) holds it to exactly a team's role, to the gateway's own account, outside its own project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from claude_vertex_gcp.iam import BASIC_ROLES
from claude_vertex_gcp.names import CUSTOM_ROLE_NAME
from pulumi_policy import EnforcementLevel, Severity

from ..grants import PROJECT, Grant, grants_of
from ..values import is_unknown, shown
from .base import ResourceRule, RuleInfo, matches_any, string_list


def by_role(grants: Iterable[Grant]) -> dict[str, list[Grant]]:
    """Group grants so a binding with ten members yields one message, not ten."""
    grouped: dict[str, list[Grant]] = defaultdict(list)
    for grant in grants:
        grouped[grant.role].append(grant)
    return grouped


def members_text(grants: Iterable[Grant]) -> str:
    return ", ".join(dict.fromkeys(shown(g.member) for g in grants))


def check_basic_roles(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    messages = []
    for role, grants in by_role(grants_of(resource_type, props).grants).items():
        if role in BASIC_ROLES:
            messages.append(
                f"Grants {role} to {members_text(grants)} on {grants[0].where}. Every basic role includes "
                "aiplatform.endpoints.predict, so its holders can spend the team's Claude budget, along with "
                "thousands of unrelated permissions."
            )
    return messages


NO_BASIC_ROLES = ResourceRule(
    RuleInfo(
        name="no-basic-roles",
        description="No basic roles (roles/owner, roles/editor, roles/viewer): each includes "
        "aiplatform.endpoints.predict.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Grant the team's custom role (projects/<project>/roles/<roleId>) instead. People who "
        "need to administer the project get access through the platform team, not the team stack.",
        equivalents={
            "Checkov": "CKV_GCP_117 (project), CKV_GCP_116 (folder), CKV_GCP_115 (organization)",
            "Trivy": "AVD-GCP-0007 no-privileged-service-accounts (owner/editor to service accounts only)",
            "Policy Library": "GCPIAMAllowBanRolesConstraintV1 (mode: deny, roles/owner, roles/editor, roles/viewer)",
        },
        tags=("iam", "least-privilege"),
    ),
    check_basic_roles,
)


def project_role_problem(grant: Grant, allowed: Iterable[str]) -> str | None:
    """Why a project-level grant's role is not acceptable, or None when it is."""
    if is_unknown(grant.role) or matches_any(grant.role, allowed):
        return None
    custom = CUSTOM_ROLE_NAME.match(grant.role)
    if custom and custom.group("parent") == "projects":
        if grant.target is None or custom.group("owner") == grant.target:
            return None
        return f"uses {grant.role}, a custom role of another project; a project can only grant its own roles"
    if grant.role == "roles/aiplatform.user":
        return "grants roles/aiplatform.user, which carries hundreds of permissions beyond the two Claude Code needs"
    if grant.role.startswith("roles/"):
        return (
            f"grants the predefined role {grant.role}, which carries far more than the Vertex permissions Claude needs"
        )
    return f"grants {grant.role or '<no role>'}, which is not this stack's custom role"


def check_project_roles(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    messages = []
    for grants in by_role(g for g in grants_of(resource_type, props).grants if g.scope == PROJECT).values():
        problem = project_role_problem(grants[0], config["allowedRoles"])
        if problem:
            messages.append(
                f"Project grant to {members_text(grants)} {problem}. Project grants may only use the stack's "
                "custom role (projects/<project>/roles/<roleId>) or a role in allowedRoles."
            )
    return messages


PROJECT_GRANTS_USE_CUSTOM_ROLES = ResourceRule(
    RuleInfo(
        name="project-grants-use-custom-roles",
        description="Project grants use only the stack's custom roles (projects/*/roles/*) or an allowlisted role.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Bind the team's custom role (the IAMCustomRole's `name` output) instead of a predefined "
        "role. A predefined role that is genuinely needed goes in this policy's allowedRoles, reviewed by the "
        "platform team.",
        config={
            "allowedRoles": string_list(
                "Roles a project grant may use besides the project's own custom roles (exact names or globs).",
                (),
            )
        },
        equivalents={
            "Policy Library": "GCPIAMAllowBanRolesConstraintV1 (mode: allow)",
            "Checkov": "none (CKV_GCP_42 only flags admin roles held by service accounts)",
            "Trivy": "none (AVD-GCP-0007 only flags admin/owner/editor held by service accounts)",
        },
        tags=("iam", "least-privilege", "vertex"),
    ),
    check_project_roles,
)
