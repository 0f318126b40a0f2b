"""The gateway's plan: what each served team means to the gateway, worked out once from the teams' own configs.

Each team stack behind the gateway (`behindGateway`) is already validated and planned (`StackConfig.plan`: the
pins, their regions, as of the stack's date); this turns those plans into what gateway.yaml and the spend-cap job
need: one Vertex upstream per team project and region (failover regions after it), one gateway model per alias of
each team, routed to that team's upstreams only, one policy per team (its IdP groups may call its models and
nothing else; its aliases pinned to them), the spend limits, and the grants the gateway's account needs (each
team's own minimal role in each team's project, nothing more). Rendering and resources read this; nothing else
works any of it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from claude_vertex_gcp.names import custom_role_name

from claude_vertex.catalog import ALIAS_VARIABLES, ALIASES
from claude_vertex.config.base import ConfigError
from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.config.stack import StackConfig

PRIMARY = "primary"
"""The gateway model of a team whose primary model (`ANTHROPIC_MODEL`) is none of its aliases' pins."""
PERIOD = "monthly"
"""The spend-limit period the caps use (the gateway also knows daily and weekly)."""


@dataclass(frozen=True)
class ServedTeam:
    """A team stack the gateway serves: its stack name (what `gateway.teams` lists) and its validated config."""

    stack: str
    config: StackConfig


@dataclass(frozen=True)
class Upstream:
    """One Vertex upstream: a team's project in one region, serving only that team's groups and models."""

    name: str
    team: str
    project_id: str
    region: str
    groups: tuple[str, ...]
    models: tuple[str, ...]


@dataclass(frozen=True)
class GatewayModel:
    """A model id clients send (`<team>-<alias>`), with the Vertex model it means on each of its team's upstreams."""

    id: str
    team: str
    alias: str
    vertex_model: str
    upstreams: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.alias.capitalize()} ({self.team})"


@dataclass(frozen=True)
class TeamPolicy:
    """What a team's IdP groups may call (their models only) and the aliases pinned to them."""

    team: str
    groups: tuple[str, ...]
    models: tuple[str, ...]
    env: dict[str, str]


@dataclass(frozen=True)
class SpendLimit:
    """One limit the spend-cap job upserts through the admin API; `why` is what the plan shows."""

    scope_type: str
    scope_id: str
    amount: float
    why: str


@dataclass(frozen=True)
class RoleGrant:
    """The gateway's account holding a served team's own minimal role in that team's project."""

    team: str
    project_id: str
    role_name: str


@dataclass(frozen=True)
class GatewayPlan:
    upstreams: tuple[Upstream, ...]
    models: tuple[GatewayModel, ...]
    policies: tuple[TeamPolicy, ...]
    spend_limits: tuple[SpendLimit, ...]
    grants: tuple[RoleGrant, ...]

    @property
    def groups(self) -> tuple[str, ...]:
        """Every IdP group the gateway serves, in team order."""
        return tuple(group for policy in self.policies for group in policy.groups)


def gateway_model_id(team: str, alias: str) -> str:
    """`payments-opus`: the model a developer of `team` sends for `alias`; unique across teams by construction."""
    return f"{team}-{alias}"


def upstream_name(team: str, region: str, home_region: str) -> str:
    """`payments` for the team's own region, `payments-us-east5` for another: the names the admin API shows."""
    return team if region == home_region else f"{team}-{region}"


def plan_gateway(config: GatewayConfig, teams: Sequence[ServedTeam]) -> GatewayPlan:
    """The plan for `teams` (in `config.teams` order); a clash between teams is a ConfigError naming the key."""
    upstreams: list[Upstream] = []
    models: list[GatewayModel] = []
    policies: list[TeamPolicy] = []
    limits: list[SpendLimit] = []
    grants: list[RoleGrant] = []
    owner_of_group: dict[str, str] = {}
    owner_of_team: dict[str, str] = {}
    for index, served in enumerate(teams):
        team_config = served.config
        behind = team_config.behind_gateway
        key = f"gateway.teams[{index}]"
        if behind is None:
            raise ConfigError(
                key,
                served.stack,
                f"stack {served.stack} has no claude-vertex:behindGateway (its developers' IdP groups); add it there",
            )
        team = team_config.team
        if team in owner_of_team:
            raise ConfigError(key, served.stack, f"team {team} is already served by stack {owner_of_team[team]}")
        owner_of_team[team] = served.stack
        for group in behind.groups:
            if group in owner_of_group:
                raise ConfigError(
                    key,
                    served.stack,
                    f"IdP group {group} is also stack {owner_of_group[group]}'s: a group belongs to one team",
                )
            owner_of_group[group] = served.stack

        home = team_config.vertex.region
        pins = dict(team_config.plan.models.aliases)
        primary = team_config.plan.models.primary
        primary_alias = next(
            (alias for alias, pin in pins.items() if (pin.model_id, pin.one_m) == (primary.model_id, primary.one_m)),
            None,
        )
        if primary_alias is None:  # a primary model no alias pins: a model of its own
            primary_alias = PRIMARY
            pins[PRIMARY] = primary
        team_upstreams: dict[str, list[str]] = {}
        for alias, pin in pins.items():
            model_id = gateway_model_id(team, alias)
            regions = [pin.region, *(r for r in behind.failover_regions if r != pin.region)]
            names = [upstream_name(team, region, home) for region in regions]
            for name in names:
                team_upstreams.setdefault(name, []).append(model_id)
            models.append(GatewayModel(model_id, team, alias, pin.model_id, tuple(names)))
        # The team's own region first, then the others in the order its models name them: a request for a model
        # fails over down its upstreams in this order (the gateway tries upstreams in the order they are listed).
        for name, served_models in team_upstreams.items():
            region = home if name == team else name.removeprefix(f"{team}-")
            upstreams.append(Upstream(name, team, team_config.project.id, region, behind.groups, tuple(served_models)))
        env: dict[str, str] = {}
        for alias in ALIASES:
            for variable in ALIAS_VARIABLES[alias]:
                env[variable] = gateway_model_id(team, alias)
        env["ANTHROPIC_MODEL"] = gateway_model_id(team, primary_alias)
        team_models = tuple(gateway_model_id(team, alias) for alias in pins)
        policies.append(TeamPolicy(team, behind.groups, team_models, dict(sorted(env.items()))))
        if behind.developer_monthly_cap is not None:
            for group in behind.groups:
                limits.append(
                    SpendLimit(
                        "rbac_group",
                        group,
                        behind.developer_monthly_cap,
                        f"each developer of {group} (team {team}, {served.stack})",
                    )
                )
        grants.append(
            RoleGrant(
                team, team_config.project.id, custom_role_name(team_config.project.id, team_config.access.role_id)
            )
        )
    for email, amount in sorted(config.spend_caps.developers.items()):
        limits.append(SpendLimit("user", email, amount, f"{email} (gateway.spendCaps.developers)"))
    return GatewayPlan(tuple(upstreams), tuple(models), tuple(policies), tuple(limits), tuple(grants))
