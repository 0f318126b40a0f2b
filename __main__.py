"""claude-vertex: one team's Claude Code on Vertex AI, one stack per team.

Thin on purpose: the stack file's config in, one `ClaudeVertexTeam`, its outputs exported. Everything that
decides anything lives in the component package (`components/claude_vertex`), where it is tested.
"""

import pulumi
from claude_vertex import ClaudeVertexTeam
from claude_vertex.config import load_stack_config

config = load_stack_config()
team = ClaudeVertexTeam.from_config(config.team, config)
for name, value in team.outputs.items():
    pulumi.export(name, value)
