"""Grants a team stack must never make, whatever roles they carry.

Authoritative IAM (`IAMBinding`, `IAMPolicy`) replaces what is already there: one team's `pulumi up`
would remove every grant other stacks or people made for that role (binding) or the whole resource
(policy). Grants on folders and organizations reach every project underneath, far outside the team.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..grants import BINDING, FOLDER, ORGANIZATION, POLICY, grants_of
from ..values import known_str, shown
from .base import ResourceRule, RuleInfo


def check_authoritative(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    found = grants_of(resource_type, props)
    if found.iam is None or found.iam.shape not in {BINDING, POLICY}:
        return []
    where = found.grants[0].where if found.grants else found.iam.scope
    name = resource_type.rsplit(":", 1)[-1]
    if found.iam.shape == BINDING:
        role = shown(props.get("role"))
        message = (
            f"{name} is authoritative for {role} on {where}: every {role} member granted by another stack or by "
            "hand is removed on the next `pulumi up`."
        )
    else:
        message = (
            f"{name} replaces the entire IAM policy of {where}: every grant not in this stack's policyData is "
            "removed on the next `pulumi up`. Its bindings are still checked one by one by the other rules."
        )
    return [message, *(f"{name}: {error}." for error in found.errors)]


NO_AUTHORITATIVE_IAM = ResourceRule(
    RuleInfo(
        name="no-authoritative-iam",
        description="No authoritative IAM (IAMPolicy, IAMBinding): they wipe grants made by other stacks.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Replace the IAMPolicy / IAMBinding with one IAMMember per (role, member): "
        "gcp.projects.IAMMember, gcp.serviceaccount.IAMMember, and so on.",
        equivalents={
            "Checkov": "none (binding checks only look at roles and members)",
            "Trivy": "none",
            "Policy Library": "none (evaluates the resulting policy, not how it is written)",
        },
        tags=("iam", "blast-radius"),
    ),
    check_authoritative,
)


def check_hierarchy(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    found = grants_of(resource_type, props)
    if found.iam is None or found.iam.scope not in {FOLDER, ORGANIZATION}:
        return []
    target = known_str(props.get("folder")) or known_str(props.get("orgId"))
    where = f"{found.iam.scope} {target}" if target else f"a {found.iam.scope}"
    roles = sorted({shown(g.role) for g in found.grants}) or [shown(props.get("role", "<policy>"))]
    return [
        f"Grants {', '.join(roles)} on {where}, which reaches every project under it. A team stack may only "
        "grant inside its own project."
    ]


NO_ORG_OR_FOLDER_GRANTS = ResourceRule(
    RuleInfo(
        name="no-org-or-folder-grants",
        description="A team stack makes no IAM grants at organization or folder level.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Grant on the team's project or on a single service account instead. Organization and "
        "folder IAM belongs to the platform team's own stack.",
        equivalents={
            "Checkov": "CKV_GCP_44 / CKV_GCP_45 / CKV_GCP_47 / CKV_GCP_48 / CKV_GCP_115 / CKV_GCP_116 "
            "(specific roles and members at these levels)",
            "Trivy": "AVD-GCP-0004 / AVD-GCP-0005 / AVD-GCP-0008 / AVD-GCP-0009 (specific roles and members)",
            "Policy Library": "none (target-scoped constraints instead)",
        },
        tags=("iam", "blast-radius"),
    ),
    check_hierarchy,
)
