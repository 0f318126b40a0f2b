"""`claude-vertex:guardrails`: what a team may spend, how fast it may call Claude, and who sees what it used.

A dedicated project per team turns GCP's per-project controls into per-team controls: a budget on the project,
quota caps on its Vertex AI quotas, Data Access audit logs, and a usage dashboard built from them. The checks
that need the rest of the stack (is the project adopted? which regions does the stack call?) live in
`check_stack`, which `StackConfig` runs once every section is valid; it also computes the quota caps, once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from claude_vertex_gcp.names import GLOBAL, MULTI_REGIONS
from pydantic import Strict, field_validator, model_validator

from claude_vertex.catalog import catalog
from claude_vertex.config.base import MISSING, Flag, Refusal, Section, Text, key, refuse_duplicates
from claude_vertex.config.project import ProjectConfig
from claude_vertex.config.vertex import ModelPlan

MAX_BUDGET_CHANNELS = 5
"""A budget notifies at most five Cloud Monitoring channels (Budget API `monitoringNotificationChannels`)."""
MAX_QUOTA_VALUE = 10**12
OTLP_PROTOCOLS = ("grpc", "http/protobuf", "http/json")
"""The values Claude Code (the OpenTelemetry SDK) accepts in OTEL_EXPORTER_OTLP_PROTOCOL."""
EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
BILLING_ACCOUNT = r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$"
# No user:password@ part: an endpoint is not a place for credentials.
OTLP_ENDPOINT = r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?$"

Amount = Annotated[float, Strict()]
Count = Annotated[int, Strict()]


def families() -> tuple[str, ...]:
    """Every model family the catalog knows: the keys `quotas` may have."""
    return tuple(sorted({m.family for m in catalog().models}))


class BudgetConfig(Section):
    """A monthly budget on the team project; it alerts, it never stops spending."""

    monthly_amount: Amount = key(
        allowed="a positive amount in the billing account's currency, e.g. 2000",
        doc="The month's budget for the team project, in the billing account's currency.",
        gt=0,
        le=10**12,
    )
    currency: Text | None = key(
        None,
        allowed="an ISO 4217 currency code in capitals, e.g. USD (it must be the billing account's currency)",
        doc="ISO 4217 code; must be the billing account's currency. Left out: the account's currency.",
        pattern=r"^[A-Z]{3}$",
    )
    thresholds: tuple[Amount, ...] = key(
        (0.5, 0.9, 1.0),
        allowed="a list of shares of the amount, each greater than 0 and at most 10 (0.9 = 90%, 1.2 = 120%)",
        doc="Shares of the amount at which actual spend alerts (`CURRENT_SPEND`).",
        min_length=1,
    )
    forecast: Flag = key(
        True,
        allowed="must be true or false",
        doc="Also alert when the month's forecast passes the amount (`FORECASTED_SPEND` at 1.0).",
    )
    notify: tuple[Text, ...] = key(
        (),
        allowed=f"a list of at most {MAX_BUDGET_CHANNELS} e-mail addresses",
        doc="E-mail addresses to notify; each becomes a Cloud Monitoring e-mail channel in the team project (at most "
        f"{MAX_BUDGET_CHANNELS}, the Budget API's limit). Billing admins of the account are notified as well.",
        max_length=MAX_BUDGET_CHANNELS,
    )
    billing_account: Text | None = key(
        None,
        allowed="a billing account ID: XXXXXX-XXXXXX-XXXXXX, upper-case hex",
        doc="The billing account the budget lives in. Required when adopting a project (`project.create: false`); "
        "a created project's budget uses `project.billingAccount`.",
        pattern=BILLING_ACCOUNT,
    )

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        for index, value in enumerate(values):
            if not 0 < value <= 10:
                raise Refusal(f"[{index}]", value, "a share of the amount greater than 0 and at most 10 (0.9 = 90%)")
        refuse_duplicates("", values)
        return values

    @field_validator("notify")
    @classmethod
    def _notify(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for index, value in enumerate(values):
            if not re.match(EMAIL, value):
                raise Refusal(f"[{index}]", value, "an e-mail address such as platform-alerts@example.com")
        refuse_duplicates("", values, fold_case=True)
        return values


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


class TelemetryConfig(Section):
    """Claude Code's own OpenTelemetry export (metrics and events) to the platform's collector."""

    otlp_endpoint: Text = key(
        allowed="an http(s) URL such as https://otel.example.com:4318, without credentials or query",
        doc="`OTEL_EXPORTER_OTLP_ENDPOINT`: the platform's OpenTelemetry Collector.",
        pattern=OTLP_ENDPOINT,
    )
    protocol: Text = key(
        "http/protobuf",
        allowed=" | ".join(OTLP_PROTOCOLS),
        doc="`OTEL_EXPORTER_OTLP_PROTOCOL`: " + ", ".join(OTLP_PROTOCOLS) + ".",
    )

    @field_validator("protocol")
    @classmethod
    def _protocol(cls, value: str) -> str:
        if value not in OTLP_PROTOCOLS:
            raise Refusal("", value, " | ".join(OTLP_PROTOCOLS))
        return value


class GuardrailsConfig(Section):
    """Spend, rate and visibility guardrails for the team's project."""

    budget: BudgetConfig | None = key(None, allowed="an object", doc="A monthly budget with alerts.")
    quotas: dict[str, QuotaCaps] = key(
        {},
        allowed="an object of model family to caps",
        doc="Caps on the project's Vertex AI quotas per model family of the catalog "
        "(`gcp.cloudquota.SQuotaPreference`). Decreases apply at once; increases are requests Google must approve.",
    )
    audit_logs: Flag = key(
        True,
        allowed="must be true or false",
        doc="Data Access (`DATA_READ`) audit logs for Vertex AI: who called which model. Kept on destroy.",
    )
    usage: Flag = key(
        True,
        allowed="must be true or false",
        doc="A log-based metric of Claude calls by principal and model, a dashboard and alert policies "
        "(needs `auditLogs`).",
    )
    telemetry: TelemetryConfig | None = key(
        None, allowed="an object", doc="Claude Code's OpenTelemetry export; adds the OTEL_* variables."
    )

    @field_validator("quotas", mode="before")
    @classmethod
    def _known_families(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for family in value:
                if family not in families():
                    raise Refusal(family, value[family], f"a model family of the catalog: {', '.join(families())}")
        return value

    @model_validator(mode="after")
    def _usage_needs_audit_logs(self) -> GuardrailsConfig:
        if self.usage and not self.audit_logs:
            raise Refusal(
                "usage", True, "needs auditLogs: true (the usage metric counts Data Access logs); set usage: false"
            )
        return self


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


def quota_caps(
    quotas: dict[str, QuotaCaps], regions_by_family: dict[str, tuple[str, ...]], today: dt.date
) -> tuple[QuotaCap, ...]:
    """One cap per family, limit, region and distinct `base_model` of the family's served, unretired models.

    `regions_by_family` is where the stack sends each family's calls (its region, plus any override of a pin).
    """
    caps: dict[tuple[str, str, str], QuotaCap] = {}
    for family, family_caps in sorted(quotas.items()):
        regions = regions_by_family[family]
        base_models = _base_models(family, regions, today)
        if not base_models:
            raise Refusal(
                f"quotas.{family}",
                family_caps.limits(),
                f"no {family} model of the catalog is served in {', '.join(regions)}: remove the cap",
            )
        for limit, value in family_caps.limits().items():
            for region, base_model in base_models:
                cap = QuotaCap(family, limit, quota_id(region, limit), region, base_model, value)
                caps.setdefault((cap.quota_id, region, base_model), cap)
    return tuple(caps.values())


def _base_models(family: str, regions: tuple[str, ...], today: dt.date) -> list[tuple[str, str]]:
    found: dict[tuple[str, str], None] = {}
    for region in regions:
        for model in catalog().family_models(family):
            if model.serves(region) and not model.retired(today):
                for base_model in model.quota.base_models(region):
                    found[(region, base_model)] = None
    return sorted(found)


def regions_by_family(plan: ModelPlan, region: str) -> dict[str, tuple[str, ...]]:
    """Where the stack sends each family's calls: its region, plus the regions its pins were moved to."""
    result: dict[str, tuple[str, ...]] = {}
    for family in families():
        pinned = [p.region for p in plan.pinned if p.entry is not None and p.entry.family == family]
        result[family] = tuple(dict.fromkeys((region, *pinned)))
    return result


def check_stack(
    guardrails: GuardrailsConfig, project: ProjectConfig, plan: ModelPlan, region: str, today: dt.date
) -> tuple[QuotaCap, ...]:
    """What the guardrails need from the rest of the stack, and the quota caps it sets (computed here, once).

    Raises a Refusal keyed from the stack's root.
    """
    try:
        caps = quota_caps(guardrails.quotas, regions_by_family(plan, region), today)
    except Refusal as refusal:
        raise Refusal(f"guardrails.{refusal.key}", refusal.value, refusal.allowed) from None
    budget = guardrails.budget
    if budget is None:
        return caps
    if not project.create and budget.billing_account is None:
        raise Refusal(
            "guardrails.budget.billingAccount",
            MISSING,
            "required when adopting a project (project.create: false): the billing account the project is billed to",
        )
    if project.create and budget.billing_account not in (None, project.billing_account):
        raise Refusal(
            "guardrails.budget.billingAccount",
            budget.billing_account,
            f"must be project.billingAccount ({project.billing_account}), the account the project is billed to, "
            "or be left out",
        )
    return caps


def budget_account(guardrails: GuardrailsConfig, project: ProjectConfig) -> str | None:
    """The billing account the budget is created in: the guardrail's own, else the created project's."""
    if guardrails.budget is None:
        return None
    return guardrails.budget.billing_account or project.billing_account
