"""The team project is created hardened and enables only the APIs Claude Code needs.

Advisory by default: each finding is a judgement call a team can justify (deletion protection off in
a sandbox, an extra API for a notebook), but a platform team wants to see every one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..values import known_str
from .base import ResourceRule, RuleInfo, matches_any, string_list

PROJECT = "gcp:organizations/project:Project"
SERVICE = "gcp:projects/service:Service"

# aiplatform serves Claude; iam creates the role and accounts; sts + iamcredentials are what keyless CI
# identity (workload identity federation) exchanges tokens through; cloudquotas, logging and monitoring
# carry the spend and usage guardrails. Compute is not here: without its API no default network exists.
ALLOWED_SERVICES = (
    "aiplatform.googleapis.com",
    "iam.googleapis.com",
    "sts.googleapis.com",
    "iamcredentials.googleapis.com",
    "cloudquotas.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
)


def check_hardening(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    messages = []
    if resource_type == PROJECT:
        project = known_str(props.get("projectId")) or "project"
        policy = props.get("deletionPolicy")
        if (text := known_str(policy)) and text.upper() != "PREVENT":
            messages.append(
                f"Project {project}: deletionPolicy is {text}, so a `pulumi destroy` or a replacement deletes the "
                "project with everything in it (and its ID stays reserved for 30 days)."
            )
    elif resource_type == SERVICE and props.get("disableOnDestroy") is True:
        service = known_str(props.get("service")) or "the service"
        messages.append(
            f"disableOnDestroy is true: destroying this stack switches {service} off for everything else that "
            "uses the project."
        )
    return messages


PROJECT_HARDENING = ResourceRule(
    RuleInfo(
        name="project-hardening",
        description="Team projects have deletionPolicy PREVENT; services are not disabled on destroy.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Keep project.deletionProtection on (deletionPolicy PREVENT) and enable services with "
        "disableOnDestroy=false.",
        equivalents={
            "Checkov": "none (its default-network check CKV_GCP_27 maps to allowed-services-only: no Compute API, "
            "no default network)",
            "Trivy": "none (AVD-GCP-0010 no-default-network: see allowed-services-only)",
            "Policy Library": "none (GCPNetworkRestrictDefaultV1: see allowed-services-only)",
        },
        tags=("project", "resilience"),
    ),
    check_hardening,
)


def check_services(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    service = known_str(props.get("service")) if resource_type == SERVICE else None
    if service is None or matches_any(service, config["allowedServices"]):
        return []
    return [
        f"Enables {service}, which Claude Code on Vertex AI does not need; every enabled API is attack surface "
        "and a way to spend money in the team project."
    ]


ALLOWED_SERVICES_ONLY = ResourceRule(
    RuleInfo(
        name="allowed-services-only",
        description="Team projects enable only allowlisted APIs (Vertex AI, IAM, and what keyless CI needs).",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Remove the extra gcp.projects.Service, or add the API to this policy's allowedServices "
        "after review.",
        config={
            "allowedServices": string_list("APIs a team project may enable (exact names or globs).", ALLOWED_SERVICES)
        },
        equivalents={
            "Policy Library": "GCPServiceUsageConstraintV1 (mode: allow)",
            "Checkov": "none",
            "Trivy": "none",
        },
        tags=("project", "least-privilege"),
    ),
    check_services,
)
