"""`claude-vertex:guardrails.budget`: a monthly budget on the team's project, with alerts.

The budget alerts on actual and forecast spend; it never stops spending (the quota caps are the hard limit).
It lives in a billing account: the created project's, or, for an adopted project, one the section names
(`check_budget`, which needs the project section, runs once every section is valid).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Strict, field_validator

from claude_vertex.config.base import MISSING, Flag, Refusal, Section, Text, key, refuse_duplicates
from claude_vertex.config.project import ProjectConfig

MAX_BUDGET_CHANNELS = 5
"""A budget notifies at most five Cloud Monitoring channels (Budget API `monitoringNotificationChannels`)."""
EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
BILLING_ACCOUNT = r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$"

Amount = Annotated[float, Strict()]


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


def check_budget(budget: BudgetConfig, project: ProjectConfig) -> None:
    """The budget's billing account against the project section; a Refusal keyed from the stack's root."""
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


def budget_account(budget: BudgetConfig, project: ProjectConfig) -> str | None:
    """The billing account the budget is created in: the budget's own, else the created project's."""
    return budget.billing_account or project.billing_account
