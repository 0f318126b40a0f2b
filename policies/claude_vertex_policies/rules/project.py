"""The team project is created hardened, never gets a default network, and enables only the APIs Claude Code needs.

Hardening and APIs are advisory by default: each finding is a judgement call a team can justify (deletion
protection off in a sandbox, an extra API for a notebook), but a platform team wants to see every one of them.
The default network is not a judgement call: a created project carries `compute.skipDefaultNetworkCreation`,
from this stack or, as the platform declares, from its folder.

A gateway stack (`gateway_stack.py`) is held to the same: its created project is hardened and carries the policy
(the gateway builds its own network, so it needs no default one), and it may also enable the APIs the gateway runs
on (`gatewayServices`), which is why `allowed-services-only` is a stack rule: which APIs a project may enable
depends on what else the stack registers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claude_vertex_gcp.names import project_of
from claude_vertex_gcp.org_policy import SKIP_DEFAULT_NETWORK
from claude_vertex_gcp.resource_types import ORG_POLICY, PROJECT, SERVICE
from claude_vertex_gcp.services import GATEWAY_SERVICES, TEAM_SERVICES
from pulumi_policy import EnforcementLevel, Severity

from ..values import flag, is_unknown, known_str, maybe_true
from .base import EngineStack, ResourceRule, RuleInfo, StackResource, StackRule, matches_any, string_list
from .gateway_stack import is_gateway_stack
from .governance import check_org_policy, constraint_of
from .stack import dependencies


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
    elif resource_type == SERVICE and (setting := maybe_true(props.get("disableOnDestroy"))):
        service = known_str(props.get("service")) or "the service"
        messages.append(
            f"disableOnDestroy is {setting}: destroying this stack switches {service} off for everything else "
            "that uses the project."
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
            "Checkov": "none (its default-network check CKV_GCP_27 maps to no-default-network)",
            "Trivy": "none (AVD-GCP-0010 no-default-network: see no-default-network)",
            "Policy Library": "none (GCPNetworkRestrictDefaultV1: see no-default-network)",
        },
        tags=("project", "resilience"),
    ),
    check_hardening,
)


def check_services(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    """A gateway stack may also enable `gatewayServices` (its service, database, secrets, network, DNS and
    certificate need them); a team stack only `allowedServices`, as before."""
    allowed = [*config["allowedServices"], *(config["gatewayServices"] if is_gateway_stack(resources) else ())]
    findings = []
    for resource in resources:
        service = known_str(resource.props.get("service")) if resource.type == SERVICE else None
        if service is None or matches_any(service, allowed):
            continue
        findings.append(
            (
                resource.urn,
                f"Enables {service}, which Claude Code on Vertex AI does not need; every enabled API is attack surface "
                "and a way to spend money in the project.",
            )
        )
    return findings


ALLOWED_SERVICES_ONLY = StackRule(
    RuleInfo(
        name="allowed-services-only",
        description="Projects enable only allowlisted APIs: Vertex AI, IAM, what keyless CI and the guardrails need, "
        "and in a gateway stack what the gateway runs on.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Remove the extra gcp.projects.Service, or add the API to this policy's allowedServices "
        "(gatewayServices for a gateway stack) after review.",
        config={
            "allowedServices": string_list("APIs a team project may enable (exact names or globs).", TEAM_SERVICES),
            "gatewayServices": string_list(
                "APIs a gateway stack may enable besides allowedServices (exact names or globs).", GATEWAY_SERVICES
            ),
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


def _covered_by_policy(resources: Sequence[StackResource]) -> tuple[set[str], set[str]]:
    """(project IDs, project URNs) that a skipDefaultNetworkCreation policy of this stack enforces on.

    A policy counts only when `org-policies-restrict-only` finds nothing wrong with it (enforced, not reset, not
    a dry run, ...); its project is its `parent`, or, unknown at preview, the project that parent comes from.
    """
    index = {r.urn: r for r in resources}
    ids: set[str] = set()
    urns: set[str] = set()
    for policy in resources:
        if policy.type != ORG_POLICY or constraint_of(policy.props) != SKIP_DEFAULT_NETWORK:
            continue
        if check_org_policy(ORG_POLICY, policy.props, {"allowedModelValues": ()}):
            continue
        parent = policy.props.get("parent")
        if (text := known_str(parent)) and (project := project_of(text)):
            ids.add(project)
        elif is_unknown(parent):
            urns |= {d.urn for d in dependencies(policy, ("parent",), index) if d.type == PROJECT}
    return ids, urns


def _folder_id(value: Any) -> str | None:
    """`123456789012` from `123456789012` or `folders/123456789012`; None when unknown or absent."""
    text = known_str(value)
    return text.removeprefix("folders/") if text else None


def check_default_network(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    ids, urns = _covered_by_policy(resources)
    declared = [f.removeprefix("folders/") for f in config["foldersEnforcingSkipDefaultNetwork"]]
    findings = []
    for project in (r for r in resources if r.type == PROJECT):
        project_id = known_str(project.props.get("projectId"))
        folder = _folder_id(project.props.get("folderId"))
        if (project_id is not None and project_id in ids) or project.urn in urns:
            continue
        if folder is not None and matches_any(folder, declared):
            continue
        if flag(project.props.get("autoCreateNetwork")) is False:
            risk = (
                "autoCreateNetwork false makes the provider enable Compute Engine just to delete the default network, "
                "and leaves Compute on"
            )
        else:
            risk = (
                "the first time anyone enables Compute Engine in it, GCP creates the `default` network with firewall "
                "rules open to the internet (SSH, RDP, ICMP)"
            )
        if folder is not None:
            cover = f"folder {folder} is not in foldersEnforcingSkipDefaultNetwork"
        elif is_unknown(project.props.get("folderId")):
            cover = "its folder is unknown until apply"
        else:
            cover = "it is not created in a folder (foldersEnforcingSkipDefaultNetwork names folders)"
        findings.append(
            (
                project.urn,
                f"Project {project_id or project.name} has no {SKIP_DEFAULT_NETWORK} policy in this stack and "
                f"{cover}: {risk}.",
            )
        )
    return findings


NO_DEFAULT_NETWORK = StackRule(
    RuleInfo(
        name="no-default-network",
        description="A created project carries compute.skipDefaultNetworkCreation, or sits in a folder the platform "
        "declares enforces it.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Keep project.defaultNetworkPolicy at `project` (the stack sets the policy, enforce TRUE, on the "
        "project it creates). With `defaultNetworkPolicy: folder` the platform enforces the constraint on the teams' "
        "folder and must say so here: add the folder ID to foldersEnforcingSkipDefaultNetwork in the policy pack "
        "config.",
        config={
            "foldersEnforcingSkipDefaultNetwork": string_list(
                "Folder IDs (exact or globs) on which the platform enforces compute.skipDefaultNetworkCreation; "
                "projects created in them need no policy of their own (project.defaultNetworkPolicy: folder).",
                (),
            )
        },
        equivalents={
            "Checkov": "CKV_GCP_27 (default network; through autoCreateNetwork false)",
            "Trivy": "AVD-GCP-0010 no-default-network (through autoCreateNetwork false)",
            "Policy Library": "GCPNetworkRestrictDefaultV1 (the default network, once it exists)",
        },
        tags=("project", "network", "org-policy"),
    ),
    check_default_network,
)
