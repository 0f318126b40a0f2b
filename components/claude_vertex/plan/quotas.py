"""The quota caps a stack sets: one quota preference per family, limit, region and base model, as of its date.

`guardrails.quotas` caps a model family; Vertex AI's quotas are per base model, and per region or per
multi-region. So a cap becomes one preference for each place the stack sends that family's calls (its region,
plus the regions its pins were moved to) and each distinct base model of the family's served, unretired models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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


def zero_caps(quotas: Mapping[str, QuotaCaps]) -> dict[str, str]:
    """Family -> the first limit `guardrails.quotas` sets to 0 for it: families the team may not call at all."""
    found: dict[str, str] = {}
    for family, family_caps in sorted(quotas.items()):
        zero = [limit for limit, value in family_caps.limits().items() if value == 0]
        if zero:
            found[family] = zero[0]
    return found


def quota_caps(quotas: Mapping[str, QuotaCaps], plan: ModelPlan, region: str, today: dt.date) -> tuple[QuotaCap, ...]:
    """One cap per family, limit, region and distinct `base_model` of the family's served, unretired models, and
    of each pinned model outside the catalog (`vertex.allowModelsOutsideCatalog`) of a capped family.

    The regions are where the stack sends each family's calls (its region, plus any override of a pin).
    """
    by_family = regions_by_family(plan, region)
    caps: dict[tuple[str, str, str], QuotaCap] = {}
    for family, family_caps in sorted(quotas.items()):
        regions = by_family[family]
        base_models = sorted({*_base_models(family, regions, today), *_outside_catalog(family, plan)})
        if not base_models:
            raise Refusal(
                f"quotas.{family}",
                family_caps.limits(),
                f"no {family} model of the catalog is served in {', '.join(regions)}: remove the cap",
            )
        for limit, value in family_caps.limits().items():
            for cap_region, base_model in base_models:
                cap = QuotaCap(family, limit, quota_id(cap_region, limit), cap_region, base_model, value)
                caps.setdefault((cap.quota_id, cap_region, base_model), cap)
    return tuple(caps.values())


def _base_models(family: str, regions: tuple[str, ...], today: dt.date) -> list[tuple[str, str]]:
    found: dict[tuple[str, str], None] = {}
    for region in regions:
        for model in catalog().family_models(family):
            if model.serves(region) and not model.retired(today):
                for base_model in model.quota.base_models(region):
                    found[(region, base_model)] = None
    return sorted(found)


def _outside_catalog(family: str, plan: ModelPlan) -> list[tuple[str, str]]:
    """(region, base_model) of each pinned model of `family` the catalog does not know.

    Its quota dimension is assumed to follow the catalog's pattern [U]: `anthropic-<id without @date>` per region,
    and the family's shared bucket on global and the multi-regions where the family has one.
    """
    buckets = {m.quota.familyBucket for m in catalog().family_models(family) if m.quota.familyBucket}
    found: list[tuple[str, str]] = []
    for pin in plan.pinned:
        if pin.entry is not None or pin.family != family:
            continue
        per_model = "anthropic-" + pin.model_id.split("@", 1)[0]
        shared = sorted(buckets)[:1] if pin.region == GLOBAL or pin.region in MULTI_REGIONS else []
        found.append((pin.region, shared[0] if shared else per_model))
    return found


def regions_by_family(plan: ModelPlan, region: str) -> dict[str, tuple[str, ...]]:
    """Where the stack sends each family's calls: its region, plus the regions its pins were moved to."""
    result: dict[str, tuple[str, ...]] = {}
    for family in catalog().families():
        pinned = [p.region for p in plan.pinned if p.family == family]
        result[family] = tuple(dict.fromkeys((region, *pinned)))
    return result
