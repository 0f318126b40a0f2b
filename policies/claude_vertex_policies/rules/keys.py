"""No long-lived credentials of any kind: service-account keys, HMAC keys, API keys bound to an account,
OAuth client credentials.

A key is a long-lived bearer credential that ends up in CI variables, laptops and chat logs, and it
is stored in the Pulumi state. Claude Code needs none: developers impersonate a service account with
their own ADC, and CI federates its OIDC token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.resource_types import (
    API_KEY,
    HMAC_KEY,
    OAUTH_CLIENT,
    OAUTH_CLIENT_CREDENTIAL,
    SERVICE_ACCOUNT_KEY,
)
from pulumi_policy import EnforcementLevel, Severity

from ..values import known_str
from .base import ResourceRule, RuleInfo


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    account = known_str(props.get("serviceAccountId")) or known_str(props.get("serviceAccountEmail"))
    of = f" for {account}" if account else ""
    if resource_type == SERVICE_ACCOUNT_KEY:
        kind = "an uploaded public key" if props.get("publicKeyData") else "a private key"
        return [f"Creates {kind}{of}: a long-lived credential that outlives every rotation promise."]
    if resource_type == HMAC_KEY:
        return [f"Creates a Cloud Storage HMAC key{of}: a long-lived secret that acts as the service account."]
    if resource_type == API_KEY and props.get("serviceAccountEmail"):
        return [f"Creates an API key bound to {account or 'a service account'}: a long-lived secret that acts as it."]
    if resource_type in {OAUTH_CLIENT, OAUTH_CLIENT_CREDENTIAL}:
        return ["Creates OAuth client credentials: a long-lived client secret that signs users in as this client."]
    return []


RULE = ResourceRule(
    RuleInfo(
        name="no-service-account-keys",
        description="No long-lived credentials: service-account keys (generated or uploaded), HMAC keys, API keys "
        "bound to an account, OAuth client credentials.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Delete the key or credential resource. Developers impersonate the service account "
        "(roles/iam.serviceAccountTokenCreator on that account); CI uses workload identity federation "
        "(claude-vertex:ci).",
        equivalents={
            "Checkov": "CKV2_GCP_3 (only GCP-managed service account keys)",
            "Policy Library": "GCPIAMRestrictServiceAccountKeyTypeConstraintV1 (user-managed keys)",
            "Trivy": "none",
        },
        tags=("iam", "credentials"),
    ),
    check,
)
