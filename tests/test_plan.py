"""The plan (pins, regions, quota caps) is worked out once per team, from its config and the one clock, and handed
down: no resource or rendering works any of it out again, and two teams in one program get one plan each."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from claude_vertex.config import clock
from claude_vertex.plan import models, quotas

from tests.conftest import SUITE_DATE
from tests.fixture_stacks import PAYMENTS, stack_of
from tests.support.render import render_stack
from tools.stack_file import read_stack_config

CAP = "gcp:cloudquota/sQuotaPreference:SQuotaPreference"

TWO_TEAMS = textwrap.dedent(
    """
    from claude_vertex import ClaudeVertexTeam

    BILLING = "012345-6789AB-CDEF01"
    VERTEX = {"payments": {"region": "global"}, "research": {"region": "us", "models": {"haiku": "claude-haiku-5-5"}}}
    for team, vertex in VERTEX.items():
        ClaudeVertexTeam(
            team,
            {
                "team": team,
                "project": {"id": f"claude-{team}-dev", "billingAccount": BILLING, "folderId": "123456789012"},
                "vertex": vertex,
                "guardrails": {"quotas": {"sonnet": {"requestsPerMinute": 60}}},
            },
        )
    """
)


def spy(monkeypatch: pytest.MonkeyPatch, function: Callable[..., Any]) -> list[tuple[Any, ...]]:
    """The arguments of every call of `function`, wherever the package holds it: its own module, or one that
    imported it by name. A second computation cannot hide behind an import."""
    calls: list[tuple[Any, ...]] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append((*args, *kwargs.values()))
        return function(*args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name == "claude_vertex" or name.startswith("claude_vertex."):
            for attribute, value in list(vars(module).items()):
                if value is function:
                    monkeypatch.setattr(module, attribute, counted)
    return calls


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[Any, ...]]]:
    """Each call of what computes a part of the plan, and of the clock, while the test renders."""
    import claude_vertex.team  # noqa: F401  (the whole program loaded: every module that could hold a copy)

    return {
        "model plan": spy(monkeypatch, models.resolve_models),
        "quota caps": spy(monkeypatch, quotas.quota_caps),
        "clock": spy(monkeypatch, clock.stack_date),
    }


def test_a_render_plans_the_team_once(computations: dict[str, list[tuple[Any, ...]]]) -> None:
    rendering = render_stack(stack_of(PAYMENTS), read_stack_config(PAYMENTS, "claude-vertex"))

    assert [r for r in rendering.resources if r["type"] == CAP], "the fixture sets quota caps"
    assert {what: len(calls) for what, calls in computations.items()} == {
        "model plan": 1,
        "quota caps": 1,
        "clock": 1,
    }
    assert computations["model plan"][0][1] == SUITE_DATE  # the plan is as of the one date the clock gave
    assert computations["quota caps"][0][-1] == SUITE_DATE


def test_two_teams_in_one_program_are_planned_once_each(
    computations: dict[str, list[tuple[Any, ...]]], tmp_path: Path
) -> None:
    (tmp_path / "__main__.py").write_text(TWO_TEAMS)

    rendering = render_stack("dev", {}, root=tmp_path, project="platform")

    caps = [r["name"] for r in rendering.resources if r["type"] == CAP]
    assert {name.split("-", 1)[0] for name in caps} == {"payments", "research"}
    assert {what: len(calls) for what, calls in computations.items()} == {
        "model plan": 2,
        "quota caps": 2,
        "clock": 2,
    }
    # Each team's plan comes from its own config: one in the global region, one in the us multi-region.
    assert [call[0].region for call in computations["model plan"]] == ["global", "us"]
