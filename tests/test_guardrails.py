"""Guardrails: the config section's rules, and every resource's inputs through the real program under mocks."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from claude_vertex.catalog import catalog
from claude_vertex.config import ConfigError, parse_config
from claude_vertex.resources.guardrails.usage import dashboard_url, promql_metric

from tests.conftest import SUITE_DATE, Rendered, config_with
from tests.support.gcp_mocks import project_number
from tools import preview

Render = Callable[..., Rendered]
BUDGET = "gcp:billing/budget:Budget"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
CAP = "gcp:cloudquota/sQuotaPreference:SQuotaPreference"
AUDIT = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
METRIC = "gcp:logging/metric:Metric"
DASHBOARD = "gcp:monitoring/dashboard:Dashboard"
ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
SERVICE = "gcp:projects/service:Service"
GUARDRAILS = "claude-vertex:index:Guardrails"

FULL: dict[str, Any] = {
    "budget": {
        "monthlyAmount": 2000,
        "currency": "USD",
        "thresholds": [0.9, 0.5, 1.0],
        "forecast": True,
        "notify": ["platform-alerts@example.com", "payments-leads@example.com"],
    },
    "quotas": {
        "sonnet": {"inputTokensPerMinute": 200000, "outputTokensPerMinute": 40000, "requestsPerMinute": 60},
        "opus": {"requestsPerMinute": 0},
    },
    "auditLogs": True,
    "usage": True,
    "telemetry": {"otlpEndpoint": "https://otel.example.com:4318", "protocol": "http/protobuf"},
}
ADOPTED = {"id": "shared-ml-research", "create": False}
US = {"region": "us", "models": {"haiku": "claude-haiku-5-5"}}  # the us multi-region serves no Haiku 4.5


def guardrails(**changes: Any) -> dict[str, Any]:
    """FULL with top-level keys replaced (`budget=...`) or removed (`telemetry=None`)."""
    section = copy.deepcopy(FULL)
    for name, value in changes.items():
        if value is None:
            section.pop(name, None)
        else:
            section[name] = value
    return section


def raw_config(section: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """The stack config without the namespace, as `parse_config` takes it."""
    full = config_with(guardrails=section, **sections)
    return {k.split(":", 1)[1]: v for k, v in full.items()}


def error_line(section: dict[str, Any], **sections: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw_config(section, **sections))
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- config -------------------------------------------------------------------------------------------------------


def test_defaults_are_audit_logs_and_usage_without_budget_caps_or_telemetry() -> None:
    config = parse_config({k.split(":", 1)[1]: v for k, v in config_with().items()})
    assert config.guardrails.audit_logs is True and config.guardrails.usage is True
    assert config.guardrails.budget is None and config.guardrails.quotas == {} and config.guardrails.telemetry is None


def test_the_issue_example_parses() -> None:
    config = parse_config(raw_config(FULL)).guardrails
    assert config.budget is not None and config.budget.monthly_amount == 2000
    assert config.quotas["opus"].limits() == {"requestsPerMinute": 0}
    assert config.telemetry is not None and config.telemetry.protocol == "http/protobuf"


def test_unknown_family_names_the_catalog_families() -> None:
    message = error_line(guardrails(quotas={"gpt": {"requestsPerMinute": 5}}))
    assert "guardrails.quotas.gpt" in message
    assert f"a model family of the catalog: {', '.join(catalog().families())}" in message
    assert {"haiku", "opus", "sonnet"} <= set(catalog().families())


def test_family_not_served_in_the_region_is_refused() -> None:
    message = error_line(guardrails(quotas={"mythos": {"requestsPerMinute": 5}}), vertex=US)
    assert message.startswith("invalid config claude-vertex:guardrails.quotas.mythos:")
    assert "no mythos model of the catalog is served in us" in message


@pytest.mark.parametrize(
    ("budget", "key", "allowed"),
    [
        ({"monthlyAmount": 0}, "guardrails.budget.monthlyAmount", "a positive amount"),
        ({"monthlyAmount": "lots"}, "guardrails.budget.monthlyAmount", "a positive amount"),
        ({"monthlyAmount": 10, "currency": "usd"}, "guardrails.budget.currency", "ISO 4217"),
        ({"monthlyAmount": 10, "thresholds": [0.5, 0]}, "guardrails.budget.thresholds[1]", "greater than 0"),
        ({"monthlyAmount": 10, "thresholds": [0.5, 0.5]}, "guardrails.budget.thresholds[1]", "duplicate"),
        ({"monthlyAmount": 10, "notify": ["not-an-address"]}, "guardrails.budget.notify[0]", "e-mail address"),
        ({"monthlyAmount": 10, "notify": [f"a{i}@example.com" for i in range(6)]}, "guardrails.budget.notify", "5"),
        ({"monthlyAmount": 10, "forecast": "yes"}, "guardrails.budget.forecast", "true or false"),
        ({"monthlyAmount": 10, "billingAccount": "nope"}, "guardrails.budget.billingAccount", "XXXXXX-XXXXXX"),
        ({"monthlyAmount": 10, "limit": 5}, "guardrails.budget.limit", "unknown key"),
    ],
)
def test_bad_budget_values_name_key_value_and_rule(budget: dict[str, Any], key: str, allowed: str) -> None:
    message = error_line(guardrails(budget=budget))
    assert message.startswith(f"invalid config claude-vertex:{key}: "), message
    assert allowed in message


def test_billing_account_is_required_only_when_adopting() -> None:
    message = error_line(guardrails(budget={"monthlyAmount": 100}), project=ADOPTED)
    assert message.startswith("invalid config claude-vertex:guardrails.budget.billingAccount: (missing)")
    assert "project.create: false" in message
    budget = {"monthlyAmount": 100, "billingAccount": "012345-6789AB-CDEF01"}
    assert parse_config(raw_config(guardrails(budget=budget), project=ADOPTED)).guardrails.budget is not None


def test_a_created_project_budget_uses_the_project_billing_account() -> None:
    message = error_line(guardrails(budget={"monthlyAmount": 100, "billingAccount": "AAAAAA-BBBBBB-CCCCCC"}))
    assert "guardrails.budget.billingAccount" in message and "012345-6789AB-CDEF01" in message


@pytest.mark.parametrize(
    ("quotas", "key", "allowed"),
    [
        ({"sonnet": {"requestsPerMinute": -1}}, "guardrails.quotas.sonnet.requestsPerMinute", "a whole number"),
        ({"sonnet": {"requestsPerMinute": 1.5}}, "guardrails.quotas.sonnet.requestsPerMinute", "a whole number"),
        ({"sonnet": {}}, "guardrails.quotas.sonnet", "set at least one of"),
        ({"sonnet": {"tokensPerDay": 5}}, "guardrails.quotas.sonnet.tokensPerDay", "unknown key"),
    ],
)
def test_bad_quota_values(quotas: dict[str, Any], key: str, allowed: str) -> None:
    message = error_line(guardrails(quotas=quotas))
    assert message.startswith(f"invalid config claude-vertex:{key}: "), message
    assert allowed in message


@pytest.mark.parametrize(
    ("telemetry", "key", "allowed"),
    [
        (
            {"otlpEndpoint": "https://otel.example.com", "protocol": "udp"},
            "protocol",
            "grpc | http/protobuf | http/json",
        ),
        ({"otlpEndpoint": "https://user:secret@otel.example.com"}, "otlpEndpoint", "without credentials"),
        ({"otlpEndpoint": "otel.example.com:4317"}, "otlpEndpoint", "an http(s) URL"),
        ({"protocol": "grpc"}, "otlpEndpoint", "required"),
    ],
)
def test_bad_telemetry(telemetry: dict[str, Any], key: str, allowed: str) -> None:
    message = error_line(guardrails(telemetry=telemetry))
    assert message.startswith(f"invalid config claude-vertex:guardrails.telemetry.{key}: "), message
    assert allowed in message


def test_usage_needs_audit_logs() -> None:
    message = error_line(guardrails(auditLogs=False))
    assert message.startswith("invalid config claude-vertex:guardrails.usage: true")
    parse_config(raw_config(guardrails(auditLogs=False, usage=False)))


def test_preview_exits_2_with_one_line_for_an_unknown_family(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    stack = tmp_path / "Pulumi.t.yaml"
    stack.write_text(json.dumps({"config": config_with(guardrails={"quotas": {"gpt": {"requestsPerMinute": 1}}})}))
    assert preview.main(["--stack", "t", "--config-file", str(stack), "--no-policy"]) == preview.EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "guardrails.quotas.gpt" in err and "Traceback" not in err


# -- the program under mocks ---------------------------------------------------------------------------------------


@pytest.fixture
def full(render_config: Render) -> Rendered:
    return render_config(config_with(guardrails=FULL))


def test_notification_channels_are_email_channels_in_the_team_project(full: Rendered) -> None:
    channels = {c["name"]: c["inputs"] for c in full.of_type(CHANNEL)}
    assert channels["payments-notify-platform-alerts@example.com"] == {
        "displayName": "Claude Code payments: platform-alerts@example.com",
        "labels": {"email_address": "platform-alerts@example.com"},
        "project": "claude-payments-dev",
        "type": "email",
    }
    assert len(channels) == 2


def test_budget_scopes_the_project_by_number_and_alerts_on_actual_and_forecast_spend(full: Rendered) -> None:
    (budget,) = full.of_type(BUDGET)
    assert budget["inputs"] == {
        "allUpdatesRule": {
            "disableDefaultIamRecipients": False,
            "monitoringNotificationChannels": [
                "payments-notify-platform-alerts@example.com-id",
                "payments-notify-payments-leads@example.com-id",
            ],
        },
        "amount": {"specifiedAmount": {"currencyCode": "USD", "nanos": 0, "units": "2000"}},
        "billingAccount": "012345-6789AB-CDEF01",
        "budgetFilter": {
            "calendarPeriod": "MONTH",
            "projects": [f"projects/{project_number('claude-payments-dev')}"],
        },
        "displayName": "Claude Code payments",
        "thresholdRules": [
            {"spendBasis": "CURRENT_SPEND", "thresholdPercent": 0.5},
            {"spendBasis": "CURRENT_SPEND", "thresholdPercent": 0.9},
            {"spendBasis": "CURRENT_SPEND", "thresholdPercent": 1.0},
            {"spendBasis": "FORECASTED_SPEND", "thresholdPercent": 1.0},
        ],
    }
    assert full.urn_of("payments-project") in budget["dependencies"]


def test_an_adopted_project_budget_reads_the_number_from_gcp(render_config: Render) -> None:
    budget_config = {"monthlyAmount": 99.5, "forecast": False, "billingAccount": "AAAAAA-BBBBBB-CCCCCC"}
    rendered = render_config(config_with(project=ADOPTED, guardrails={"budget": budget_config}))
    (budget,) = rendered.of_type(BUDGET)
    assert budget["inputs"]["budgetFilter"]["projects"] == [f"projects/{project_number('shared-ml-research')}"]
    assert budget["inputs"]["billingAccount"] == "AAAAAA-BBBBBB-CCCCCC"
    assert budget["inputs"]["amount"] == {"specifiedAmount": {"nanos": 500000000, "units": "99"}}
    assert [r["spendBasis"] for r in budget["inputs"]["thresholdRules"]] == ["CURRENT_SPEND"] * 3
    assert budget["inputs"]["allUpdatesRule"]["monitoringNotificationChannels"] == []
    (call,) = [c for c in rendered.mocks.calls if c.token == "gcp:organizations/getProject:getProject"]
    assert call.args["projectId"] == "shared-ml-research"


def _caps(rendered: Rendered) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (c["inputs"]["quotaId"], json.dumps(c["inputs"]["dimensions"], sort_keys=True)): c["inputs"]
        for c in rendered.of_type(CAP)
    }


def test_global_caps_use_global_quota_ids_and_every_base_model_of_the_family(full: Rendered) -> None:
    caps = _caps(full)
    sonnet_rpm = {
        json.loads(dims)["base_model"]
        for quota, dims in caps
        if quota == "GlobalOnlinePredictionRequestsPerMinutePerProjectPerBaseModel"
        and "sonnet" in json.loads(dims)["base_model"]
    }
    # The family bucket for models launched after 2026-05-26, and each older model's own, retired ones left out.
    sonnet_4_5 = catalog().get("claude-sonnet-4-5@20250929")
    assert sonnet_4_5 is not None
    older = {"anthropic-claude-sonnet-4-6"} | (
        set() if sonnet_4_5.retired(SUITE_DATE) else {"anthropic-claude-sonnet-4-5"}
    )
    assert sonnet_rpm == {"anthropic-claude-sonnet"} | older
    assert "anthropic-claude-3-7-sonnet" not in sonnet_rpm  # retired on 2026-05-11
    one = caps[("GlobalOnlinePredictionInputTokensPerMinutePerBaseModel", '{"base_model": "anthropic-claude-sonnet"}')]
    assert one == {
        "contactEmail": "platform-alerts@example.com",
        "dimensions": {"base_model": "anthropic-claude-sonnet"},
        "ignoreSafetyChecks": "QUOTA_DECREASE_PERCENTAGE_TOO_HIGH",
        "justification": "claude-vertex guardrail: sonnet cap for team payments, set by its Pulumi stack.",
        "parent": "projects/claude-payments-dev",
        "quotaConfig": {"preferredValue": "200000"},
        "quotaId": "GlobalOnlinePredictionInputTokensPerMinutePerBaseModel",
        "service": "aiplatform.googleapis.com",
    }
    opus = {k: v for k, v in caps.items() if "opus" in k[1]}
    assert {v["quotaConfig"]["preferredValue"] for v in opus.values()} == {"0"}
    assert {k[0] for k in opus} == {"GlobalOnlinePredictionRequestsPerMinutePerProjectPerBaseModel"}


def test_multi_region_caps_use_the_us_quota_ids_and_the_family_bucket(render_config: Render) -> None:
    rendered = render_config(config_with(vertex=US, guardrails={"quotas": {"sonnet": FULL["quotas"]["sonnet"]}}))
    assert sorted(_caps(rendered)) == [
        ("UsOnlinePredictionInputTokensPerMinutePerBaseModel", '{"base_model": "anthropic-claude-sonnet"}'),
        ("UsOnlinePredictionOutputTokensPerMinutePerBaseModel", '{"base_model": "anthropic-claude-sonnet"}'),
        ("UsOnlinePredictionRequestsPerMinPerProjectPerBaseModel", '{"base_model": "anthropic-claude-sonnet"}'),
    ]
    assert all("contactEmail" not in c for c in _caps(rendered).values())


def test_regional_caps_name_the_region_and_each_model(render_config: Render) -> None:
    quotas = {"haiku": {"requestsPerMinute": 30}}
    rendered = render_config(config_with(vertex={"region": "us-east5"}, guardrails={"quotas": quotas}))
    caps = _caps(rendered)
    assert {k[0] for k in caps} == {"OnlinePredictionRequestsPerMinutePerProjectPerRegionPerBaseModel"}
    assert sorted(json.loads(k[1])["base_model"] for k in caps) == [  # 3.5 Haiku left out: retired on 2026-07-05
        "anthropic-claude-haiku-4-5",
        "anthropic-claude-haiku-5-5",
    ]
    assert all(json.loads(k[1])["region"] == "us-east5" for k in caps)


def test_a_pin_moved_to_another_region_is_capped_there_too(render_config: Render) -> None:
    vertex = {"region": "global", "regionOverrides": {"haiku": "europe-west1"}}
    rendered = render_config(config_with(vertex=vertex, guardrails={"quotas": {"haiku": {"requestsPerMinute": 5}}}))
    regions = {json.loads(k[1]).get("region", "global") for k in _caps(rendered)}
    assert regions == {"global", "europe-west1"}


def test_audit_logs_are_data_read_without_exemptions_and_kept_on_destroy(full: Rendered) -> None:
    (audit,) = full.of_type(AUDIT)
    assert audit["inputs"] == {
        "auditLogConfigs": [{"logType": "DATA_READ"}],
        "project": "claude-payments-dev",
        "service": "aiplatform.googleapis.com",
    }
    assert audit["retainOnDelete"] is True
    assert full.urn_of("payments-aiplatform-api") in audit["dependencies"]


def test_usage_metric_counts_claude_calls_by_principal_and_model(full: Rendered) -> None:
    (metric,) = full.of_type(METRIC)
    inputs = metric["inputs"]
    assert inputs["name"] == "claude-vertex/payments/claude_calls"
    assert 'logName="projects/claude-payments-dev/logs/cloudaudit.googleapis.com%2Fdata_access"' in inputs["filter"]
    assert 'protoPayload.serviceName="aiplatform.googleapis.com"' in inputs["filter"]
    assert inputs["labelExtractors"] == {
        "model": 'REGEXP_EXTRACT(protoPayload.resourceName, "publishers/anthropic/models/([^/@:]+)")',
        "principal": "EXTRACT(protoPayload.authenticationInfo.principalEmail)",
    }
    assert [label["key"] for label in inputs["metricDescriptor"]["labels"]] == ["principal", "model"]
    assert inputs["metricDescriptor"]["metricKind"] == "DELTA"


def test_dashboard_charts_tokens_calls_and_errors_and_renders_byte_identical(
    full: Rendered, render_config: Render
) -> None:
    (dashboard,) = full.of_type(DASHBOARD)
    text = dashboard["inputs"]["dashboardJson"]
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, separators=(",", ":"))
    titles = [tile["widget"]["title"] for tile in document["mosaicLayout"]["tiles"]]
    assert titles == [
        "Tokens per minute by model and direction",
        "Claude calls per principal (5 min)",
        "Claude calls per model (5 min)",
        "429s and errors by response code (5 min)",
    ]
    filters = [
        t["widget"]["xyChart"]["dataSets"][0]["timeSeriesQuery"]["timeSeriesFilter"]["filter"]
        for t in document["mosaicLayout"]["tiles"]
    ]
    assert "aiplatform.googleapis.com/publisher/online_serving/token_count" in filters[0]
    assert filters[1] == 'metric.type="logging.googleapis.com/user/claude-vertex/payments/claude_calls"'
    assert "model_invocation_count" in filters[3]
    again = render_config(config_with(guardrails=FULL)).of_type(DASHBOARD)[0]
    assert again["inputs"]["dashboardJson"] == text
    assert full.urn_of("payments-claude-calls") in dashboard["dependencies"]


def test_alert_policies_for_sustained_429s_and_an_outlier_principal(full: Rendered) -> None:
    alerts = {a["name"]: a["inputs"] for a in full.of_type(ALERT)}
    throttled = alerts["payments-sustained-429s"]
    condition = throttled["conditions"][0]["conditionThreshold"]
    assert 'metric.labels.response_code="429"' in condition["filter"]
    assert condition["duration"] == "900s" and condition["comparison"] == "COMPARISON_GT"
    assert throttled["notificationChannels"] == [
        "payments-notify-platform-alerts@example.com-id",
        "payments-notify-payments-leads@example.com-id",
    ]
    query = alerts["payments-principal-outlier"]["conditions"][0]["conditionPrometheusQueryLanguage"]["query"]
    assert promql_metric("payments") == "logging_googleapis_com:user_claude_vertex_payments_claude_calls"
    assert "sum by (principal)" in query and promql_metric("payments") in query


def test_outputs_dashboard_url_summary_and_managed_settings(full: Rendered) -> None:
    outputs = full.outputs
    assert outputs["dashboardUrl"] == (
        "https://console.cloud.google.com/monitoring/dashboards/builder/payments-usage-dashboard-id"
        "?project=claude-payments-dev"
    )
    assert outputs["guardrails"]["budget"]["monthlyAmount"] == 2000
    assert outputs["guardrails"]["quotas"]["opus"] == {"requestsPerMinute": 0}
    otel = {
        "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com:4318",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_LOGS_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_RESOURCE_ATTRIBUTES": "team=payments,gcp.project_id=claude-payments-dev",
    }
    pins = {
        k: v for k, v in outputs["env"].items() if k.startswith("ANTHROPIC_DEFAULT_") or k.endswith("SMALL_FAST_MODEL")
    }
    assert len(pins) == 5  # opus, sonnet, haiku (twice), fable
    assert outputs["managedSettings"] == {"env": {**otel, **pins}}
    assert otel.items() <= outputs["env"].items()
    assert outputs["env"]["CLAUDE_CODE_USE_VERTEX"] == "1"
    assert 'OTEL_RESOURCE_ATTRIBUTES="team=payments,gcp.project_id=claude-payments-dev"' in outputs["dotenv"]


def test_dashboard_url_takes_the_id_from_the_resource_name() -> None:
    assert dashboard_url("projects/123/dashboards/abc-1", "p") == (
        "https://console.cloud.google.com/monitoring/dashboards/builder/abc-1?project=p"
    )


def test_everything_is_a_child_of_the_guardrails_component(full: Rendered) -> None:
    (component,) = full.of_type(GUARDRAILS)
    for type_ in (BUDGET, CHANNEL, CAP, AUDIT, METRIC, DASHBOARD, ALERT):
        assert all(r["parent"] == component["urn"] for r in full.of_type(type_)), type_
    services = {s["inputs"]["service"] for s in full.of_type(SERVICE) if s["parent"] == component["urn"]}
    assert services == {"cloudquotas.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com"}


def test_switched_off_guardrails_register_nothing(render_config: Render) -> None:
    rendered = render_config(config_with(guardrails={"auditLogs": False, "usage": False}))
    for type_ in (BUDGET, CHANNEL, CAP, AUDIT, METRIC, DASHBOARD, ALERT):
        assert rendered.of_type(type_) == [], type_
    (component,) = rendered.of_type(GUARDRAILS)
    assert [s for s in rendered.of_type(SERVICE) if s["parent"] == component["urn"]] == []
    assert "dashboardUrl" not in rendered.outputs and "managedSettings" not in rendered.outputs
    assert not any(k.startswith("OTEL_") for k in rendered.outputs["env"])
