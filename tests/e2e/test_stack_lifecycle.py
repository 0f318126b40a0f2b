"""Every stack through the real engine, as a platform team runs it: preview with the pack, a saved plan applied,
the outputs a developer gets, a second run that changes nothing, a change applied in place, refresh, destroy.

The stacks are the repository's (whichever a platform team keeps) and the suite's own fixtures (never none): team
stacks, and gateway stacks with the team stacks they serve beside them.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from claude_vertex.team import OUTPUT_NAMES
from claude_vertex_gcp import resource_types as gcp_types

from tests.e2e.conftest import ROOT, init_stack, offline_rendering, scratch_project
from tests.fixture_stacks import GATEWAY, PAYMENTS, gateway_stack_files, stack_of, team_stack_files
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


def planned_steps(events: list[dict]) -> dict[str, dict]:
    """URN -> the step the engine planned for it: `op` (create, same, update, replace ...), `diffs`, `old`, `new`."""
    return {
        event["resourcePreEvent"]["metadata"]["urn"]: event["resourcePreEvent"]["metadata"]
        for event in events
        if event.get("resourcePreEvent", {}).get("metadata")
    }


def step_ops(events: list[dict]) -> dict[str, str]:
    """URN -> the step the engine planned for it (create, same, update, replace, delete ...)."""
    return {urn: step["op"] for urn, step in planned_steps(events).items()}


def _up(engine: Engine, work: Path, stack: str, launcher: Path, tmp_path: Path) -> None:
    """As the GitOps pipeline applies: the plan the pull request's preview saved, then `up --plan` on merge."""
    plan = tmp_path / f"{stack}.plan.json"
    engine.python_program("preview", "--stack", stack, *_policy(launcher), "--save-plan", str(plan), cwd=work)
    engine.python_program("up", "--stack", stack, *_policy(launcher), "--plan", str(plan), "--yes", cwd=work)


@pytest.mark.parametrize("stack_file", team_stack_files(), ids=stack_of)
def test_stack_lifecycle(stack_file: Path, engine: Engine, cloud: Cloud, pack_launcher: Path, tmp_path: Path) -> None:
    stack, work = init_stack(engine, stack_file, tmp_path)
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
    stack, work = init_stack(engine, PAYMENTS, tmp_path)
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
    stack, work = init_stack(engine, PAYMENTS, tmp_path)
    _up(engine, work, stack, pack_launcher, tmp_path)
    engine.python_program("destroy", "--stack", stack, "--yes", cwd=work)
    again = engine.python_program("up", "--stack", stack, "--yes", cwd=work, check=False)
    assert again.returncode != 0
    assert "already exists" in again.stdout + again.stderr


# -- gateway stacks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack_file", gateway_stack_files(), ids=stack_of)
def test_gateway_stack_lifecycle(
    stack_file: Path, engine: Engine, cloud: Cloud, pack_launcher: Path, tmp_path: Path
) -> None:
    stack, work = init_stack(engine, stack_file, tmp_path)

    events = _preview_events(engine, work, stack, *_policy(pack_launcher))
    blocking = [event for event in policy_events(events) if event["enforcementLevel"] == "mandatory"]
    assert not blocking, f"the pack blocks {stack} under the engine: {blocking}"
    assert set(step_ops(events).values()) <= {"create", "same"}

    _up(engine, work, stack, pack_launcher, tmp_path)

    # What the platform hands on: the rendered gateway.yaml the offline preview shows, and what MDM pushes.
    outputs = json.loads(engine.pulumi("stack", "output", "--json", "--stack", stack, cwd=work).stdout)
    offline = offline_rendering(work / stack_file.name, preview=False)
    assert outputs["gatewayConfig"] == offline.outputs["gatewayConfig"]
    hostname = yaml.safe_load(stack_file.read_text())["config"]["claude-vertex:gateway"]["hostname"]
    assert outputs["developerManagedSettings"] == {
        "forceLoginMethod": "gateway",
        "forceLoginGatewayUrl": f"https://{hostname}",
    }
    (address,) = cloud.resources(gcp_types.ADDRESS).values()
    assert outputs["gatewayAddress"] == address["address"]

    _raise_a_teams_cap_and_apply(engine, cloud, work, stack, pack_launcher, tmp_path)

    engine.python_program("preview", "--stack", stack, "--expect-no-changes", *_policy(pack_launcher), cwd=work)
    engine.python_program("refresh", "--stack", stack, "--yes", "--expect-no-changes", cwd=work)

    # Taken down: what the stack retains (the project, the database and the network it lives on) stays in the cloud
    # with the data; everything else goes (but the APIs, which stay on: disableOnDestroy false).
    state = _resources(engine, work, stack)
    retained = {(r["type"], r["id"]) for r in state if r.get("retainOnDelete")}
    assert {gcp_types.PROJECT, gcp_types.SQL_INSTANCE, gcp_types.SQL_DATABASE} <= {type_ for type_, _ in retained}
    removed = {(r["type"], r["id"]) for r in state if not r.get("retainOnDelete") and r["type"] != gcp_types.SERVICE}
    engine.python_program("destroy", "--stack", stack, "--yes", cwd=work)
    assert all(cloud.get(type_, id_) for type_, id_ in retained), "destroy keeps what the stack retains"
    assert [(type_, id_) for type_, id_ in sorted(removed) if cloud.get(type_, id_)] == []
    assert _resources(engine, work, stack) == []


