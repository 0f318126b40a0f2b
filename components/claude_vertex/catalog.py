"""The model catalog (`components/claude_vertex/models.yaml`) as typed, validated values, and the questions asked of it.

Every part of the program that needs to know something about a Claude model on Vertex asks here: which
models exist, which regions serve them, which `VERTEX_REGION_*` name Claude Code reads for them, when they
retire, what the quota dimension is. Nothing else hard-codes a model ID.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from claude_vertex_gcp.names import GLOBAL, MULTI_REGIONS, VERTEX_LOCATION
from pydantic import BaseModel, ConfigDict, Field, model_validator

CATALOG_FILE = Path(__file__).resolve().with_name("models.yaml")

ALIAS_VARIABLES: dict[str, tuple[str, ...]] = {
    "opus": ("ANTHROPIC_DEFAULT_OPUS_MODEL",),
    "sonnet": ("ANTHROPIC_DEFAULT_SONNET_MODEL",),
    # Older releases read the deprecated name, newer ones let the HAIKU one win for `--model haiku`: set both equal.
    "haiku": ("ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_SMALL_FAST_MODEL"),
    "fable": ("ANTHROPIC_DEFAULT_FABLE_MODEL",),
}
"""Every family alias Claude Code knows (`--model <alias>`) and the variables that pin it, in rendering order.

An alias missing here is one Claude Code resolves by itself, to a newer model on each update; a test reads the
aliases out of the pinned client binary (`ANTHROPIC_DEFAULT_<ALIAS>_MODEL_NAME`) and fails when one is missing."""
ALIASES = tuple(ALIAS_VARIABLES)
"""The Claude Code aliases a stack pins, in the order they are rendered."""
Family = Literal["opus", "sonnet", "haiku", "fable", "mythos"]
FAMILIES: tuple[str, ...] = get_args(Family)
FAMILY_IN_ID_RE = re.compile(rf"^claude-(?:[0-9]+-(?:[0-9]+-)?)?({'|'.join(FAMILIES)})(?:[-@]|$)")
"""The family in a Vertex model ID: `claude-opus-5-5`, `claude-3-7-sonnet@20250219`."""
ONE_M_SUFFIX = "[1m]"
MODEL_ID_RE = re.compile(r"^claude-[a-z0-9]+(?:-[a-z0-9]+)*(?:@[0-9]{8})?$")
REGION_RE = re.compile(rf"^{VERTEX_LOCATION}$")
REGION_VAR_RE = re.compile(r"^CLAUDE_[A-Z0-9]+(?:_[A-Z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quota(_Strict):
    """The `base_model` dimension of the model's Vertex quotas."""

    baseModel: str = Field(pattern=r"^anthropic-claude-[a-z0-9-]+$")
    familyBucket: str | None = Field(
        default=None,
        pattern=r"^anthropic-claude-[a-z]+$",
        description="shared per-family bucket on global and the multi-regions (models launched after 2026-05-26)",
    )

    def base_models(self, region: str) -> tuple[str, ...]:
        """The `base_model` value a quota preference for `region` names."""
        if self.familyBucket and region in (GLOBAL, *MULTI_REGIONS):
            return (self.familyBucket,)
        return (self.baseModel,)


class Model(_Strict):
    """One Claude model on Vertex AI."""

    id: str = Field(pattern=MODEL_ID_RE.pattern)
    family: Family
    version: str
    vertexRegionVar: str | None = Field(pattern=REGION_VAR_RE.pattern)
    regions: tuple[str, ...] = Field(min_length=1)
    context1m: bool
    retires: dt.date | None
    retiresSource: str | None = Field(
        default=None,
        min_length=1,
        description="where a retirement date the pinned Claude Code client does not give comes from",
    )
    successor: str | None
    quota: Quota
    recommended: bool = False

    @model_validator(mode="after")
    def _retirement_complete(self) -> Model:
        if self.retiresSource is not None and self.retires is None:
            raise ValueError(f"{self.id}: retiresSource without a retires date")
        if self.retires is not None and self.successor is None:
            raise ValueError(f"{self.id}: retires on {self.retires} but names no successor to pin instead")
        return self

    @property
    def region_variable(self) -> str | None:
        """`VERTEX_REGION_CLAUDE_HAIKU_4_5`: the variable Claude Code reads for this model's region."""
        return f"VERTEX_REGION_{self.vertexRegionVar}" if self.vertexRegionVar else None

    def serves(self, region: str) -> bool:
        return region in self.regions

    def retired(self, today: dt.date) -> bool:
        return self.retires is not None and self.retires <= today

    def days_left(self, today: dt.date) -> int | None:
        return None if self.retires is None else (self.retires - today).days


class Catalog(_Strict):
    """The whole catalog; its validators hold the facts every reader relies on."""

    checkedOn: dt.date
    models: tuple[Model, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Catalog:
        ids = [m.id for m in self.models]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate model ids: {duplicates}")
        variables = [m.vertexRegionVar for m in self.models if m.vertexRegionVar]
        if len(variables) != len(set(variables)):
            raise ValueError("two models share a vertexRegionVar")
        for model in self.models:
            if model.successor is not None and model.successor not in ids:
                raise ValueError(f"{model.id}: successor {model.successor} is not in the catalog")
            bad = [r for r in model.regions if not REGION_RE.match(r)]
            if bad:
                raise ValueError(f"{model.id}: invalid regions {bad}")
        for alias in ALIASES:
            recommended = [m.id for m in self.models if m.family == alias and m.recommended]
            if len(recommended) != 1:
                raise ValueError(f"family {alias} needs exactly one recommended model, has {recommended}")
        return self

    # -- questions --------------------------------------------------------------------------------------

    def get(self, model_id: str) -> Model | None:
        """The entry for a model ID (with or without a `[1m]` suffix), or None."""
        return self._by_id().get(strip_1m(model_id))

    def recommended(self, alias: str) -> Model:
        return next(m for m in self.models if m.family == alias and m.recommended)

    def regions(self) -> tuple[str, ...]:
        """Every location some Claude model is served in: what a stack's region may be."""
        return tuple(sorted({r for m in self.models for r in m.regions}, key=_region_order))

    def region_variables(self) -> dict[str, Model]:
        """`VERTEX_REGION_*` name -> model, for every name Claude Code reads."""
        return {m.region_variable: m for m in self.models if m.region_variable}

    def family_models(self, family: str) -> tuple[Model, ...]:
        return tuple(m for m in self.models if m.family == family)

    def families(self) -> tuple[str, ...]:
        """Every model family the catalog knows, sorted: the keys `guardrails.quotas` may have."""
        return tuple(sorted({m.family for m in self.models}))

    def _by_id(self) -> dict[str, Model]:
        return {m.id: m for m in self.models}


def _region_order(region: str) -> tuple[int, str]:
    return (0 if region == GLOBAL else 1 if region in MULTI_REGIONS else 2, region)


def family_of(model_id: str) -> str | None:
    """The family a model ID names (for a model the catalog does not know yet), or None when it names none."""
    found = FAMILY_IN_ID_RE.match(strip_1m(model_id))
    return found.group(1) if found else None


def strip_1m(model_id: str) -> str:
    return model_id[: -len(ONE_M_SUFFIX)] if model_id.endswith(ONE_M_SUFFIX) else model_id


@cache
def catalog(path: Path = CATALOG_FILE) -> Catalog:
    """The catalog, read and validated once per process."""
    # libyaml's loader when PyYAML was built with it: the pure-Python one costs the preview ~25 ms per run.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Catalog.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))
