"""Every catalog entry walked through validation, the environment and enablement, as a stack would use it."""

from __future__ import annotations

from typing import Any

import pytest
from claude_vertex.catalog import ALIASES, Model, catalog
from claude_vertex.config import ConfigError, parse_config
from claude_vertex.render.environment import claude_env

from tests.conftest import SUITE_DATE, config_with

TODAY = SUITE_DATE
ENABLE_MODEL = "gcp:vertex/aiModelGardenEnableModel:AiModelGardenEnableModel"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"


def _raw(model: Model, **vertex: Any) -> dict[str, Any]:
    base = {k.split(":", 1)[1]: v for k, v in config_with().items()}
    region = model.regions[0]
    pins = {alias: catalog().recommended(alias).id for alias in ALIASES}
    overrides = {alias: "global" for alias, pin in pins.items() if not catalog().get(pin).serves(region)}
    if model.family in ALIASES:
        pins[model.family] = model.id
        overrides.pop(model.family, None)
        primary = model.family
    else:
        primary = model.id
    base["vertex"] = {"region": region, "models": pins, "primaryModel": primary, "regionOverrides": overrides, **vertex}
    return base


CURRENT = [m for m in catalog().models if not m.retired(TODAY)]
RETIRED = [m for m in catalog().models if m.retired(TODAY)]


@pytest.mark.parametrize("model", CURRENT, ids=lambda m: m.id)
def test_each_current_model_validates_and_reaches_the_environment(model: Model) -> None:
    config = parse_config(_raw(model), today=TODAY)
    env = claude_env("claude-payments-dev", config.vertex, config.plan.models)
    assert env["CLOUD_ML_REGION"] == model.regions[0]
    if model.family in ALIASES:
        assert env[f"ANTHROPIC_DEFAULT_{model.family.upper()}_MODEL"] == model.id
    assert env["ANTHROPIC_MODEL"] == model.id
    if model.context1m:
        raw = _raw(model)
        raw["vertex"]["primaryModel"] = model.id + "[1m]"
        assert parse_config(raw, today=TODAY).plan.models.primary.rendered == model.id + "[1m]"


@pytest.mark.parametrize("model", CURRENT, ids=lambda m: m.id)
def test_each_current_model_is_enabled_and_allowed_by_its_publisher_name(model: Model, render_config) -> None:
    raw = _raw(model, enableModels=True, restrictModels=True)
    rendered = render_config({f"claude-vertex:{k}": v for k, v in raw.items()})
    publisher = f"publishers/anthropic/models/{model.id.split('@')[0]}"
    assert publisher in {r["inputs"]["publisherModelName"] for r in rendered.of_type(ENABLE_MODEL)}
    (policy,) = [p for p in rendered.of_type(ORG_POLICY) if p["name"].endswith("-allowed-models")]
    assert f"{publisher}:predict" in policy["inputs"]["spec"]["rules"][0]["values"]["allowedValues"]


@pytest.mark.parametrize("model", RETIRED, ids=lambda m: m.id)
def test_each_retired_model_is_refused_naming_its_successor(model: Model) -> None:
    raw = _raw(model)
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, today=TODAY)
    assert f"was retired on Vertex AI on {model.retires}" in str(caught.value)
    if model.successor:
        assert model.successor in str(caught.value)


@pytest.mark.parametrize("model", [m for m in CURRENT if m.region_variable and len(m.regions) > 1], ids=lambda m: m.id)
def test_each_region_variable_is_written_when_the_model_runs_elsewhere(model: Model) -> None:
    raw = _raw(model)
    key = model.family if model.family in ALIASES else model.id
    raw["vertex"]["regionOverrides"] = {**raw["vertex"]["regionOverrides"], key: model.regions[1]}
    config = parse_config(raw, today=TODAY)
    assert config.plan.models.region_variables[model.region_variable] == model.regions[1]


def test_each_alias_family_has_one_recommended_current_model() -> None:
    for alias in ALIASES:
        recommended = catalog().recommended(alias)
        assert not recommended.retired(TODAY)
        assert recommended.family == alias


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"retiresSource": "a vendor page"}, "retiresSource without a retires date"),
        ({"retires": "2027-01-22"}, "retires on 2027-01-22 but names no successor"),
    ],
)
def test_a_catalog_retirement_is_complete_or_refused(change: dict[str, Any], message: str) -> None:
    """A date carries a successor to pin instead; a source without a date is a leftover, not a fact."""
    entry = {**catalog().recommended("opus").model_dump(mode="json"), "recommended": False, **change}
    with pytest.raises(ValueError, match=message):
        Model.model_validate(entry)
