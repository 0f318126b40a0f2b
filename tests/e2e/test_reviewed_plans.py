"""The reviewed plan as the GitLab pipeline saves and applies it, under the real engine (docs/gitops.md, "GitLab:
plans applied as reviewed"): `pulumi preview --refresh --save-plan` in the merge request, `pulumi up --refresh
--plan` after merge. A plan applies, unchanged or with the change it reviewed; a stack that moved between the two
(someone edited the project in the console) stops the update with the engine's "violates plan", and the
project is left as the console left it, not as the program wants it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from claude_vertex_gcp import resource_types as gcp_types

from tests.e2e.conftest import init_stack
from tests.fixture_stacks import PAYMENTS
from tests.support.engine.cli import Engine
from tests.support.gcp_provider import Cloud

pytestmark = pytest.mark.e2e
BUDGET = "claude-vertex:guardrails.budget.monthlyAmount"


def test_a_reviewed_plan_applies_with_refresh_and_a_stack_that_moved_since_is_refused(
    engine: Engine, cloud: Cloud, pack_launcher: Path, tmp_path: Path
) -> None:
    stack, work = init_stack(engine, PAYMENTS, tmp_path)
    policy = ["--policy-pack", str(pack_launcher)]
    engine.python_program("up", "--stack", stack, "--yes", *policy, cwd=work)

    def reviewed_then_applied(name: str, between: Callable[[], None] = lambda: None):
        plan = tmp_path / f"{name}.json"
        engine.python_program(
            "preview",
            "--stack",
            stack,
            "--non-interactive",
            "--diff",
            "--refresh",
            "--save-plan",
            str(plan),
            *policy,
            cwd=work,
        )
        between()
        return engine.python_program(
            "up",
            "--yes",
            "--refresh",
            "--stack",
            stack,
            "--non-interactive",
            "--diff",
            *policy,
            "--plan",
            str(plan),
            cwd=work,
            check=False,
        )

    assert reviewed_then_applied("unchanged").returncode == 0
    engine.pulumi("config", "set", "--path", BUDGET, "2500", "--stack", stack, cwd=work)
    assert reviewed_then_applied("budget").returncode == 0

    engine.pulumi("config", "set", "--path", BUDGET, "3000", "--stack", stack, cwd=work)
    project = f"projects/{yaml.safe_load(PAYMENTS.read_text())['config']['claude-vertex:project']['id']}"
    edited = {"labels": {"edited-by": "console"}}
    moved = reviewed_then_applied("moved", lambda: cloud.drift(gcp_types.PROJECT, project, edited))
    assert moved.returncode != 0
    assert "payments-project violates plan: properties changed" in moved.stdout + moved.stderr
    assert cloud.get(gcp_types.PROJECT, project)["labels"] == edited["labels"]
