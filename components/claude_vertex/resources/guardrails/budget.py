"""The monthly budget on a team's project and the e-mail channels it notifies.

The budget alerts on actual and forecast spend; it never stops spending (the quota caps are the hard limit).
It lives in the billing account, not the project: only its notification channels are project resources, and
they need the Monitoring API.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.notifications import EMAIL_ADDRESS_LABEL, EMAIL_CHANNEL
from claude_vertex_gcp.services import MONITORING

from claude_vertex.config.guardrails.budget import BudgetConfig, budget_account
from claude_vertex.config.project import ProjectConfig


def budget_units(amount: float) -> tuple[str, int]:
    """The Budget API's money: whole units as a string, and nanos."""
    units = int(amount)
    return str(units), round((amount - units) * 1_000_000_000)


def notification_channels(
    team: str,
    notify: tuple[str, ...],
    project_id: pulumi.Output[str],
    *,
    services: Mapping[str, pulumi.Resource],
    parent: pulumi.Resource,
) -> list[gcp.monitoring.NotificationChannel]:
    """One Cloud Monitoring e-mail channel per address; the budget and the usage alerts notify them."""
    return [
        gcp.monitoring.NotificationChannel(
            f"{team}-notify-{address}",
            project=project_id,
            type=EMAIL_CHANNEL,
            display_name=f"Claude Code {team}: {address}",
            labels={EMAIL_ADDRESS_LABEL: address},
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[services[MONITORING]]),
        )
        for address in notify
    ]


def monthly_budget(
    team: str,
    config: BudgetConfig,
    *,
    project: ProjectConfig,
    project_id: pulumi.Output[str],
    project_number: pulumi.Output[str] | None,
    channel_names: list[pulumi.Output[str]],
    parent: pulumi.Resource,
) -> gcp.billing.Budget:
    """The budget on the project, alerting at each threshold of actual spend and, if asked, on the forecast."""
    number = project_number
    if number is None:  # an adopted project: its number is GCP's, not an output of this stack
        number = gcp.organizations.get_project_output(project_id=project.id).number
    units, nanos = budget_units(config.monthly_amount)
    amount: dict[str, object] = {"units": units, "nanos": nanos}
    if config.currency is not None:
        amount["currency_code"] = config.currency
    rules = [{"threshold_percent": t, "spend_basis": "CURRENT_SPEND"} for t in sorted(config.thresholds)]
    if config.forecast:
        rules.append({"threshold_percent": 1.0, "spend_basis": "FORECASTED_SPEND"})
    return gcp.billing.Budget(
        f"{team}-budget",
        billing_account=budget_account(config, project),
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
        opts=pulumi.ResourceOptions(parent=parent),
    )
