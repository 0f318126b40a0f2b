"""The gateway's endpoints stay on the private network: load balancer, addresses and DNS name alike.

Clients refuse a gateway that resolves to a public address, and the gateway answers whoever reaches it with the
platform's Vertex credentials behind it, so everything that could give it a public face is refused: an external
forwarding rule or backend service, an external address, a public DNS zone. Each input is read as the provider reads
it, defaults included: a forwarding rule, an address and a global address are EXTERNAL unless they say otherwise, a
DNS zone is public.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.resource_types import (
    ADDRESS,
    DNS_MANAGED_ZONE,
    FORWARDING_RULE,
    GLOBAL_ADDRESS,
    REGION_BACKEND_SERVICE,
)
from pulumi_policy import EnforcementLevel, Severity

from ..values import known_str, labelled, shown
from .base import ResourceRule, RuleInfo

INTERNAL_SCHEMES = ("INTERNAL", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED")
"""Load balancing schemes that serve the VPC only; EXTERNAL and EXTERNAL_MANAGED face the internet."""

# type -> (input, what it must be, the provider's default when absent)
_PRIVATE_INPUTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    FORWARDING_RULE: ("loadBalancingScheme", INTERNAL_SCHEMES, "EXTERNAL"),
    REGION_BACKEND_SERVICE: ("loadBalancingScheme", INTERNAL_SCHEMES, "INTERNAL"),
    ADDRESS: ("addressType", ("INTERNAL",), "EXTERNAL"),
    GLOBAL_ADDRESS: ("addressType", ("INTERNAL",), "EXTERNAL"),
    DNS_MANAGED_ZONE: ("visibility", ("private",), "public"),
}


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type not in _PRIVATE_INPUTS:
        return []
    key, allowed, default = _PRIVATE_INPUTS[resource_type]
    value = props.get(key)
    effective = default if value is None else known_str(value)
    if effective in allowed:
        return []
    said = f"absent, which the provider reads as {default}" if value is None else shown(value)
    kind = resource_type.rsplit(":", 1)[-1]
    return [
        f"{labelled(kind, props)} has {key} {said}, not {' or '.join(allowed)}: the gateway is reached from "
        "the company's network only, and its clients refuse a public address."
    ]


GATEWAY_ENDPOINTS_PRIVATE = ResourceRule(
    RuleInfo(
        name="gateway-endpoints-private",
        description="Forwarding rules and backend services are internal, addresses are INTERNAL, DNS zones are "
        "private (each read with the provider's default).",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Use loadBalancingScheme INTERNAL_MANAGED (an internal Application Load Balancer), addressType "
        "INTERNAL and a private DNS zone visible to the gateway's network, as the gateway component does; "
        "developers reach it over the company network or VPN.",
        equivalents={
            "Checkov": "CKV2_GCP_37 (external forwarding rules to HTTP proxies only)",
            "Trivy": "none",
            "Policy Library": "GCPLBAllowedForwardingRulesConstraintV2, GCPGLBExternalIpAccessConstraintV1",
        },
        tags=("gateway", "network", "public-access"),
    ),
    check,
)
