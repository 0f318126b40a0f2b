"""Spend and rate guardrails for one team's project: a budget, quota caps, audit logs, and the usage view.

The project is the team, so GCP's per-project controls are per-team controls:
- the budget alerts on actual and forecast spend; it never stops spending;
- the quota caps (`SQuotaPreference`) are the real limit: Vertex answers 429 past them. A decrease applies at
  once, an increase is a request Google must approve, and destroy leaves the cap in place;
- Data Access audit logs name who called which model, which the usage metric counts (guardrails_usage.py).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.iam import DATA_READ
from claude_vertex_gcp.notifications import EMAIL_ADDRESS_LABEL, EMAIL_CHANNEL
from claude_vertex_gcp.services import CLOUD_QUOTAS, LOGGING, MONITORING, VERTEX_AI

from claude_vertex.config.guardrails import GuardrailsConfig, QuotaCap
from claude_vertex.config.project import ProjectConfig
from claude_vertex.render.telemetry import managed_settings
from claude_vertex.resources.guardrails.usage import Usage
from claude_vertex.resources.project import service_resource_name

# A cap far below Google's default is a decrease of more than 10%, which the API refuses unless told it is meant.
IGNORE_SAFETY_CHECK = "QUOTA_DECREASE_PERCENTAGE_TOO_HIGH"
LIMIT_NAMES = {"inputTokensPerMinute": "input-tpm", "outputTokensPerMinute": "output-tpm", "requestsPerMinute": "rpm"}


def budget_units(amount: float) -> tuple[str, int]:
    """The Budget API's money: whole units as a string, and nanos."""
    units = int(amount)
    return str(units), round((amount - units) * 1_000_000_000)


def cap_resource_name(team: str, cap: QuotaCap) -> str:
    """`payments-cap-sonnet-input-tpm-global-anthropic-claude-sonnet`: every part that makes a cap distinct."""
    return f"{team}-cap-{cap.family}-{LIMIT_NAMES[cap.limit]}-{cap.region}-{cap.base_model}"


def required_services(config: GuardrailsConfig) -> tuple[str, ...]:
    services: list[str] = []
    if (config.budget is not None and config.budget.notify) or config.usage:
        services.append(MONITORING)
    if config.usage:
        services.append(LOGGING)
    if config.quotas:
        services.append(CLOUD_QUOTAS)
    return tuple(services)


