"""Alerts and budget notices stay inside the organization: e-mail channels only, to the company's own addresses.

A notification channel is a standing route out of the project: every alert and budget notice (project, spend,
who called which model how often) goes wherever it points. The program creates e-mail channels for the budget's
`notify` list and nothing else. This rule refuses every other channel type (a webhook, Slack, PagerDuty, SMS or
Pub/Sub channel sends to a system this pack cannot see) and an e-mail channel whose address cannot be read;
where an address may go is judged with the member rules' own lists, so there is one list of the company's
domains: `members-in-allowed-domains` (allowedMemberDomains) and `no-personal-email-members` (personalDomains)
judge recipients with `recipient_outside_domains` and `personal_recipient` below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.members import parse_member
from claude_vertex_gcp.notifications import EMAIL_ADDRESS_LABEL, EMAIL_CHANNEL
from claude_vertex_gcp.resource_types import BUDGET, NOTIFICATION_CHANNEL
from pulumi_policy import EnforcementLevel, Severity

from ..values import known_str, shown
from .base import ResourceRule, RuleInfo, matches_any, string_list


def recipient(resource_type: str, props: Mapping[str, Any]) -> str | None:
    """The address an e-mail channel sends to, when it is a known string; None for anything else."""
    if resource_type != NOTIFICATION_CHANNEL or known_str(props.get("type")) != EMAIL_CHANNEL:
        return None
    labels = props.get("labels")
    return known_str(labels.get(EMAIL_ADDRESS_LABEL)) if isinstance(labels, Mapping) else None


def _recipient_domain(resource_type: str, props: Mapping[str, Any]) -> tuple[str, str] | None:
    address = recipient(resource_type, props)
    if address is None:
        return None
    parsed = parse_member(f"user:{address}")
    return (address, parsed.domain) if parsed.problem is None and parsed.domain else None


def personal_recipient(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    """`no-personal-email-members`, for the address of an e-mail notification channel."""
    found = _recipient_domain(resource_type, props)
    if found is None or found[1] not in {d.lower() for d in config["personalDomains"]}:
        return []
    address, domain = found
    return [
        f"Sends alerts and budget notices to {address}, an address in the personal email domain {domain}, outside "
        "the company's control."
    ]


def recipient_outside_domains(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    """`members-in-allowed-domains`, for the address of an e-mail notification channel (once the rule is on, an
    empty `allowedMemberDomains` admits no address)."""
    allowed = config["allowedMemberDomains"]
    found = _recipient_domain(resource_type, props)
    if found is None or found[1] in {d.lower() for d in allowed}:
        return []
    return [f"Sends alerts and budget notices to {found[0]}, outside allowedMemberDomains {sorted(allowed)}."]


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type == BUDGET:
        rule = props.get("allUpdatesRule")
        topic = rule.get("pubsubTopic") if isinstance(rule, Mapping) else None
        if topic in (None, ""):
            return []
        return [
            f"The budget publishes its notices to Pub/Sub topic {shown(topic)}: whoever subscribes reads the "
            "team's spend, outside every channel this pack can see."
        ]
    if resource_type != NOTIFICATION_CHANNEL:
        return []
    kind = known_str(props.get("type"))
    name = known_str(props.get("displayName")) or "notification channel"
    if kind is None or not matches_any(kind, config["allowedChannelTypes"]):
        return [
            f"{name} is a {shown(props.get('type'))} channel, not one of allowedChannelTypes "
            f"{list(config['allowedChannelTypes'])}: its alerts leave for a system this pack cannot see."
        ]
    if kind == EMAIL_CHANNEL and _recipient_domain(resource_type, props) is None:
        labels = props.get("labels")
        address = labels.get(EMAIL_ADDRESS_LABEL) if isinstance(labels, Mapping) else labels
        return [
            f"{name} is an e-mail channel whose address cannot be read ({shown(address)}), so where it sends "
            "cannot be judged."
        ]
    return []


NOTIFICATIONS_STAY_IN_ORGANIZATION = ResourceRule(
    RuleInfo(
        name="notifications-stay-in-organization",
        description="Notification channels are e-mail channels with a readable address; budgets publish to no "
        "Pub/Sub topic.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Use guardrails.budget.notify (e-mail channels to company addresses; members-in-allowed-domains "
        "and no-personal-email-members judge the addresses). A webhook, chat or paging integration is the "
        "platform's to review; then add its type to allowedChannelTypes.",
        config={
            "allowedChannelTypes": string_list(
                "Notification channel types a stack may create (email: the address is judged by the member rules).",
                (EMAIL_CHANNEL,),
            )
        },
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("monitoring", "data-exfiltration"),
    ),
    check,
)
