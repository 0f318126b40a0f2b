"""Saved plans under the real engine, as the GitOps pipeline uses them: the pull request's `pulumi preview
--save-plan`, then on merge `pulumi up --refresh --plan` with that file (docs/gitops.md, "Saved plans").

* A new stack: the plan the apply makes creates exactly the resources of the offline preview the pull request showed
  (`tools.reviewed_plan new-stack`), and `up --plan` applies it.
* A change reviewed, then the stack moved (its config changed again, or someone edited its project in the console):
  `up --refresh --plan` refuses before it changes anything the plan does not allow, and `tools.reviewed_plan explain`
  turns the engine's refusal into the one `::error::` line; once the stack is back to what was previewed, the plan
  applies, exactly. (The lifecycle tests apply every stack by its saved plan.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from claude_vertex_gcp import resource_types as gcp_types

from tests.e2e.conftest import ROOT, init_stack
from tests.fixture_stacks import PAYMENTS
from tests.support.engine.cli import Engine
from tests.support.gcp_provider import Cloud

pytestmark = pytest.mark.e2e
BUDGET_KEY = "claude-vertex:guardrails.budget.monthlyAmount"


def _tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.reviewed_plan", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def _budget_units(cloud: Cloud) -> str:
    ((budget),) = cloud.resources(gcp_types.BUDGET).values()
    return budget["amount"]["specifiedAmount"]["units"]


def _up_with_plan(
    engine: Engine, work: Path, stack: str, plan: Path, *policy: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """As Apply runs it (the lifecycle tests run every stack with the pack; here the plan is the point)."""
    return engine.python_program(
        "up", "--yes", "--refresh", "--plan", str(plan), "--stack", stack, *policy, cwd=work, check=check
    )


def test_a_new_stack_applies_the_plan_that_creates_its_reviewed_offline_preview(
    engine: Engine, cloud: Cloud, pack_launcher: Path, tmp_path: Path
) -> None:
    stack, work = init_stack(engine, PAYMENTS, tmp_path)
    plan, offline = tmp_path / "plan.json", tmp_path / "offline.json"
    engine.python_program(
        "preview", "--stack", stack, "--policy-pack", str(pack_launcher), "--save-plan", str(plan), cwd=work
    )
    rendered = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.preview",
            "--stack",
            stack,
            "--config-file",
            str(work / PAYMENTS.name),
            "--json",
            "--no-policy",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
        env={**engine.env(), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
    )
    offline.write_text(rendered.stdout)
    held = _tool("new-stack", "--stack", stack, "--plan", str(plan), "--offline", str(offline), cwd=ROOT)
    assert held.returncode == 0, held.stdout + held.stderr
    assert held.stdout.startswith(f"{stack}: the plan creates the ")

    _up_with_plan(engine, work, stack, plan, "--policy-pack", str(pack_launcher))
    planned = {urn for urn, entry in json.loads(plan.read_text())["resourcePlans"].items() if entry["steps"]}
    exported = json.loads(engine.pulumi("stack", "export", "--stack", stack, cwd=work).stdout)
    assert {r["urn"] for r in exported["deployment"]["resources"]} == planned, "exactly the plan, nothing else"


def test_a_stack_that_moved_since_its_reviewed_plan_is_refused_in_one_line(
    engine: Engine, cloud: Cloud, tmp_path: Path
) -> None:
    stack, work = init_stack(engine, PAYMENTS, tmp_path)
    engine.python_program("up", "--yes", "--stack", stack, cwd=work)
    before = _budget_units(cloud)

    # The pull request: a budget of 2500, previewed with --refresh, its plan saved.
    plan = tmp_path / "plan.json"
    engine.pulumi("config", "set", "--path", BUDGET_KEY, "2500", "--stack", stack, cwd=work)
    engine.python_program("preview", "--refresh", "--stack", stack, "--save-plan", str(plan), cwd=work)

    # The stack moved after the preview (another budget merged first): the reviewed plan no longer holds.
    engine.pulumi("config", "set", "--path", BUDGET_KEY, "3000", "--stack", stack, cwd=work)
    refused = _up_with_plan(engine, work, stack, plan, check=False)
    assert refused.returncode != 0
    log = tmp_path / "up.log"
    log.write_text(refused.stdout + refused.stderr)
    explained = _tool("explain", "--stack", stack, "--log", str(log), "--source", "PR #7", cwd=ROOT)
    assert explained.returncode == 1
    [line] = explained.stdout.splitlines()
    assert line.startswith(f"::error::{stack} moved since the reviewed preview of PR #7 (resource urn:pulumi:{stack}")
    assert "gcp:billing/budget:Budget" in line and "violates plan" in line
    assert _budget_units(cloud) == before, "nothing the plan did not allow was applied"

    # The reviewed budget again, but someone edited the team's project in the console after the preview: --refresh
    # reads the edit, and the plan (made while the project matched) does not allow putting it back unseen.
    engine.pulumi("config", "set", "--path", BUDGET_KEY, "2500", "--stack", stack, cwd=work)
    project_id = yaml.safe_load(PAYMENTS.read_text())["config"]["claude-vertex:project"]["id"]
    labels = cloud.get(gcp_types.PROJECT, f"projects/{project_id}")["labels"]
    cloud.drift(gcp_types.PROJECT, f"projects/{project_id}", {"labels": {"edited-by": "console"}})
    drifted = _up_with_plan(engine, work, stack, plan, check=False)
    assert drifted.returncode != 0
    log.write_text(drifted.stdout + drifted.stderr)
    explained = _tool("explain", "--stack", stack, "--log", str(log), "--source", "PR #7", cwd=ROOT)
    assert explained.returncode == 1 and "moved since the reviewed preview of PR #7" in explained.stdout
    assert "gcp:organizations/project:Project" in explained.stdout
    assert cloud.get(gcp_types.PROJECT, f"projects/{project_id}")["labels"] == {"edited-by": "console"}
    assert _budget_units(cloud) == before

    # The console edit undone: what merges is what was reviewed, and the plan applies, exactly (refreshed first).
    cloud.drift(gcp_types.PROJECT, f"projects/{project_id}", {"labels": labels})
    _up_with_plan(engine, work, stack, plan)
    assert _budget_units(cloud) == "2500"
