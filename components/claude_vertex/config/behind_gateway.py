"""`claude-vertex:behindGateway`: a team served through the platform's Claude apps gateway.

The team's stack file stays the team's record: it says which of the company's IdP groups are the team's developers,
what each of them may spend a month, and where the gateway may fail over to. The gateway's own stack
(`claude-vertex:gateway`, `config/gateway.py`) reads this section with the rest of the team's config (project,
region, pinned models) and renders the team's upstreams, models and group policy from it. A team without this
section is not behind the gateway, and nothing about its stack changes.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, Strict, field_validator

from claude_vertex.catalog import catalog
from claude_vertex.config.base import Refusal, Section, Text, key, refuse_duplicates

IDP_GROUP_RULE = (
    "1-128 printable characters without commas, '=' or leading/trailing spaces (as the IdP's groups claim spells it)"
)
IDP_GROUP_RE = re.compile(r"^[^\s,=\x00-\x1f\x7f](?:[^,=\x00-\x1f\x7f]{0,126}[^\s,=\x00-\x1f\x7f])?$")
MAX_MONTHLY_CAP_USD = 1_000_000


def _whole_cents(dollars: float) -> float:
    """The gateway counts spend in cents: 12.5 is 1250 cents; 12.345 is no amount it can hold."""
    if abs(dollars * 100 - round(dollars * 100)) > 1e-6:
        raise ValueError("at most two decimals (whole cents)")
    return dollars


def cents(dollars: float) -> int:
    """Dollars as the gateway's admin API counts them."""
    return round(dollars * 100)


Dollars = Annotated[
    float, Strict(), Field(ge=0, le=MAX_MONTHLY_CAP_USD, allow_inf_nan=False), AfterValidator(_whole_cents)
]
"""US dollars a month, 0 or more, whole cents: 0 means the developer may not spend at all."""


class BehindGatewayConfig(Section):
    """The team's developers reach Claude through the gateway."""

    groups: tuple[Text, ...] = key(
        allowed=f"required: a list of IdP group names, {IDP_GROUP_RULE}",
        doc="The company IdP's groups (as its `groups` claim spells them) whose members are this team's developers "
        "on the gateway: they get this team's pinned models, routed to this team's project only.",
        min_length=1,
        max_length=20,
    )
    developer_monthly_cap: Dollars | None = key(
        None,
        allowed=f"a number of US dollars from 0 to {MAX_MONTHLY_CAP_USD}, at most two decimals",
        doc="What each developer of these groups may spend a month through the gateway, in US dollars (the "
        "gateway's per-member group limit, applied by the spend-cap job after each deploy). 0 blocks them; unset: "
        "no per-developer cap (the project's budget and quota caps still apply).",
    )
    failover_regions: tuple[Text, ...] = key(
        (),
        allowed="a list of Vertex locations that serve every pinned model of the team",
        doc="Where the gateway retries when the team's own region fails (a second upstream in the same project, "
        "tried in this order). Every pinned model must be served there (models.yaml).",
        max_length=5,
    )

    @field_validator("groups")
    @classmethod
    def _groups(cls, groups: tuple[str, ...]) -> tuple[str, ...]:
        for index, group in enumerate(groups):
            if not IDP_GROUP_RE.match(group):
                raise Refusal(f"[{index}]", group, IDP_GROUP_RULE)
        refuse_duplicates("", groups)
        return groups

    @field_validator("failover_regions")
    @classmethod
    def _regions(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        known = catalog().regions()
        for index, region in enumerate(regions):
            if region not in known:
                raise Refusal(f"[{index}]", region, f"a location that serves Claude: {', '.join(known)}")
        refuse_duplicates("", regions)
        return regions
