"""A team's warnings reach the engine against that team's component, as `pulumi up` shows them.

The engine prints a warning under the resource its `LogRequest` names. Under the mocks the SDK's engine stand-in
(`pulumi.runtime.mocks.MockEngine`) receives exactly the `LogRequest` the real engine would; it is recorded here,
URN included, instead of being reduced to its message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.mocks import MockEngine
from pulumi.runtime.proto import engine_pb2

from tests.conftest import config_with
from tests.support.render import Rendering, render_stack
from tests.support.teams import TEAM_TYPE

RETIRING = "claude-sonnet-4-5@20250929"
"""Retires on Vertex AI on 2026-11-30: five days after the suite's date, inside the warning window."""


def render_logging(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[Rendering, list[tuple[int, str, str]]]:
    """A rendering and every (severity, message, urn) the program logged to the engine."""
    logged: list[tuple[int, str, str]] = []
    original = MockEngine.Log

    def log(engine: MockEngine, request: Any) -> None:
        logged.append((request.severity, request.message, request.urn))
        original(engine, request)

    monkeypatch.setattr(MockEngine, "Log", log)
    return render_stack(**kwargs), logged


def urn_of_team(rendering: Rendering, name: str) -> str:
    (urn,) = [r.urn for r in rendering.resources if r.type == TEAM_TYPE and r.name == name]
    return urn


def test_a_pin_retiring_soon_is_a_warning_on_the_teams_component(monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_with(vertex={"region": "global", "primaryModel": RETIRING})
    rendering, logged = render_logging(monkeypatch, stack="payments", config=config)
    retiring = [entry for entry in logged if RETIRING in entry[1]]
    assert retiring == [
        (
            engine_pb2.WARNING,
            f"vertex.primaryModel: {RETIRING} retires on Vertex AI on 2026-11-30 (in 5 days); pin claude-sonnet-5-5 "
            "before then",
            urn_of_team(rendering, "payments"),
        )
    ]
    assert [m for m in rendering.warnings if RETIRING in m] == [retiring[0][1]]  # and the preview shows it


TWO_TEAMS = f"""
from claude_vertex import ClaudeVertexTeam

for team, primary in (("payments", "claude-sonnet-5-5"), ("research", "{RETIRING}")):
    project = {{"id": f"claude-{{team}}-prod", "billing_account": "012345-6789AB-CDEF01", "folder_id": "123456789012"}}
    vertex = {{"region": "global", "primary_model": primary}}
    ClaudeVertexTeam(team, {{"team": team, "project": project, "vertex": vertex}})
"""


def test_with_two_teams_the_warning_is_on_the_team_that_has_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: two-teams\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(TWO_TEAMS)
    rendering, logged = render_logging(monkeypatch, stack="dev", config={}, root=tmp_path)
    warned = {urn for severity, message, urn in logged if severity == engine_pb2.WARNING and RETIRING in message}
    assert warned == {urn_of_team(rendering, "research")}
