"""The model plan: which model each Claude Code alias resolves to, where it runs, as of the stack's date.

Every alias is always pinned (Claude Code moves an unpinned alias to a newer, pricier model on an update), so
the resolution below turns the `vertex` section plus the model catalog into a `ModelPlan`: one `Pin` per alias
and one for the primary model, each with its effective region. A pin that cannot work (retired, not served where
it would run, no 1M context) is a `Refusal` keyed inside the section; a pin that deserves a look is a warning.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from claude_vertex_gcp import names

from claude_vertex.catalog import (
    ALIASES,
    FAMILIES,
    MODEL_ID_RE,
    ONE_M_SUFFIX,
    REGION_VAR_RE,
    Model,
    catalog,
    family_of,
    strip_1m,
)
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
    family: str | None = None
    """The model's family: the catalog's, or read from the ID of a model outside the catalog."""
    stands_in: str | None = None
    """Why this alias runs the primary model instead of one of its own family (capped at 0, none served here)."""

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
    zero_caps: dict[str, str] = field(default_factory=dict)
    """Family -> the limit (`requestsPerMinute` ...) `guardrails.quotas` sets to 0 for it: the team may not call it."""

    @property
    def pinned(self) -> tuple[Pin, ...]:
        """Each distinct model the environment can call, in alias order, primary last."""
        seen: dict[str, Pin] = {}
        for pin in (*self.aliases.values(), self.primary):
            seen.setdefault(pin.model_id, pin)
        return tuple(seen.values())


@dataclass(frozen=True)
class _Checked:
    model_id: str
    one_m: bool
    entry: Model | None
    family: str | None


def _check_model(key_path: str, text: Any, today: dt.date, warnings: list[str], outside_catalog: bool) -> _Checked:
    """The model ID, 1M suffix, catalog entry and family of one pin, refused when it cannot work."""
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
        return _outside_catalog(key_path, text, model_id, one_m, warnings, outside_catalog)
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
    return _Checked(model_id, one_m, entry, entry.family)


def _outside_catalog(
    key_path: str, text: str, model_id: str, one_m: bool, warnings: list[str], allowed: bool
) -> _Checked:
    """A model the catalog does not know: refused (with the closest catalog IDs) unless the stack opts in."""
    if not allowed:
        close = difflib.get_close_matches(model_id, [m.id for m in catalog().models], n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise Refusal(
            key_path,
            text,
            f"{hint}{model_id} is not in the model catalog (claude_vertex/models.yaml), so its regions, retirement "
            "and quotas cannot be checked; pin a catalog model, or set vertex.allowModelsOutsideCatalog: true",
        )
    family = family_of(model_id)
    if family is None:
        raise Refusal(
            key_path,
            text,
            f"{model_id} names no model family ({', '.join(FAMILIES)}), so guardrails.quotas could not cap it",
        )
    warnings.append(
        f"vertex.{key_path}: {model_id} is not in the model catalog (claude_vertex/models.yaml): its regions and "
        f"retirement are not checked; guardrails.quotas.{family} caps it as a {family} model"
    )
    return _Checked(model_id, one_m, None, family)


DEFAULT_PIN_HORIZON_DAYS = 90
"""Defaults never pin a model retiring within this many days."""


def default_pin(alias: str, region: str, today: dt.date) -> str | None:
    """The catalog's recommended model for an alias, or, where that one is not served, the first model of the
    family (catalog order is preference order) that is served in `region` and not retiring soon; None when the
    family has no such model there."""
    recommended = catalog().recommended(alias)
    candidates = (recommended, *catalog().family_models(alias))
    for model in candidates:
        days = model.days_left(today)
        if model.serves(region) and (days is None or days > DEFAULT_PIN_HORIZON_DAYS):
            return model.id
    return None


def _capped(family: str | None, zero_caps: Mapping[str, str]) -> str | None:
    """`guardrails.quotas.opus.requestsPerMinute is 0` when the team may not call `family`, else None."""
    if family is None or family not in zero_caps:
        return None
    return f"guardrails.quotas.{family}.{zero_caps[family]} is 0"


def resolve_models(vertex: VertexConfig, today: dt.date, zero_caps: Mapping[str, str] | None = None) -> ModelPlan:
    """Pins for every alias and the primary model, effective regions, `VERTEX_REGION_*` variables; or a Refusal.

    `zero_caps` (family -> limit) names the families the team's guardrails cap at 0. No alias is pinned to a model
    the team may not call: an alias whose family is capped at 0, or has no model served where it would run, runs
    the primary model instead (with a warning), and an explicit pin of a capped family is refused.
    """
    zero_caps = dict(zero_caps or {})
    warnings: list[str] = []
    pins_given = vertex.models.model_dump()
    if vertex.small_fast_model is not None:
        if pins_given["haiku"] is not None and pins_given["haiku"] != vertex.small_fast_model:
            raise Refusal("smallFastModel", vertex.small_fast_model, "must equal models.haiku when both are set")
        pins_given["haiku"] = vertex.small_fast_model
    overrides = _overrides(vertex.region_overrides)
    legacy_variables = _variable_overrides(vertex.region_overrides)

    def pin(alias: str, key_path: str, text: str, from_default: bool) -> Pin:
        checked = _check_model(key_path, text, today, warnings, vertex.allow_models_outside_catalog)
        entry, model_id = checked.entry, checked.model_id
        cap = _capped(checked.family, zero_caps)
        if cap is not None:
            fix = f"remove the pin (--model {alias} then runs the primary model)" if alias in ALIASES else "pin another"
            raise Refusal(
                key_path, text, f"{model_id} is in the {checked.family} family and {cap}: {fix}, or lift the cap"
            )
        legacy = legacy_variables.get(entry.region_variable or "") if entry is not None else None
        region = overrides.get(alias) or overrides.get(model_id) or legacy or vertex.region
        if entry is not None and not entry.serves(region):
            fix = f"set vertex.regionOverrides.{alias if alias in ALIASES else model_id} to one of them"
            raise Refusal(
                key_path,
                text,
                f"{model_id} is not served in {region}; it is served in {', '.join(entry.regions)} ({fix})",
            )
        return Pin(alias, model_id, checked.one_m, region, from_default, entry, checked.family)

    aliases: dict[str, Pin] = {}
    stand_ins: dict[str, str] = {}
    for alias in ALIASES:
        given = pins_given[alias]
        key_path = "smallFastModel" if alias == "haiku" and vertex.models.haiku is None and given else f"models.{alias}"
        if given is not None:
            aliases[alias] = pin(alias, key_path, given, False)
            continue
        region = overrides.get(alias) or vertex.region
        text = default_pin(alias, region, today)
        cap = _capped(alias, zero_caps)
        if cap is not None:
            stand_ins[alias] = cap
        elif text is None:
            served = sorted(
                {r for m in catalog().family_models(alias) for r in m.regions}, key=catalog().regions().index
            )
            stand_ins[alias] = (
                f"no {alias} model is served in {region} (they run in {', '.join(served)}: "
                f"vertex.regionOverrides.{alias} can move the alias there)"
            )
        else:
            aliases[alias] = pin(alias, key_path, text, True)

    primary_text = vertex.primary_model
    alias_of_primary = strip_1m(primary_text)
    if alias_of_primary in stand_ins:
        raise Refusal(
            "primaryModel",
            primary_text,
            f"{stand_ins[alias_of_primary]}: choose a primary model the team can call (another alias or a model ID)",
        )
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
    for alias, reason in stand_ins.items():
        aliases[alias] = replace(primary, alias=alias, from_default=True, stands_in=reason)
        warnings.append(
            f"vertex.models.{alias}: {reason}, so --model {alias} runs the primary model {primary.rendered}"
        )
    aliases = {alias: aliases[alias] for alias in ALIASES}

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
    return ModelPlan(aliases, primary, dict(sorted(variables.items())), tuple(dict.fromkeys(warnings)), zero_caps)


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
                    f"Claude Code reads no VERTEX_REGION_{name}; use an alias ({', '.join(ALIASES)}) or a catalog "
                    "model ID",
                )
            _region_rule(key_path, region)
        else:
            raise Refusal(
                key_path,
                region,
                f"override keys are an alias ({', '.join(ALIASES)}), a catalog model ID, or Claude Code's "
                "upper-case model keys such as CLAUDE_HAIKU_4_5 (-> VERTEX_REGION_CLAUDE_HAIKU_4_5)",
            )
    return result


def _variable_overrides(raw: dict[str, str]) -> dict[str, str]:
    return {f"VERTEX_REGION_{n}": r for n, r in raw.items() if REGION_VAR_RE.match(n) and n not in ALIASES}
