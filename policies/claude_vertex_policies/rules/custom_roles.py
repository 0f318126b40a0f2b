"""Custom roles hold exactly the Vertex permissions Claude Code needs, and are usable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claude_vertex_gcp.iam import CLAUDE_CODE_PERMISSIONS
from claude_vertex_gcp.resource_types import ORGANIZATION_CUSTOM_ROLE, PROJECT_CUSTOM_ROLE
from pulumi_policy import EnforcementLevel, Severity

from ..values import is_unknown, known_str, str_list
from .base import ResourceRule, RuleInfo, matches_any, string_list

CUSTOM_ROLE_TYPES = frozenset({PROJECT_CUSTOM_ROLE, ORGANIZATION_CUSTOM_ROLE})
UNUSABLE_STAGES = frozenset({"DISABLED", "DEPRECATED"})


def permission_problems(permissions: Any, stage: Any, allowed: Sequence[str]) -> list[str]:
    """What is wrong with a role's permission list and stage; empty when it is fine or unknown."""
    problems: list[str] = []
    values = str_list(permissions)
    if permissions is None or (values is not None and not values):
        problems.append(
            "has no permissions: an empty role grants nothing, and the usual 'fix' is a broad predefined role"
        )
    elif values is not None:
        for permission in dict.fromkeys(v for v in values if not is_unknown(v)):
            if "*" in permission:
                problems.append(
                    f"holds the wildcard permission '{permission}'; custom roles must list exact permissions"
                )
            elif not matches_any(permission, allowed):
                problems.append(f"holds '{permission}', which is not in allowedPermissions {sorted(allowed)}")
    if (text := known_str(stage)) and text.upper() in UNUSABLE_STAGES:
        problems.append(f"is at stage {text.upper()}: a {text.lower()} role breaks every binding that uses it")
    return problems


def role_label(props: Mapping[str, Any]) -> str:
    """`claudeVertexPayments` (or `<unknown>`) for messages."""
    return known_str(props.get("roleId")) or known_str(props.get("name")) or "<unknown>"


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type not in CUSTOM_ROLE_TYPES:
        return []
    label = role_label(props)
    return [
        f"Custom role {label} {problem}."
        for problem in permission_problems(props.get("permissions"), props.get("stage"), config["allowedPermissions"])
    ]


RULE = ResourceRule(
    RuleInfo(
        name="custom-role-allowed-permissions",
        description="Custom roles hold only allowed permissions: never empty, no wildcards, not DISABLED or "
        "DEPRECATED.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set the role's permissions to the allowed Vertex permissions only (by default "
        "aiplatform.endpoints.predict and aiplatform.endpoints.computeTokens) and its stage to GA. If the "
        "team really needs another permission, add it to this policy's allowedPermissions in the policy "
        "pack config after a security review.",
        config={
            "allowedPermissions": string_list(
                "Permissions a custom role may hold (exact names or globs).", CLAUDE_CODE_PERMISSIONS
            )
        },
        equivalents={
            "Policy Library": "GCPIAMCustomRolePermissionsConstraintV1 (mode: allowlist)",
            "Checkov": "none",
            "Trivy": "none",
        },
        tags=("iam", "custom-role", "least-privilege"),
    ),
    check,
)
