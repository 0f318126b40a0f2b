"""The APIs the guardrails call in the team's project, each next to why, and which of them a stack needs.

An API is enabled only when a guardrail that calls it is on: nothing is enabled "just in case".
"""

from __future__ import annotations

from claude_vertex_gcp.services import CLOUD_QUOTAS, LOGGING, MONITORING

from claude_vertex.config.guardrails import GuardrailsConfig

# Monitoring: notification channels, the dashboard and alert policies; Logging: the log-based metric;
# Cloud Quotas: quota preferences.


def required_services(config: GuardrailsConfig) -> tuple[str, ...]:
    """The APIs the guardrails that are on call, each once: channels and the usage view, its metric, the caps."""
    services: list[str] = []
    if (config.budget is not None and config.budget.notify) or config.usage:
        services.append(MONITORING)
    if config.usage:
        services.append(LOGGING)
    if config.quotas:
        services.append(CLOUD_QUOTAS)
    return tuple(services)
