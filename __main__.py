"""claude-vertex: one team's Claude Code on Vertex AI, one stack per team; or the platform's Claude apps gateway.

Thin on purpose: the stack file's config in, one component, its outputs exported. A stack with
`claude-vertex:gateway` is the gateway's (`ClaudeGateway`, serving the team stacks it names, read from their stack
files in the project directory, where Pulumi runs the program); every other stack is a team's
(`ClaudeVertexTeam`). Everything that decides anything lives in the component package (`components/claude_vertex`),
where it is tested.
"""

from pathlib import Path

import pulumi
from claude_vertex import ClaudeVertexTeam
from claude_vertex.config import parse_config, read_namespace
from claude_vertex.config.clock import stack_date

raw = read_namespace()
today = stack_date()
if "gateway" in raw:
    from claude_vertex.config.gateway import parse_gateway_stack
    from claude_vertex.gateway import ClaudeGateway
    from claude_vertex.plan.gateway import plan_gateway

    from tools.served_teams import served_teams

    gateway = parse_gateway_stack(raw)
    plan = plan_gateway(gateway, served_teams(gateway, Path.cwd(), today))
    outputs = ClaudeGateway(gateway.name, gateway, plan).outputs
else:
    config = parse_config(raw, today=today)
    outputs = ClaudeVertexTeam.from_config(config.team, config).outputs
for name, value in outputs.items():
    pulumi.export(name, value)
