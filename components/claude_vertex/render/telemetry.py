"""Claude Code's own OpenTelemetry export: the variables that turn it on, and where they must be installed.

Claude Code reads its OTEL variables from the process environment and from managed settings, but ignores them
in project settings files (a repository must not be able to send a developer's telemetry elsewhere). So the
stack hands them out twice: merged into the developer environment (shell exports, `.env`), and alone as
`managedSettings`, the `managed-settings.json` an MDM or configuration tool installs on each machine (with every
alias pin beside them, so no other settings file on the machine can unpin an alias).
Pure functions: no Pulumi here, so every rendering is tested on plain values.
"""

from __future__ import annotations

from collections.abc import Mapping

from claude_vertex.catalog import ALIAS_VARIABLES
from claude_vertex.config.guardrails.telemetry import TelemetryConfig

ENABLE = "CLAUDE_CODE_ENABLE_TELEMETRY"


def telemetry_env(team: str, project_id: str, telemetry: TelemetryConfig | None) -> dict[str, str]:
    """The OTEL variables for a team's developers; empty when telemetry is not configured."""
    if telemetry is None:
        return {}
    return {
        ENABLE: "1",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_LOGS_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": telemetry.protocol,
        "OTEL_EXPORTER_OTLP_ENDPOINT": telemetry.otlp_endpoint,
        # Team names and project IDs are [a-z0-9-]: nothing here needs the W3C baggage percent-encoding.
        "OTEL_RESOURCE_ATTRIBUTES": f"team={team},gcp.project_id={project_id}",
    }


PINS = frozenset(variable for variables in ALIAS_VARIABLES.values() for variable in variables)


def managed_settings(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """`managed-settings.json`: `{"env": {...}}` with the telemetry variables of `env` and every alias pin.

    Managed settings win over every other settings file on the machine, so the pins there keep each alias on the
    team's model whatever a user or project settings file says.
    """
    return {"env": {k: v for k, v in env.items() if k == ENABLE or k.startswith("OTEL_") or k in PINS}}