class Guardrails(pulumi.ComponentResource):
    """Budget, notification channels, quota caps, audit config and the usage view of a team's project.

    `caps` are the quota preferences the stack config computed (`StackConfig.quota_caps`): computed once, as of
    the stack's date, and only turned into resources here.
    """

    def __init__(
        self,
        team: str,
        config: GuardrailsConfig,
        *,
        project: ProjectConfig,
        caps: tuple[QuotaCap, ...],
        project_id: pulumi.Output[str],
        project_number: pulumi.Output[str] | None,
        vertex_api: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("claude-vertex:index:Guardrails", f"{team}-guardrails", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.services = {
            service: gcp.projects.Service(
                service_resource_name(team, service),
                project=project_id,
                service=service,
                disable_on_destroy=False,  # other stacks and people may rely on it once it is on
                disable_dependent_services=False,
                opts=child,
            )
            for service in required_services(config)
        }

        def needs(*apis: pulumi.Resource | str) -> pulumi.ResourceOptions:
            """Each API a resource calls, enabled first (the project itself comes with `project_id`)."""
            return pulumi.ResourceOptions(
                parent=self, depends_on=[self.services[a] if isinstance(a, str) else a for a in apis]
            )

        notify = config.budget.notify if config.budget is not None else ()
        self.channels = [
            gcp.monitoring.NotificationChannel(
                f"{team}-notify-{address}",
                project=project_id,
                type=EMAIL_CHANNEL,
                display_name=f"Claude Code {team}: {address}",
                labels={EMAIL_ADDRESS_LABEL: address},
                opts=needs(MONITORING),
            )
            for address in notify
        ]
        # The provider's ID of a channel is its full name, projects/<p>/notificationChannels/<id>.
        channel_names = [channel.id for channel in self.channels]

        self.budget: gcp.billing.Budget | None = None
        if config.budget is not None:
            number = project_number
            if number is None:  # an adopted project: its number is GCP's, not an output of this stack
                number = gcp.organizations.get_project_output(project_id=project.id).number
            units, nanos = budget_units(config.budget.monthly_amount)
            amount: dict[str, object] = {"units": units, "nanos": nanos}
            if config.budget.currency is not None:
                amount["currency_code"] = config.budget.currency
            rules = [{"threshold_percent": t, "spend_basis": "CURRENT_SPEND"} for t in sorted(config.budget.thresholds)]
            if config.budget.forecast:
                rules.append({"threshold_percent": 1.0, "spend_basis": "FORECASTED_SPEND"})
            self.budget = gcp.billing.Budget(
                f"{team}-budget",
                billing_account=config.budget.billing_account or project.billing_account,
                display_name=f"Claude Code {team}"[:60],
                amount={"specified_amount": amount},
                budget_filter={
                    "projects": [pulumi.Output.concat("projects/", number)],
                    "calendar_period": "MONTH",
                },
                threshold_rules=rules,
                all_updates_rule={
                    "monitoring_notification_channels": channel_names,
                    "disable_default_iam_recipients": False,
                },
                opts=child,
            )

        self.caps: dict[str, gcp.cloudquota.SQuotaPreference] = {}
        contact = notify[0] if notify else None
        for cap in caps:
            name = cap_resource_name(team, cap)
            self.caps[name] = gcp.cloudquota.SQuotaPreference(
                name,
                parent=pulumi.Output.concat("projects/", project_id),
                service=VERTEX_AI,
                quota_id=cap.quota_id,
                dimensions=cap.dimensions,
                quota_config={"preferred_value": str(cap.value)},
                ignore_safety_checks=IGNORE_SAFETY_CHECK,
                justification=f"claude-vertex guardrail: {cap.family} cap for team {team}, set by its Pulumi stack.",
                contact_email=contact,
                opts=needs(CLOUD_QUOTAS, vertex_api),
            )

        self.audit: gcp.projects.IAMAuditConfig | None = None
        if config.audit_logs:
            self.audit = gcp.projects.IAMAuditConfig(
                f"{team}-vertex-data-access",
                project=project_id,
                service=VERTEX_AI,
                audit_log_configs=[{"log_type": DATA_READ}],
                # Non-authoritative per service; kept on destroy: the audit trail outlives the stack.
                opts=needs(vertex_api).merge(pulumi.ResourceOptions(retain_on_delete=True)),
            )

        self.dashboard_url: pulumi.Output[str] | None = None
        if config.usage:
            usage = Usage(
                team,
                project_id,
                channels=channel_names,
                parent=self,
                depends_on=[self.services[MONITORING], self.services[LOGGING]],
            )
            self.dashboard_url = usage.dashboard_url

        outputs: dict[str, object] = {"quotaCaps": sorted(self.caps)}
        if self.dashboard_url is not None:
            outputs["dashboardUrl"] = self.dashboard_url
        self.register_outputs(outputs)


def guardrail_outputs(
    config: GuardrailsConfig, dashboard_url: pulumi.Output[str] | None, env: pulumi.Output[dict[str, str]]
) -> dict[str, object]:
    """`guardrails` (what is budgeted and capped), `dashboardUrl`, and `managedSettings` when telemetry is on."""
    budget = config.budget
    outputs: dict[str, object] = {
        "guardrails": {
            "budget": None
            if budget is None
            else {
                "monthlyAmount": budget.monthly_amount,
                "currency": budget.currency,
                "thresholds": sorted(budget.thresholds),
                "forecast": budget.forecast,
                "notify": list(budget.notify),
            },
            "quotas": {family: caps.limits() for family, caps in sorted(config.quotas.items())},
            "auditLogs": config.audit_logs,
            "usage": config.usage,
        }
    }
    if dashboard_url is not None:
        outputs["dashboardUrl"] = dashboard_url
    if config.telemetry is not None:
        outputs["managedSettings"] = env.apply(managed_settings)
    return outputs
