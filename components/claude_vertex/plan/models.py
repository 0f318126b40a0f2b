"""The model plan: which model each Claude Code alias resolves to, where it runs, as of the stack's date.

Every alias is always pinned (Claude Code moves an unpinned alias to a newer, pricier model on an update), so
the resolution below turns the `vertex` section plus the model catalog into a `ModelPlan`: one `Pin` per alias
and one for the primary model, each with its effective region. A pin that cannot work (retired, not served where
it would run, no 1M context) is a `Refusal` keyed inside the section; a pin that deserves a look is a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from claude_vertex_gcp import names

from claude_vertex.catalog import ALIASES, MODEL_ID_RE, ONE_M_SUFFIX, REGION_VAR_RE, Model, catalog, strip_1m
from claude_vertex.config.base import Refusal
from claude_vertex.config.vertex import VertexConfig, regions_text

RETIREMENT_WARNING_DAYS = 30
"""A pin retiring within this many days renders, with a warning naming the date."""


@dataclass(frozen=True)
class Pin:
    """One resolved model: what Claude Code is told (`rendered`), where it runs, and where the value came from."""

    alias: str
    model_id: str
    one_m: bool
    region: str
    from_default: bool
    entry: Model | None

    @property
    def rendered(self) -> str:
        return self.model_id + (ONE_M_SUFFIX if self.one_m else "")

    @property
    def publisher_model(self) -> str:
        """`publishers/anthropic/models/claude-sonnet-4-5`: Model Garden and org policy name models without @date."""
        return names.publisher_model(self.model_id)


@dataclass(frozen=True)
class ModelPlan:
    """Every alias pinned, the primary model, and the `VERTEX_REGION_*` variables to write."""

    aliases: dict[str, Pin]
    primary: Pin
    region_variables: dict[str, str]
    warnings: tuple[str, ...]

    @property
    def pinned(self) -> tuple[Pin, ...]:
        """Each distinct model the environment can call, in alias order, primary last."""
        seen: dict[str, Pin] = {}
        for pin in (*self.aliases.values(), self.primary):
            seen.setdefault(pin.model_id, pin)
        return tuple(seen.values())


def _check_model(key_path: str, text: Any, today: dt.date, warnings: list[str]) -> tuple[str, bool, Model | None]:
    """(model ID, 1M suffix, catalog entry) of one pin, refused when it cannot work."""
    if not isinstance(text, str):
        raise Refusal(key_path, text, "a Vertex Claude model ID such as claude-sonnet-5-5")
    model_id = strip_1m(text)
    one_m = model_id != text
    if not MODEL_ID_RE.match(model_id):
        raise Refusal(
            key_path,
            text,
            'a Vertex Claude model ID such as claude-sonnet-5-5 or claude-haiku-4-5@20251001, optionally with "[1m]"',
        )
    entry = catalog().get(model_id)
    if entry is None:
        warnings.append(
            f"vertex.{key_path}: {model_id} is not in the model catalog (claude_vertex/models.yaml): its regions, "
            "retirement and quota cannot be checked"
        )
        return model_id, one_m, None
    if entry.retired(today):
        successor = f"; pin {entry.successor} instead" if entry.successor else ""
        raise Refusal(key_path, text, f"{model_id} was retired on Vertex AI on {entry.retires}{successor}")
    days = entry.days_left(today)
    if days is not None and days <= RETIREMENT_WARNING_DAYS:
        successor = f"; pin {entry.successor} before then" if entry.successor else ""
        warnings.append(
            f"vertex.{key_path}: {model_id} retires on Vertex AI on {entry.retires} (in {days} days){successor}"
        )
    if one_m and not entry.context1m:
        raise Refusal(key_path, text, f'{model_id} has no 1M-token context: drop "{ONE_M_SUFFIX}"')
    return model_id, one_m, entry


DEFAULT_PIN_HORIZON_DAYS = 90
"""Defaults never pin a model retiring within this many days."""


def default_pin(alias: str, region: str, today: dt.date) -> str:
    """The catalog's recommended model for an alias, or, where that one is not served, the first model of the
    family (catalog order is preference order) that is served in `region` and not retiring soon."""
    recommended = catalog().recommended(alias)
    candidates = (recommended, *catalog().family_models(alias))
    for model in candidates:
        days = model.days_left(today)
        if model.serves(region) and (days is None or days > DEFAULT_PIN_HORIZON_DAYS):
            return model.id
    return recommended.id


def resolve_models(vertex: VertexConfig, today: dt.date) -> ModelPlan:
    """Pins for every alias and the primary model, effective regions, `VERTEX_REGION_*` variables; or a Refusal."""
    warnings: list[str] = []
    pins_given = vertex.models.model_dump()
    if vertex.small_fast_model is not None:
        if pins_given["haiku"] is not None and pins_given["haiku"] != vertex.small_fast_model:
            raise Refusal("smallFastModel", vertex.small_fast_model, "must equal models.haiku when both are set")
        pins_given["haiku"] = vertex.small_fast_model
    overrides = _overrides(vertex.region_overrides)
    legacy_variables = _variable_overrides(vertex.region_overrides)

    def pin(alias: str, key_path: str, text: str, from_default: bool) -> Pin:
        model_id, one_m, entry = _check_model(key_path, text, today, warnings)
        legacy = legacy_variables.get(entry.region_variable or "") if entry is not None else None
        region = overrides.get(alias) or overrides.get(model_id) or legacy or vertex.region
        if entry is not None and not entry.serves(region):
            fix = f"set vertex.regionOverrides.{alias if alias in ALIASES else model_id} to one of them"
            raise Refusal(
                key_path,
                text,
                f"{model_id} is not served in {region}; it is served in {', '.join(entry.regions)} ({fix})",
            )
        return Pin(alias, model_id, one_m, region, from_default, entry)

    aliases: dict[str, Pin] = {}
    for alias in ALIASES:
        given = pins_given[alias]
        key_path = "smallFastModel" if alias == "haiku" and vertex.models.haiku is None and given else f"models.{alias}"
        text = given if given is not None else default_pin(alias, overrides.get(alias) or vertex.region, today)
        aliases[alias] = pin(alias, key_path, text, given is None)

    primary_text = vertex.primary_model
    alias_of_primary = strip_1m(primary_text)
    if alias_of_primary in ALIASES:
        # An alias: its pin, where it runs, and its 1M window unless "[1m]" asks for one.
        base = aliases[alias_of_primary]
        one_m = base.one_m or primary_text.endswith(ONE_M_SUFFIX)
        if one_m and base.entry is not None and not base.entry.context1m:
            raise Refusal(
                "primaryModel", primary_text, f'{base.model_id} has no 1M-token context: drop "{ONE_M_SUFFIX}"'
            )
        primary = replace(base, alias="primary", one_m=one_m)
    else:
        primary = pin("primary", "primaryModel", primary_text, False)

    variables = dict(legacy_variables)
    for current in (*aliases.values(), primary):
        if current.region == vertex.region:
            continue
        if current.entry is None or current.entry.region_variable is None:
            raise Refusal(
                "regionOverrides",
                vertex.region_overrides,
                f"Claude Code reads no VERTEX_REGION_* variable for {current.model_id}, so it cannot run outside "
                f"{vertex.region}; remove its override",
            )
        name = current.entry.region_variable
        if variables.get(name, current.region) != current.region:
            # Claude Code routes by model, not by alias: one model cannot run in two places.
            raise Refusal(
                "regionOverrides",
                vertex.region_overrides,
                f"{current.model_id} would run in both {variables[name]} and {current.region} ({name}); "
                "give every alias pinned to it the same region",
            )
        variables[name] = current.region
    for name in variables:
        unused = name not in {p.entry.region_variable for p in (*aliases.values(), primary) if p.entry is not None}
        if unused:
            warnings.append(f"vertex.regionOverrides: {name} is set but no pinned model uses it")
    return ModelPlan(aliases, primary, dict(sorted(variables.items())), tuple(dict.fromkeys(warnings)))


def _region_rule(key_path: str, region: Any) -> str:
    if not isinstance(region, str) or region not in catalog().regions():
        raise Refusal(key_path, region, f"global, us, eu or a GCP region that serves Claude ({regions_text()})")
    return region


def _overrides(raw: dict[str, str]) -> dict[str, str]:
    """Overrides by alias or model ID, checked; the older CLAUDE_* keys are checked here and returned by
    `_variable_overrides`."""
    result: dict[str, str] = {}
    variables = catalog().region_variables()
    for name, region in raw.items():
        key_path = f"regionOverrides.{name}"
        if name in ALIASES or (MODEL_ID_RE.match(name) and catalog().get(name) is not None):
            result[name] = _region_rule(key_path, region)
        elif REGION_VAR_RE.match(name):
            if f"VERTEX_REGION_{name}" not in variables:
                raise Refusal(
                    f"regionOverrides.{name}",
                    region,
                    f"Claude Code reads no VERTEX_REGION_{name}; use an alias (opus, sonnet, haiku) or a catalog "
                    "model ID",
                )
            _region_rule(key_path, region)
        else:
            raise Refusal(
                key_path,
                region,
                "override keys are an alias (opus, sonnet, haiku), a catalog model ID, or Claude Code's "
                "upper-case model keys such as CLAUDE_HAIKU_4_5 (-> VERTEX_REGION_CLAUDE_HAIKU_4_5)",
            )
    return result


def _variable_overrides(raw: dict[str, str]) -> dict[str, str]:
    return {f"VERTEX_REGION_{n}": r for n, r in raw.items() if REGION_VAR_RE.match(n) and n not in ALIASES}
