"""Spend and rate guardrails for one team's project: a budget, quota caps, audit logs, and the usage view.

The project is the team, so GCP's per-project controls are per-team controls. One module per concern, each
registering its resources as children of the `Guardrails` component, which composes them:
- `budget.py`: the monthly budget and the e-mail channels it (and the usage alerts) notify;
- `quotas.py`: the quota caps (`SQuotaPreference`), the real limit;
- `audit.py`: Data Access audit logs, which name who called which model;
- `usage.py`: the log-based metric over those logs, the dashboard and the alert policies;
- `apis.py`: the APIs they call, enabled only when a guardrail that calls them is on.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from claude_vertex.config.guardrails import GuardrailsConfig
from claude_vertex.config.project import ProjectConfig
from claude_vertex.plan.quotas import QuotaCap
from claude_vertex.render.telemetry import managed_settings
from claude_vertex.resources.guardrails.apis import required_services
from claude_vertex.resources.guardrails.audit import vertex_data_access
from claude_vertex.resources.guardrails.budget import monthly_budget, notification_channels
from claude_vertex.resources.guardrails.quotas import quota_preferences
from claude_vertex.resources.guardrails.usage import Usage
from claude_vertex.resources.project import service_resource_name


class Guardrails(pulumi.ComponentResource):
    """Budget, notification channels, quota caps, audit config and the usage view of a team's project.

    `caps` are the quota preferences of the team's plan (`claude_vertex.plan.TeamPlan.quota_caps`): worked out
    once, as of the stack's date, and only turned into resources here.
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
        self.services = {
            service: gcp.projects.Service(
                service_resource_name(team, service),
                project=project_id,
                service=service,
                disable_on_destroy=False,  # other stacks and people may rely on it once it is on
                disable_dependent_services=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for service in required_services(config)
        }

        notify = config.budget.notify if config.budget is not None else ()
        self.channels = notification_channels(team, notify, project_id, services=self.services, parent=self)
        # The provider's ID of a channel is its full name, projects/<p>/notificationChannels/<id>.
        channel_names = [channel.id for channel in self.channels]

        self.budget: gcp.billing.Budget | None = None
        if config.budget is not None:
            self.budget = monthly_budget(
                team,
                config.budget,
                project=project,
                project_id=project_id,
                project_number=project_number,
                channel_names=channel_names,
                parent=self,
            )

        self.caps = quota_preferences(
            team,
            caps,
            project_id=project_id,
            contact=notify[0] if notify else None,
            services=self.services,
            vertex_api=vertex_api,
            parent=self,
        )

        self.audit: gcp.projects.IAMAuditConfig | None = None
        if config.audit_logs:
            self.audit = vertex_data_access(team, project_id, vertex_api=vertex_api, parent=self)

        self.dashboard_url: pulumi.Output[str] | None = None
        if config.usage:
            usage = Usage(team, project_id, channels=channel_names, services=self.services, parent=self)
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
