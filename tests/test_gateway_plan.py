"""The gateway's plan and gateway.yaml from the teams' configs: routing stays inside each team's project, the config
errors a platform engineer can make are one line naming the key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from claude_vertex.config import ConfigError, parse_config
from claude_vertex.config.gateway import parse_gateway_stack
from claude_vertex.plan.gateway import ServedTeam, plan_gateway
from claude_vertex.render.gateway import gateway_config, gateway_yaml, spend_limit_bodies

TODAY = dt.date(2026, 12, 6)
GATEWAY: dict[str, Any] = {
    "name": "acme",
    "project": {"id": "acme-claude-gateway", "create": False},
    "region": "europe-west1",
    "image": "europe-west1-docker.pkg.dev/acme/claude/gateway@sha256:" + "ab" * 32,
    "hostname": "claude-gateway.corp.acme.example",
    "certificateAuthorityPool": "projects/acme-pki/locations/europe-west1/caPools/internal",
    "oidc": {"issuer": "https://login.acme.example/", "clientId": "claude-gateway"},
    "teams": ["payments", "research"],
}


def team(name: str, project: str, region: str = "global", **behind: Any) -> ServedTeam:
    raw: dict[str, Any] = {
        "team": name,
        "project": {"id": project, "create": False},
        "vertex": {"region": region, "models": {"opus": "claude-opus-5-5", "sonnet": "claude-sonnet-5-5"}},
    }
    if behind is not None:
        raw["behindGateway"] = {"groups": [f"{name}-engineers"], **behind}
    return ServedTeam(name, parse_config(raw, today=TODAY))


def gateway(**changes: Any) -> Any:
    return parse_gateway_stack({"gateway": {**GATEWAY, **changes}})


def test_each_teams_models_route_to_its_own_project_only() -> None:
    plan = plan_gateway(gateway(), [team("payments", "pay-prod"), team("research", "res-prod", "us-east5")])
    config = gateway_config(gateway(), plan)
    by_name = {u["name"]: u for u in config["upstreams"]}
    for model in config["models"]:
        owner = model["id"].split("-")[0]
        projects = {by_name[upstream]["project_id"] for upstream in model["upstream_model"]}
        assert projects == {"pay-prod" if owner == "payments" else "res-prod"}, model
    assert by_name["payments"]["groups"] == ["payments-engineers"]
    assert by_name["research"]["region"] == "us-east5"
    assert config["auto_include_builtin_models"] is False
    policy = config["managed"]["policies"][0]
    assert policy["match"] == {"groups": ["payments-engineers"]}
    assert policy["cli"]["availableModels"] == ["payments-opus", "payments-sonnet", "payments-haiku", "payments-fable"]
    assert policy["cli"]["env"]["ANTHROPIC_DEFAULT_OPUS_MODEL"] == "payments-opus"
    assert policy["cli"]["env"]["ANTHROPIC_SMALL_FAST_MODEL"] == policy["cli"]["env"]["ANTHROPIC_DEFAULT_HAIKU_MODEL"]


def test_failover_regions_are_later_upstreams_of_the_same_project() -> None:
    plan = plan_gateway(gateway(teams=["payments"]), [team("payments", "pay-prod", failoverRegions=["us-east5"])])
    names = [(u.name, u.region, u.project_id) for u in plan.upstreams]
    assert names == [("payments", "global", "pay-prod"), ("payments-us-east5", "us-east5", "pay-prod")]
    opus = next(m for m in plan.models if m.alias == "opus")
    assert opus.upstreams == ("payments", "payments-us-east5")


def test_a_primary_model_no_alias_pins_is_a_model_of_its_own() -> None:
    raw = {
        "team": "payments",
        "project": {"id": "pay-prod", "create": False},
        "vertex": {
            "models": {"opus": "claude-opus-5-5", "sonnet": "claude-sonnet-5-5"},
            "primaryModel": "claude-opus-4-8",
        },
        "behindGateway": {"groups": ["payments-engineers"]},
    }
    plan = plan_gateway(gateway(teams=["payments"]), [ServedTeam("payments", parse_config(raw, today=TODAY))])
    (policy,) = plan.policies
    assert policy.env["ANTHROPIC_MODEL"] == "payments-primary"
    assert "payments-primary" in policy.models
    assert next(m for m in plan.models if m.id == "payments-primary").vertex_model == "claude-opus-4-8"


def test_caps_are_cents_per_group_member_and_per_developer() -> None:
    caps = gateway(teams=["payments"], spendCaps={"developers": {"alice@acme.example": 12.5}})
    plan = plan_gateway(caps, [team("payments", "pay-prod", developerMonthlyCap=0)])
    assert spend_limit_bodies(plan) == [
        {"scope": {"type": "rbac_group", "rbac_group_id": "payments-engineers"}, "period": "monthly", "amount": "0"},
        {"scope": {"type": "user", "user_id": "alice@acme.example"}, "period": "monthly", "amount": "1250"},
    ]
    assert plan_gateway(gateway(teams=["payments"]), [team("payments", "pay-prod")]).spend_limits == ()


def test_two_teams_cannot_claim_one_group_or_be_one_team() -> None:
    one = team("payments", "pay-prod")
    other = ServedTeam(
        "research",
        parse_config(
            {
                "team": "research",
                "project": {"id": "res-prod", "create": False},
                "behindGateway": {"groups": ["payments-engineers"]},
            },
            today=TODAY,
        ),
    )
    with pytest.raises(ConfigError, match=r"gateway.teams\[1\].*IdP group payments-engineers is also stack payments's"):
        plan_gateway(gateway(), [one, other])
    with pytest.raises(ConfigError, match=r"gateway.teams\[1\].*team payments is already served by stack payments"):
        plan_gateway(gateway(), [one, ServedTeam("payments-2", one.config)])


def test_gateway_yaml_has_the_required_sections_and_no_secret_value() -> None:
    plan = plan_gateway(gateway(), [team("payments", "pay-prod"), team("research", "res-prod")])
    text = gateway_yaml(gateway(), plan)
    config = yaml.safe_load(text)
    assert {"listen", "oidc", "session", "store", "upstreams"} <= set(config)
    assert config["listen"]["public_url"] == "https://claude-gateway.corp.acme.example"
    assert config["oidc"]["allowed_groups"] == ["payments-engineers", "research-engineers"]
    assert "${GATEWAY_DATABASE_HOST}" in config["store"]["postgres_url"]


@pytest.mark.parametrize(
    ("section", "change", "message"),
    [
        ("behindGateway", {"groups": ["a,b"]}, 'behindGateway.groups[0]: "a,b" — 1-128 printable characters'),
        (
            "behindGateway",
            {"groups": ["x"], "developerMonthlyCap": 12.345},
            "behindGateway.developerMonthlyCap: 12.345",
        ),
        ("behindGateway", {"groups": ["x"], "failoverRegions": ["asia-east1"]}, "must serve every pinned model"),
        ("gateway", {"image": "gateway:latest"}, "gateway.image"),
        ("gateway", {"network": {"proxySubnetRange": "10.60.0.0/25"}}, "must not overlap subnetRange 10.60.0.0/24"),
        ("gateway", {"network": {"subnetRange": "8.8.8.0/24"}}, "a private IPv4 CIDR"),
        (
            "gateway",
            {"certificateAuthorityPool": "projects/acme-pki/locations/us-east5/caPools/x"},
            "must be in the gateway's region",
        ),
        ("gateway", {"minInstances": 0}, "gateway.minInstances: 0"),
        ("gateway", {"spendCaps": {"developers": {"Alice@Acme": 1}}}, "a developer's email address in lowercase"),
        ("gateway", {"oidc": {"issuer": "http://login.acme.example", "clientId": "x"}}, "gateway.oidc.issuer"),
    ],
)
def test_config_errors_are_one_line_naming_the_key(section: str, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        if section == "gateway":
            gateway(**change)
        else:
            parse_config(
                {"team": "payments", "project": {"id": "pay-prod", "create": False}, "behindGateway": change},
                today=TODAY,
            )
    assert "\n" not in str(raised.value)
    assert message in str(raised.value)
