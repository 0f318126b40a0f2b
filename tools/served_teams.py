"""The team stacks a gateway stack serves, read from their stack files beside it the way the fleet view reads them.

The gateway stack names its teams (`gateway.teams`, stack names); each team's `Pulumi.<stack>.yaml` is read with the
same hostile-input reader as every stack file (`tools.stack_file`) and validated with the team program's own parser
as of the same date, so the gateway sees exactly the project, region, pins and groups the team's own stack deploys.
A team file that is missing or invalid fails the gateway stack with one line naming the team and the problem.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from claude_vertex.config import ConfigError, parse_config
from claude_vertex.config.base import NAMESPACE
from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.plan.gateway import ServedTeam

from tools.stack_file import StackFileError, read_stack
from tools.stack_scalars import printable


def served_teams(config: GatewayConfig, root: Path, today: dt.date) -> list[ServedTeam]:
    """Each stack of `config.teams`, in order, validated as of `today`."""
    teams = []
    prefix = f"{NAMESPACE}:"
    for index, stack in enumerate(config.teams):
        key = f"gateway.teams[{index}]"
        path = root / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            raise ConfigError(key, stack, f"no stack file {path.name} beside the gateway's stack file")
        try:
            _, namespaced = read_stack(path, root)
        except StackFileError as error:
            raise ConfigError(key, stack, printable(str(error))) from None
        raw = {k[len(prefix) :]: v for k, v in namespaced.items() if k.startswith(prefix)}
        if "gateway" in raw:
            raise ConfigError(key, stack, "is a gateway stack, not a team stack")
        try:
            team = parse_config(raw, today=today)
        except ConfigError as error:
            raise ConfigError(key, stack, f"its stack file is invalid: {error}") from None
        teams.append(ServedTeam(stack, team))
    return teams
