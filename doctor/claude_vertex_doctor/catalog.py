"""The model catalog the doctor ships (`models.yaml`, a copy of the repository's `claude_vertex/models.yaml`).

Developers install the doctor without the repository, so it carries the catalog as package data; a test in the
repository fails when the copy drifts. Only the questions the doctor asks are answered here: which regions serve
a model, which `VERTEX_REGION_*` name Claude Code reads for it, when it retires, and what its quota is called.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from claude_vertex_gcp.names import GLOBAL, MULTI_REGIONS, VERTEX_LOCATION

ONE_M_SUFFIX = "[1m]"
REGION_RE = re.compile(rf"^{VERTEX_LOCATION}$")
"""A location's form: what `CLOUD_ML_REGION` and `VERTEX_REGION_*` may hold (as the catalog's own reader checks)."""


@dataclass(frozen=True)
class Model:
    """One Claude model on Vertex AI, as far as the doctor needs it."""

    id: str
    family: str
    region_var: str | None
    regions: tuple[str, ...]
    retires: dt.date | None
    successor: str | None
    base_model: str
    family_bucket: str | None

    @property
    def region_variable(self) -> str | None:
        """`VERTEX_REGION_CLAUDE_HAIKU_4_5`: the variable Claude Code reads for this model's region."""
        return f"VERTEX_REGION_{self.region_var}" if self.region_var else None

    def quota_base_model(self, region: str) -> str:
        """The `base_model` dimension of this model's quota in `region` (a family bucket on global/multi-regions)."""
        if self.family_bucket and region in (GLOBAL, *MULTI_REGIONS):
            return self.family_bucket
        return self.base_model


@dataclass(frozen=True)
class Catalog:
    checked_on: str
    models: tuple[Model, ...]

    def get(self, model_id: str) -> Model | None:
        """The entry for a model ID as pinned (a `[1m]` suffix is not part of the ID), or None."""
        wanted = strip_1m(model_id)
        return next((m for m in self.models if m.id == wanted), None)

    def region_variables(self) -> dict[str, Model]:
        """Every `VERTEX_REGION_*` name Claude Code reads, and its model."""
        return {m.region_variable: m for m in self.models if m.region_variable}

    def regions(self) -> tuple[str, ...]:
        """Every location some Claude model is served in: what the team's stack accepts as a region (as the
        program's catalog answers it): global, the multi-regions, then regions."""
        return tuple(sorted({r for m in self.models for r in m.regions}, key=_region_order))

    def families(self) -> tuple[str, ...]:
        return tuple(sorted({m.family for m in self.models}))

    def family_of(self, model_id: str) -> str | None:
        """The family of a pinned model: the catalog's word, else a family's name as a word of the ID
        (`claude-opus-9` is an opus model; the stack lets a platform pin models outside the catalog)."""
        entry = self.get(model_id)
        if entry is not None:
            return entry.family
        words = set(re.split(r"[-@.\[\]]", strip_1m(model_id).lower()))
        named = [f for f in self.families() if f in words]
        return named[0] if len(named) == 1 else None


def _region_order(region: str) -> tuple[int, str]:
    return (0 if region == GLOBAL else 1 if region in MULTI_REGIONS else 2, region)


def strip_1m(model_id: str) -> str:
    return model_id[: -len(ONE_M_SUFFIX)] if model_id.endswith(ONE_M_SUFFIX) else model_id


def _model(entry: dict) -> Model:
    retires = entry.get("retires")
    return Model(
        id=entry["id"],
        family=entry["family"],
        region_var=entry.get("vertexRegionVar"),
        regions=tuple(entry["regions"]),
        retires=dt.date.fromisoformat(str(retires)) if retires else None,
        successor=entry.get("successor"),
        base_model=entry["quota"]["baseModel"],
        family_bucket=entry["quota"].get("familyBucket"),
    )


def parse(text: str) -> Catalog:
    data = yaml.safe_load(text)
    return Catalog(checked_on=str(data["checkedOn"]), models=tuple(_model(m) for m in data["models"]))


def catalog_text() -> str:
    return resources.files(__package__).joinpath("models.yaml").read_text(encoding="utf-8")


@cache
def catalog() -> Catalog:
    """The bundled catalog, read once per process."""
    return parse(catalog_text())
