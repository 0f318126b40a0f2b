"""claude-vertex: one team's Claude Code on Google Vertex AI as a Pulumi component.

`ClaudeVertexTeam` and its args are the public names; every other module is the package's own. They load on
first use, so the config models (`claude_vertex.config`) stay importable without the Google provider's SDK.
Importing the package first checks the installed pulumi and pulumi-gcp against the ranges it declares.
"""

from typing import TYPE_CHECKING, Any

from claude_vertex.requirements import check_installed_requirements

# Before anything imports an SDK: an unsupported pulumi or pulumi-gcp is one line, not a traceback later on.
check_installed_requirements()

if TYPE_CHECKING:
    from claude_vertex.args import ClaudeVertexTeamArgs
    from claude_vertex.team import ClaudeVertexTeam

__all__ = ["ClaudeVertexTeam", "ClaudeVertexTeamArgs"]


def __getattr__(name: str) -> Any:
    if name == "ClaudeVertexTeam":
        from claude_vertex.team import ClaudeVertexTeam

        return ClaudeVertexTeam
    if name == "ClaudeVertexTeamArgs":
        from claude_vertex.args import ClaudeVertexTeamArgs

        return ClaudeVertexTeamArgs
    raise AttributeError(f"module 'claude_vertex' has no attribute {name!r}")
