"""The package schema the component provider host serves for `ClaudeVertexTeam`, generated the way the host does.

`pulumi.provider.experimental.component_provider_host` analyzes the component class (its args' annotations, its
output annotations) and generates the schema from the result; this does the same two calls, in whichever
virtualenv it runs, so that a test can hold the schema every other language's SDK is generated from.
"""

from __future__ import annotations

from typing import Any

PACKAGE = "claude-vertex"


def package_schema(version: str = "0.0.0") -> dict[str, Any]:
    """The schema of package `claude-vertex` (`ClaudeVertexTeam` and its types), as plain JSON data."""
    from claude_vertex import ClaudeVertexTeam
    from pulumi.provider.experimental.analyzer import Analyzer
    from pulumi.provider.experimental.schema import generate_schema

    analyzed = Analyzer(PACKAGE).analyze([ClaudeVertexTeam])
    dependencies = sorted(analyzed["dependencies"], key=lambda d: f"{d.name}{d.version}")
    schema = generate_schema(
        PACKAGE,
        version,
        None,
        analyzed["component_definitions"],
        analyzed["type_definitions"],
        dependencies,
    )
    return schema.to_json()
