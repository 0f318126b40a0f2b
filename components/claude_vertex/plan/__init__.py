"""The team's plan: every model pin with the region it runs in, and the quota caps, as of the stack's one date.

Worked out once per team, from the validated config and the one clock (`config/clock.py`): `StackConfig` asks
for it as soon as every section is valid, so a pin or a cap that cannot work is a config error naming its key
before anything registers. `ClaudeVertexTeam` then hands each part to what needs it (the model access, the
guardrails, the environment and the outputs); nothing else resolves a pin or works out a cap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claude_vertex.config.base import Refusal
from claude_vertex.plan.models import ModelPlan, resolve_models
from claude_vertex.plan.quotas import QuotaCap, quota_caps, zero_caps

if TYPE_CHECKING:
    from claude_vertex.config.guardrails import GuardrailsConfig
    from claude_vertex.config.vertex import VertexConfig


@dataclass(frozen=True)
class TeamPlan:
    """What the stack's config means as of `today`: the pins Claude Code gets and the quota preferences to set."""

    today: dt.date
    """The one date the plan was worked out for: model retirements, default pins and quota caps follow it."""
    models: ModelPlan
    """Every alias pinned, the primary model, and the `VERTEX_REGION_*` variables."""
    quota_caps: tuple[QuotaCap, ...]
    """The quota preferences `guardrails.quotas` sets, one per family, limit, region and base model."""

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things that render but deserve a look (a pin retiring soon, a model not in the catalog)."""
        return self.models.warnings


def plan_team(vertex: VertexConfig, guardrails: GuardrailsConfig, today: dt.date) -> TeamPlan:
    """The plan as of `today`; a pin or cap that cannot work is a Refusal keyed from the stack's root."""
    try:
        models = resolve_models(vertex, today, zero_caps(guardrails.quotas))
    except Refusal as refusal:
        raise Refusal(f"vertex.{refusal.key}", refusal.value, refusal.allowed) from None
    try:
        caps = quota_caps(guardrails.quotas, models, vertex.region, today)
    except Refusal as refusal:
        raise Refusal(f"guardrails.{refusal.key}", refusal.value, refusal.allowed) from None
    return TeamPlan(today, models, caps)
