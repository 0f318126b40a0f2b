"""The quota caps a stack sets: one quota preference per family, limit, region and base model, as of its date.

`guardrails.quotas` caps a model family; Vertex AI's quotas are per base model, and per region or per
multi-region. So a cap becomes one preference for each place the stack sends that family's calls (its region,
plus the regions its pins were moved to) and each distinct base model of the family's served, unretired models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claude_vertex_gcp.names import GLOBAL, MULTI_REGIONS

from claude_vertex.catalog import catalog
from claude_vertex.config.base import Refusal

if TYPE_CHECKING:
    from claude_vertex.config.guardrails.quotas import QuotaCaps
    from claude_vertex.plan.models import ModelPlan


@dataclass(frozen=True)
class QuotaCap:
    """One quota preference to set: which quota, for which dimensions, at what value."""

    family: str
    limit: str
    quota_id: str
    region: str
    base_model: str
    value: int

    @property
    def dimensions(self) -> dict[str, str]:
        if self.region == GLOBAL or self.region in MULTI_REGIONS:
            return {"base_model": self.base_model}
        return {"region": self.region, "base_model": self.base_model}


# Quota IDs (not metric names: a metric name answers 404 "Limit ... does not exist"), by region form and limit.
_QUOTA_IDS: dict[str, dict[str, str]] = {
    "global": {
        "inputTokensPerMinute": "GlobalOnlinePredictionInputTokensPerMinutePerBaseModel",
        "outputTokensPerMinute": "GlobalOnlinePredictionOutputTokensPerMinutePerBaseModel",
        "requestsPerMinute": "GlobalOnlinePredictionRequestsPerMinutePerProjectPerBaseModel",
    },
    "us": {
        "inputTokensPerMinute": "UsOnlinePredictionInputTokensPerMinutePerBaseModel",
        "outputTokensPerMinute": "UsOnlinePredictionOutputTokensPerMinutePerBaseModel",
        "requestsPerMinute": "UsOnlinePredictionRequestsPerMinPerProjectPerBaseModel",
    },
    "eu": {
        "inputTokensPerMinute": "EuOnlinePredictionInputTokensPerMinutePerBaseModel",
        "outputTokensPerMinute": "EuOnlinePredictionOutputTokensPerMinutePerBaseModel",
        "requestsPerMinute": "EuOnlinePredictionRequestsPerMinPerProjectPerBaseModel",
    },
    "region": {
        "inputTokensPerMinute": "OnlinePredictionInputTokensPerMinutePerRegionPerBaseModel",
        "outputTokensPerMinute": "OnlinePredictionOutputTokensPerMinutePerRegionPerBaseModel",
        "requestsPerMinute": "OnlinePredictionRequestsPerMinutePerProjectPerRegionPerBaseModel",
    },
}


def quota_id(region: str, limit: str) -> str:
    """The quota ID of `limit` (`inputTokensPerMinute` ...) for the region form of `region`."""
    return _QUOTA_IDS[region if region in _QUOTA_IDS else "region"][limit]


def quota_caps(
    quotas: dict[str, QuotaCaps], regions_by_family: dict[str, tuple[str, ...]], today: dt.date
) -> tuple[QuotaCap, ...]:
    """One cap per family, limit, region and distinct `base_model` of the family's served, unretired models.

    `regions_by_family` is where the stack sends each family's calls (its region, plus any override of a pin).
    """
    caps: dict[tuple[str, str, str], QuotaCap] = {}
    for family, family_caps in sorted(quotas.items()):
        regions = regions_by_family[family]
        base_models = _base_models(family, regions, today)
        if not base_models:
            raise Refusal(
                f"quotas.{family}",
                family_caps.limits(),
                f"no {family} model of the catalog is served in {', '.join(regions)}: remove the cap",
            )
        for limit, value in family_caps.limits().items():
            for region, base_model in base_models:
                cap = QuotaCap(family, limit, quota_id(region, limit), region, base_model, value)
                caps.setdefault((cap.quota_id, region, base_model), cap)
    return tuple(caps.values())


def _base_models(family: str, regions: tuple[str, ...], today: dt.date) -> list[tuple[str, str]]:
    found: dict[tuple[str, str], None] = {}
    for region in regions:
        for model in catalog().family_models(family):
            if model.serves(region) and not model.retired(today):
                for base_model in model.quota.base_models(region):
                    found[(region, base_model)] = None
    return sorted(found)


def regions_by_family(plan: ModelPlan, region: str) -> dict[str, tuple[str, ...]]:
    """Where the stack sends each family's calls: its region, plus the regions its pins were moved to."""
    result: dict[str, tuple[str, ...]] = {}
    for family in catalog().families():
        pinned = [p.region for p in plan.pinned if p.entry is not None and p.entry.family == family]
        result[family] = tuple(dict.fromkeys((region, *pinned)))
    return result
