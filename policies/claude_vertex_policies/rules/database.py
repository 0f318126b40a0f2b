"""The gateway's PostgreSQL (Cloud SQL): reachable on a private IP only, over TLS, and recoverable.

Two concerns, two rules. Exposure: every developer's identity, session and spend lives in this database, so it has
no public address (`ipv4Enabled` is true unless set false: Google assigns one by default), no authorized networks,
no Private Service Connect endpoint for other projects, a private network, and refuses unencrypted connections.
Recoverability: the spend caps and sessions are the gateway's state, so backups run with point-in-time recovery,
and neither `pulumi destroy` (`deletionProtection`, which pulumi-gcp 10.2.0 defaults to true) nor the console or
API (`settings.deletionProtectionEnabled`, off by default) deletes the instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.resource_types import SQL_INSTANCE
from pulumi_policy import EnforcementLevel, Severity

from ..values import flag, has_unknown, is_unknown, known_str, labelled, maybe_true, shown
from .base import ResourceRule, RuleInfo

ENCRYPTED_SSL_MODES = ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
"""`sslMode` values that refuse plain-text connections; Cloud SQL's default is ALLOW_UNENCRYPTED_AND_ENCRYPTED."""


def _said(value: Any) -> str:
    return "absent" if value is None else shown(value)


def _entries(value: Any) -> list[Any]:
    """A list input's entries; an unknown or malformed list is one entry the caller cannot read."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _section(props: Mapping[str, Any], *path: str) -> Mapping[str, Any] | None:
    """A nested object (`settings.ipConfiguration`), {} when absent, None when unknown or not an object."""
    value: Any = props
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            return {}
        if is_unknown(value) or not isinstance(value, Mapping):
            return None
    return value


def _exposure(props: Mapping[str, Any]) -> list[str]:
    ip = _section(props, "settings", "ipConfiguration")
    if ip is None:
        return ["its settings.ipConfiguration cannot be read (unknown at preview, or not an object)"]
    problems = []
    if flag(ip.get("ipv4Enabled")) is not False:
        value = ip.get("ipv4Enabled")
        problems.append(
            "it gets a public IP address (ipv4Enabled is "
            f"{'absent, which Google reads as true' if value is None else shown(value)})"
        )
    networks = ip.get("authorizedNetworks")
    if networks not in (None, []):
        problems.append(f"it admits authorizedNetworks ({shown(networks)})")
    psc = ip.get("pscConfigs")
    if any(not isinstance(e, Mapping) or maybe_true(e.get("pscEnabled")) for e in _entries(psc)):
        problems.append(f"it is published over Private Service Connect to other projects (pscConfigs is {_said(psc)})")
    private = ip.get("privateNetwork")
    if not (known_str(private) or is_unknown(private)):
        problems.append("it names no privateNetwork, so it has no private address either")
    mode = ip.get("sslMode")
    if known_str(mode) not in ENCRYPTED_SSL_MODES:
        problems.append(
            f"it accepts unencrypted connections (sslMode is "
            f"{'absent, which Cloud SQL reads as ALLOW_UNENCRYPTED_AND_ENCRYPTED' if mode is None else shown(mode)})"
        )
    return problems


def check_private_ip(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != SQL_INSTANCE:
        return []
    what = labelled("Cloud SQL instance", props)
    return [
        f"{what}: {problem}; the gateway's database holds every developer's identity, sessions and spend, and is "
        "reached from the gateway's own network only."
        for problem in _exposure(props)
    ]


DATABASE_PRIVATE_IP_ONLY = ResourceRule(
    RuleInfo(
        name="database-private-ip-only",
        description="Cloud SQL instances have no public IP, no authorized networks or PSC, a private network, and "
        "refuse unencrypted connections.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set settings.ipConfiguration to {ipv4Enabled: false, privateNetwork: <the gateway's network>, "
        "sslMode: ENCRYPTED_ONLY} with no authorizedNetworks or pscConfigs (the gateway component does), and reach "
        "the database through private services access.",
        equivalents={
            "Checkov": "CKV_GCP_60 (public IP), CKV_GCP_11 (open authorized networks), CKV_GCP_6 (SSL)",
            "Trivy": "AVD-GCP-0017 no-public-access, AVD-GCP-0015 encrypt-in-transit-data",
            "Policy Library": "GCPSQLPublicIpConstraintV1, GCPSQLAllowedAuthorizedNetworksConstraintV1, "
            "GCPSQLSSLConstraintV1",
        },
        tags=("gateway", "database", "network", "public-access"),
    ),
    check_private_ip,
)


def _recoverability(props: Mapping[str, Any]) -> list[str]:
    problems = []
    backups = _section(props, "settings", "backupConfiguration")
    if backups is None or has_unknown(backups):
        problems.append("its settings.backupConfiguration cannot be read (unknown at preview, or not an object)")
    else:
        if flag(backups.get("enabled")) is not True:
            enabled = _said(backups.get("enabled"))
            problems.append(f"it takes no automated backups (backupConfiguration.enabled is {enabled})")
        if flag(backups.get("pointInTimeRecoveryEnabled")) is not True:
            problems.append(
                "it cannot be restored to a point in time (backupConfiguration.pointInTimeRecoveryEnabled is "
                f"{_said(backups.get('pointInTimeRecoveryEnabled'))})"
            )
    if flag(props.get("deletionProtection", True)) is not True:
        protection = _said(props.get("deletionProtection"))
        problems.append(f"`pulumi destroy` or a replacement deletes it (deletionProtection is {protection})")
    settings = _section(props, "settings")
    enabled = settings.get("deletionProtectionEnabled") if settings is not None else None
    if flag(enabled) is not True:
        problems.append(
            f"anyone with the right role can delete it outside Pulumi (settings.deletionProtectionEnabled is "
            f"{_said(enabled)})"
        )
    return problems


def check_recoverable(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != SQL_INSTANCE:
        return []
    what = labelled("Cloud SQL instance", props)
    return [
        f"{what}: {problem}; losing it loses every spend cap, session and sign-in the gateway holds."
        for problem in _recoverability(props)
    ]


DATABASE_RECOVERABLE = ResourceRule(
    RuleInfo(
        name="database-recoverable",
        description="Cloud SQL instances take backups with point-in-time recovery and are protected from deletion, "
        "in Pulumi and in GCP.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set settings.backupConfiguration {enabled: true, pointInTimeRecoveryEnabled: true}, "
        "settings.deletionProtectionEnabled: true, and keep deletionProtection true (the gateway component does).",
        equivalents={
            "Checkov": "CKV_GCP_14 (backups)",
            "Trivy": "AVD-GCP-0024 enable-backup",
            "Policy Library": "GCPSQLBackupConstraintV1",
        },
        tags=("gateway", "database", "resilience"),
    ),
    check_recoverable,
)
