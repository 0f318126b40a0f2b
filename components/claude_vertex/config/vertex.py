"""`claude-vertex:vertex`: where Claude runs and which model each Claude Code alias resolves to.

The section as the stack file has it. Every alias is always pinned: `claude_vertex.plan.models` turns this
section plus the model catalog, as of the stack's date, into the model plan that validation and rendering read.
"""

from __future__ import annotations

from pydantic import field_validator

from claude_vertex.catalog import catalog
from claude_vertex.config.base import Flag, Refusal, Section, Text, key


def regions_text() -> str:
    """Every location that serves Claude, for the error lines that name them."""
    return ", ".join(catalog().regions())


class ModelPins(Section):
    """What each Claude Code alias resolves to (ANTHROPIC_DEFAULT_<ALIAS>_MODEL)."""

    opus: Text | None = key(
        None,
        allowed='a Vertex Claude model ID such as claude-opus-5-5, optionally with "[1m]"',
        doc="`ANTHROPIC_DEFAULT_OPUS_MODEL`: the model `opus` (and Claude Code's Opus default) calls.",
        default_text="the catalog's recommended opus model",
    )
    sonnet: Text | None = key(
        None,
        allowed='a Vertex Claude model ID such as claude-sonnet-5-5, optionally with "[1m]"',
        doc="`ANTHROPIC_DEFAULT_SONNET_MODEL`: the model `sonnet` calls.",
        default_text="the catalog's recommended sonnet model",
    )
    haiku: Text | None = key(
        None,
        allowed="a Vertex Claude model ID such as claude-haiku-4-5@20251001",
        doc="`ANTHROPIC_DEFAULT_HAIKU_MODEL` (and `ANTHROPIC_SMALL_FAST_MODEL` for older clients): the model `haiku` "
        "and Claude Code's background tasks call.",
        default_text="the catalog's recommended haiku model",
    )
    fable: Text | None = key(
        None,
        allowed="a Vertex Claude model ID such as claude-fable-5-2",
        doc="`ANTHROPIC_DEFAULT_FABLE_MODEL`: the model `fable` calls. Where no fable model is served in the team's "
        "region, or the team's guardrails cap fable at 0, the alias runs the primary model and the preview says so.",
        default_text="the catalog's recommended fable model, else the primary model",
    )


class VertexConfig(Section):
    """Vertex AI region and models."""

    region: Text = key(
        "global",
        allowed="a location that serves Claude: global, us, eu or a region of the model catalog",
        doc="`CLOUD_ML_REGION`: `global`, the `us` / `eu` multi-regions, or a region that serves Claude "
        "(components/claude_vertex/models.yaml lists them).",
    )
    models: ModelPins = key(
        {},
        allowed="an object with keys opus, sonnet, haiku, fable",
        doc="What each Claude Code alias resolves to. Every alias is always pinned: unset ones get the catalog's "
        "recommended model, and the preview says which came from defaults.",
        validate_default=True,
    )
    primary_model: Text = key(
        "sonnet",
        allowed='an alias (opus, sonnet, haiku, fable) or a Vertex Claude model ID, optionally with "[1m]"',
        doc="`ANTHROPIC_MODEL`: the model a plain `claude` session uses.",
    )
    region_overrides: dict[str, Text] = key(
        {},
        allowed="an object of alias, model ID or Claude Code model key (CLAUDE_HAIKU_4_5) to a region",
        doc="Run one model elsewhere: by alias (`haiku: us-east5`), model ID, or the older spelling with the "
        "Claude Code model key (`CLAUDE_HAIKU_4_5: us-east5`). The program writes the `VERTEX_REGION_*` name "
        "Claude Code reads for that model.",
    )
    small_fast_model: Text | None = key(
        None,
        allowed="a Vertex Claude model ID such as claude-haiku-4-5@20251001",
        doc="Older spelling of `models.haiku`, kept working.",
    )
    enable_models: Flag = key(
        False,
        allowed="must be true or false",
        doc="Enable every pinned model in Model Garden (`gcp.vertex.AiModelGardenEnableModel`). Anthropic's terms "
        "must have been accepted once in the console for the project (see the README).",
    )
    restrict_models: Flag = key(
        False,
        allowed="must be true or false",
        doc="Allow exactly the pinned models in the project with the org policy `constraints/vertexai.allowedModels` "
        "(`gcp.orgpolicy.Policy`). Only for projects the stack creates; the deployer needs "
        "`roles/orgpolicy.policyAdmin` at the organization.",
    )
    allow_models_outside_catalog: Flag = key(
        False,
        allowed="must be true or false",
        doc="Let a pin name a model the catalog does not know yet (a launch newer than this package). Its regions "
        "and retirement go unchecked; its family is read from its ID, so `guardrails.quotas` caps it too.",
    )
    disable_prompt_caching: Flag = key(
        False, allowed="must be true or false", doc="`DISABLE_PROMPT_CACHING=1` when true."
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region not in catalog().regions():
            raise Refusal("", region, f"global, us, eu or a GCP region that serves Claude ({regions_text()})")
        return region
