"""`claude-vertex:guardrails.quotas`: per-minute caps on each model family's Vertex AI quotas.

The section as the stack file has it; which quota preferences it sets (per region and base model, as of the
stack's date) is the plan's to work out (`claude_vertex.plan.quotas`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Strict, model_validator

from claude_vertex.catalog import catalog
from claude_vertex.config.base import Refusal, Section, did_you_mean, key

MAX_QUOTA_VALUE = 10**12

Count = Annotated[int, Strict()]


class QuotaCaps(Section):
    """Per-minute caps on one model family's Vertex AI quotas in the team project (0 = none at all)."""

    input_tokens_per_minute: Count | None = key(
        None,
        allowed=f"a whole number from 0 to {MAX_QUOTA_VALUE}",
        doc="Input tokens per minute for the family.",
        ge=0,
        le=MAX_QUOTA_VALUE,
    )
    output_tokens_per_minute: Count | None = key(
        None,
        allowed=f"a whole number from 0 to {MAX_QUOTA_VALUE}",
        doc="Output tokens per minute for the family.",
        ge=0,
        le=MAX_QUOTA_VALUE,
    )
    requests_per_minute: Count | None = key(
        None,
        allowed=f"a whole number from 0 to {MAX_QUOTA_VALUE}",
        doc="Requests per minute for the family; 0 = the team may not use it at all.",
        ge=0,
        le=MAX_QUOTA_VALUE,
    )

    @model_validator(mode="before")
    @classmethod
    def _something(cls, data: Any) -> Any:
        names = cls.keys()
        data = cls.spelled(data) if isinstance(data, dict) else data
        # Unknown keys are left to the "unknown key" error, which names the allowed ones.
        if isinstance(data, dict) and set(data) <= set(names) and not any(data.get(k) is not None for k in names):
            raise Refusal("", data, f"set at least one of {', '.join(names)}")
        return data

    def limits(self) -> dict[str, int]:
        """Limit name (`inputTokensPerMinute` ...) -> value, for the limits that are set."""
        return {k: v for k, v in self.model_dump(by_alias=True).items() if v is not None}


def known_families(value: Any) -> Any:
    """The section's keys are model families of the catalog: anything else is refused, naming them."""
    if isinstance(value, dict):
        for family in value:
            if family not in catalog().families():
                suggestion = did_you_mean(str(family), catalog().families())
                hint = "" if suggestion is None else f"unknown family (did you mean {suggestion}?); "
                allowed = f"{hint}a model family of the catalog: {', '.join(catalog().families())}"
                raise Refusal(family, value[family], allowed)
    return value
