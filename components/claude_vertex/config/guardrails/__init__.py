"""`claude-vertex:guardrails`: what a team may spend, how fast it may call Claude, and who sees what it used.

A dedicated project per team turns GCP's per-project controls into per-team controls: a budget on the project,
quota caps on its Vertex AI quotas, Data Access audit logs, and a usage dashboard built from them. One module
per concern (`budget`, `quotas`, `telemetry`; audit logs and usage are a flag each) and this section composing
them. What needs the rest of the stack (is the project adopted? which regions does the stack call?) is checked
once every section is valid: `budget.check_budget`, and the quota caps the plan works out (`claude_vertex.plan`).
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator, model_validator

from claude_vertex.config.base import Flag, Refusal, Section, key
from claude_vertex.config.guardrails.budget import BudgetConfig
from claude_vertex.config.guardrails.quotas import QuotaCaps, known_families
from claude_vertex.config.guardrails.telemetry import TelemetryConfig


class GuardrailsConfig(Section):
    """Spend, rate and visibility guardrails for the team's project."""

    budget: BudgetConfig | None = key(None, allowed="an object", doc="A monthly budget with alerts.")
    quotas: dict[str, QuotaCaps] = key(
        {},
        allowed="an object of model family to caps",
        doc="Caps on the project's Vertex AI quotas per model family of the catalog "
        "(`gcp.cloudquota.SQuotaPreference`). Decreases apply at once; increases are requests Google must approve.",
    )
    audit_logs: Flag = key(
        True,
        allowed="must be true or false",
        doc="Data Access (`DATA_READ`) audit logs for Vertex AI: who called which model. Kept on destroy.",
    )
    usage: Flag = key(
        True,
        allowed="must be true or false",
        doc="A log-based metric of Claude calls by principal and model, a dashboard and alert policies "
        "(needs `auditLogs`).",
    )
    telemetry: TelemetryConfig | None = key(
        None, allowed="an object", doc="Claude Code's OpenTelemetry export; adds the OTEL_* variables."
    )

    @field_validator("quotas", mode="before")
    @classmethod
    def _known_families(cls, value: Any) -> Any:
        return known_families(value)

    @model_validator(mode="after")
    def _usage_needs_audit_logs(self) -> GuardrailsConfig:
        if self.usage and not self.audit_logs:
            raise Refusal(
                "usage", True, "needs auditLogs: true (the usage metric counts Data Access logs); set usage: false"
            )
        return self
