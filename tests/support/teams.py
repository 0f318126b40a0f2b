"""Which `ClaudeVertexTeam` each registration belongs to, and whether two teams in one program stay apart.

Two teams in one program are independent when no registration of one names a registration of the other: not
as its parent, not among its dependencies or property dependencies. (The engine's default providers and the
root stack belong to no team and serve both.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TEAM_TYPE = "claude-vertex:index:ClaudeVertexTeam"


def team_of(urn: str, by_urn: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The URN of the `ClaudeVertexTeam` that `urn` is, or is registered under; None for anything else."""
    seen: set[str] = set()
    while urn in by_urn and urn not in seen:
        seen.add(urn)
        record = by_urn[urn]
        if record["type"] == TEAM_TYPE:
            return urn
        urn = record["parent"]
    return None


def teams(records: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Each team component's URN and the registrations under it (itself included)."""
    by_urn = {record["urn"]: record for record in records}
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        team = team_of(record["urn"], by_urn)
        if team is not None:
            grouped.setdefault(team, []).append(record)
    return grouped


def edges_across_teams(records: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(registration, how it names the other, the other) for every edge from one team's registration into another's."""
    by_urn = {record["urn"]: record for record in records}
    crossing = []
    for record in records:
        own = team_of(record["urn"], by_urn)
        if own is None:
            continue
        named = [("parent", record["parent"])]
        named += [("dependency", urn) for urn in record["dependencies"]]
        named += [
            (f"property dependency {key}", urn) for key, urns in record["propertyDependencies"].items() for urn in urns
        ]
        for how, urn in named:
            other = team_of(urn, by_urn)
            if other is not None and other != own:
                crossing.append((record["urn"], how, urn))
    return crossing