CAP = re.compile(r"(developerMonthlyCap:\s*)(\d+)")


def _spend_limits(job: dict) -> list[dict]:
    """The limits a spend-cap job's container is given (`SPEND_LIMITS`, the admin API's request bodies)."""
    (container,) = job["template"]["template"]["containers"]
    return json.loads({env["name"]: env.get("value") for env in container["envs"]}["SPEND_LIMITS"])


def _raise_a_teams_cap_and_apply(
    engine: Engine, cloud: Cloud, work: Path, stack: str, launcher: Path, tmp_path: Path
) -> None:
    """A team raises its developers' monthly cap in its own stack file: the gateway's next preview shows one in-place
    update, the spend-cap job's (its new run token and its new limit, in cents, for the reviewer), and the applied
    plan runs the job again."""
    ((job_id, job),) = cloud.resources(gcp_types.CLOUD_RUN_JOB).items()
    team_file = next(path for path in sorted(work.glob("Pulumi.*.yaml")) if CAP.search(path.read_text()))
    old = int(CAP.search(team_file.read_text())[2])
    team_file.write_text(CAP.sub(lambda match: f"{match[1]}{old + 100}", team_file.read_text(), count=1))

    events = _preview_events(engine, work, stack, *_policy(launcher))
    assert not [event for event in policy_events(events) if event["enforcementLevel"] == "mandatory"]
    changed = {urn: step for urn, step in planned_steps(events).items() if step["op"] != "same"}
    ((urn, step),) = changed.items()
    assert (step["op"], step["type"], urn.rsplit("::", 1)[1]) == ("update", gcp_types.CLOUD_RUN_JOB, job["name"])
    assert {"runExecutionToken", "template"} <= set(step["diffs"])
    changed_limits = [
        (before, after)
        for before, after in zip(_spend_limits(job), _spend_limits(step["new"]["inputs"]), strict=True)
        if before != after
    ]
    assert [(before["amount"], after["amount"]) for before, after in changed_limits] == [
        (str(old * 100), str((old + 100) * 100))  # in cents, as the admin API takes it: what the reviewer sees
    ]

    _up(engine, work, stack, launcher, tmp_path)
    rerun = cloud.get(gcp_types.CLOUD_RUN_JOB, job_id)
    assert rerun["executionCount"] == job["executionCount"] + 1
    assert rerun["latestCreatedExecution"] != job["latestCreatedExecution"]
    outputs = json.loads(engine.pulumi("stack", "output", "--json", "--stack", stack, cwd=work).stdout)
    assert old + 100 in {limit["usdPerMonth"] for limit in outputs["spendLimits"].values()}


def test_a_gateway_stack_without_its_teams_stack_files_is_refused_in_one_line(
    engine: Engine, cloud: Cloud, tmp_path: Path
) -> None:
    """The gateway never renders without the teams it names: their stack files must be where the program runs."""
    work = scratch_project(ROOT, tmp_path / "project", [GATEWAY], teams=False)
    engine.pulumi("stack", "init", stack_of(GATEWAY), cwd=work)
    result = engine.python_program("preview", "--stack", stack_of(GATEWAY), cwd=work, check=False)
    assert result.returncode != 0
    refusal = 'claude-vertex:gateway.teams[0]: "payments" — no stack file Pulumi.payments.yaml beside the gateway\'s'
    assert refusal in result.stdout + result.stderr and "Traceback" not in result.stdout + result.stderr
    assert not [call for call in cloud.calls() if call["rpc"] == "Create"]
