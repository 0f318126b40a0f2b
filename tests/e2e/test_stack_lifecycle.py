"""Every stack through the real engine, as a platform team runs it: preview with the pack, a saved plan applied,
the outputs a developer gets, a second run that changes nothing, a change applied in place, refresh, destroy.

The stacks are the repository's (whichever a platform team keeps) and the suite's own fixtures (never none).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from claude_vertex.team import OUTPUT_NAMES
from claude_vertex_gcp import resource_types as gcp_types

from tests.e2e.conftest import init_team_stack
from tests.fixture_stacks import PAYMENTS, every_stack_file, stack_of
from tests.support.engine.cli import Engine, json_events
from tests.support.gcp_provider import Cloud

pytestmark = pytest.mark.e2e
STREAMING = {"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"}


def _policy(launcher: Path) -> list[str]:
    return ["--policy-pack", str(launcher)]


def _preview_events(engine: Engine, work: Path, stack: str, *args: str) -> list[dict]:
    """`pulumi preview --json` with the streaming events (plain `--json` drops the policy events)."""
    result = engine.python_program("preview", "--stack", stack, "--json", *args, cwd=work, env=STREAMING)
    return json_events(result.stdout)


def policy_events(events: list[dict]) -> list[dict]:
    return [event["policyEvent"] for event in events if "policyEvent" in event]


def step_ops(events: list[dict]) -> dict[str, str]:
    """URN -> the step the engine planned for it (create, same, update, replace, delete ...)."""
    ops = {}
    for event in events:
        metadata = event.get("resourcePreEvent", {}).get("metadata")
        if metadata:
            ops[metadata["urn"]] = metadata["op"]
    return ops


def _up(engine: Engine, work: Path, stack: str, launcher: Path, tmp_path: Path) -> None:
    """As the GitOps pipeline applies: the plan the pull request's preview saved, then `up --plan` on merge."""
    plan = tmp_path / f"{stack}.plan.json"
    engine.python_program("preview", "--stack", stack, *_policy(launcher), "--save-plan", str(plan), cwd=work)
    engine.python_program("up", "--stack", stack, *_policy(launcher), "--plan", str(plan), "--yes", cwd=work)


@pytest.mark.parametrize("stack_file", every_stack_file(), ids=stack_of)
def test_stack_lifecycle(stack_file: Path, engine: Engine, cloud: Cloud, pack_launcher: Path, tmp_path: Path) -> None:
    stack, work = init_team_stack(engine, stack_file, tmp_path)
    assert "encryptionsalt:" in (work / stack_file.name).read_text(), "stack init writes the salt into the file"

    events = _preview_events(engine, work, stack, *_policy(pack_launcher))
    blocking = [event for event in policy_events(events) if event["enforcementLevel"] == "mandatory"]
    assert not blocking, f"the pack blocks {stack} under the engine: {blocking}"
    assert set(step_ops(events).values()) <= {"create", "same"}

    _up(engine, work, stack, pack_launcher, tmp_path)

    outputs = json.loads(engine.pulumi("stack", "output", "--json", "--stack", stack, cwd=work).stdout)
    assert set(outputs) <= set(OUTPUT_NAMES)
    assert "CLAUDE_CODE_USE_VERTEX=1" in outputs["dotenv"].splitlines()
    project_id = yaml.safe_load(stack_file.read_text())["config"]["claude-vertex:project"]["id"]
    assert outputs["projectId"] == project_id
    # What a developer pastes into a shell: `pulumi stack output --shell` gives every output as a variable.
    shell = engine.pulumi("stack", "output", "--shell", "--stack", stack, cwd=work).stdout
    echoed = subprocess.run(
        ["sh", "-c", f'{shell}\nprintf %s "$dotenv"'], capture_output=True, text=True, check=True
    ).stdout
    assert echoed == outputs["dotenv"]

    # Applied once, the same config changes nothing, and the cloud agrees with the state.
    engine.python_program("preview", "--stack", stack, "--expect-no-changes", *_policy(pack_launcher), cwd=work)
    engine.python_program("refresh", "--stack", stack, "--yes", "--expect-no-changes", cwd=work)

    # Offboarding: what the stack retains (a created project: deletion_policy PREVENT and retainOnDelete; the audit
    # config) stays in the cloud, the team's role and accounts go, and the stack is left empty.
    state = _resources(engine, work, stack)
    retained = {(r["type"], r["id"]) for r in state if r.get("retainOnDelete")}
    removed = {
        (r["type"], r["id"]) for r in state if r["type"] in (gcp_types.PROJECT_CUSTOM_ROLE, gcp_types.SERVICE_ACCOUNT)
    }
    assert removed, "every stack has a role and its accounts"
    engine.python_program("destroy", "--stack", stack, "--yes", cwd=work)
    assert all(cloud.get(type_, id_) for type_, id_ in retained), "destroy keeps what the stack retains"
    assert not any(cloud.get(type_, id_) for type_, id_ in removed), "destroy removes the role and the accounts"
    assert _resources(engine, work, stack) == []


def _resources(engine: Engine, work: Path, stack: str) -> list[dict]:
    """The stack's GCP resources as the state holds them (`pulumi stack export`)."""
    exported = json.loads(engine.pulumi("stack", "export", "--stack", stack, cwd=work).stdout)
    return [r for r in exported["deployment"].get("resources") or [] if r["type"].startswith("gcp:")]


def test_change_applies_in_place_and_refresh_sees_drift(
    engine: Engine, cloud: Cloud, pack_launcher: Path, tmp_path: Path
) -> None:
    stack, work = init_team_stack(engine, PAYMENTS, tmp_path)
    _up(engine, work, stack, pack_launcher, tmp_path)

    engine.pulumi(
        "config", "set", "--path", "claude-vertex:guardrails.budget.monthlyAmount", "2500", "--stack", stack, cwd=work
    )
    ops = step_ops(_preview_events(engine, work, stack, *_policy(pack_launcher)))
    changed = {urn: op for urn, op in ops.items() if op != "same"}
    assert changed and set(changed.values()) == {"update"}, changed
    assert all("billing/budget:Budget" in urn for urn in changed), changed
    _up(engine, work, stack, pack_launcher, tmp_path)
    engine.python_program("preview", "--stack", stack, "--expect-no-changes", cwd=work)

    # Someone edits the team's project labels in the console: refresh sees it, the next up puts it back.
    project_id = yaml.safe_load(PAYMENTS.read_text())["config"]["claude-vertex:project"]["id"]
    cloud.drift(gcp_types.PROJECT, f"projects/{project_id}", {"labels": {"edited-by": "console"}})
    refreshed = engine.python_program(
        "refresh", "--stack", stack, "--yes", "--expect-no-changes", cwd=work, check=False
    )
    assert refreshed.returncode != 0, "refresh reports the drift"
    engine.python_program("up", "--stack", stack, "--yes", *_policy(pack_launcher), cwd=work)
    engine.python_program("preview", "--stack", stack, "--expect-no-changes", cwd=work)


def test_a_destroyed_teams_project_id_stays_taken(
    engine: Engine, cloud: Cloud, pack_launcher: Path, tmp_path: Path
) -> None:
    """The README's troubleshooting row: a retained project still exists, and project IDs are never reused."""
    stack, work = init_team_stack(engine, PAYMENTS, tmp_path)
    _up(engine, work, stack, pack_launcher, tmp_path)
    engine.python_program("destroy", "--stack", stack, "--yes", cwd=work)
    again = engine.python_program("up", "--stack", stack, "--yes", cwd=work, check=False)
    assert again.returncode != 0
    assert "already exists" in again.stdout + again.stderr
