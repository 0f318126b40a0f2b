"""The offline emulation against the real engine: every stack registers the same resources, tells the policy pack the
same things and gets the same verdicts, at `pulumi preview` and after `pulumi up`.

The offline gate (`python -m tools.preview`: tests/support/render.py, gcp_mocks.py, default_providers.py, analyzer/)
emulates what the engine registers and what it sends the pack. Here the real CLI (`make engine`) runs the same program
against the stand-in gcp provider, with the real pack and, beside it, an analyzer that writes down every request the
engine sends (tests/support/engine/recording_analyzer.py: every analyzer gets the same ones). Each side is held to the
other field by field:

* registrations (`resourcePreEvent`): URN, type, parent, custom, provider reference, protect, retainOnDelete, inputs;
* what the pack is sent: `ConfigureStack` (stack, project, organization, dry run, the config and its secret keys),
  `Analyze` per resource (inputs, options: parent, protect, deleteBeforeReplace, additional secret outputs, ...; the
  provider with its inputs), `AnalyzeStack` (outputs, parent, dependencies, property dependencies, provider);
* the verdicts: policy, URN, enforcement level, message;
* after `up`, the stack's outputs.

Normalised alike on both sides, and only this: dependency lists, a resource's and each property's, compare as sets
(the Python SDK sends a set, in no fixed order), a secret compares by being secret (the engine decrypts config the
offline gate cannot read), and a policy event's message loses the newline the engine's event display appends.
Anything else that differs is a bug in the emulation, fixed there.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from tests.e2e.conftest import init_stack, offline_rendering
from tests.fixture_stacks import DEV, gateway_stack_files, stack_of, team_stack_files
from tests.support.analyzer.marshal import analyze_request, analyzer_resource, is_secret
from tests.support.analyzer.server import stack_configure_request
from tests.support.default_providers import is_provider_type
from tests.support.engine.cli import Engine, json_events
from tests.support.engine.recording_analyzer import recorded, write_recorder_launcher
from tests.support.engine_config import engine_config, secret_keys
from tests.support.render import Rendering
from tools import preview as offline
from tools.preview import is_gateway_stack

pytestmark = pytest.mark.e2e
STREAMING = {"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"}
EVENT_LOG = {"PULUMI_DEBUG_COMMANDS": "true"}
"""`--event-log` (what the Automation API reads `up` through) is there only with this set."""
PACK_NAME = "claude-vertex"
STACK_FILES = [*team_stack_files(), *gateway_stack_files()]
"""Every stack here, a gateway's with the team stacks it serves beside it."""
SETS = ("dependencies", "urns")
"""Lists of URNs the Python SDK builds from a set, in no fixed order: a resource's dependencies and each property's
(`propertyDependencies.<key>.urns`; the gateway's spend-cap job has one of a dozen, in a different order each run)."""
SECRET = "<secret>"


@dataclass
class Told:
    """What one side told the policy pack, and what the pack answered; each request as the protobuf's JSON."""

    configure: dict[str, Any]
    analyze: dict[str, dict[str, Any]]
    """URN -> the `Analyze` request."""
    stack: dict[str, dict[str, Any]]
    """URN -> the resource in the `AnalyzeStack` request."""
    verdicts: list[dict[str, str]]


def normalised(value: Any) -> Any:
    """The one normalisation both sides get (see the module docstring)."""
    if is_secret(value):
        return SECRET
    if isinstance(value, Mapping):
        return {key: sorted(item) if key in SETS else normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


def _message(request: Any) -> dict[str, Any]:
    return normalised(json_format.MessageToDict(request))


def offline_side(stack_file: Path, *, preview: bool, policy_config: Path | None = None) -> tuple[Rendering, Told]:
    """The offline gate on one stack file: `python -m tools.preview [--engine-preview] --json [--policy-config]` for
    the verdicts, and what it sends the pack, from the same rendering functions the command uses; both in the stack
    file's project directory, as the engine runs the program there."""
    stack = stack_of(stack_file)
    arguments = ["--stack", stack, "--config-file", str(stack_file), "--json", *(["--engine-preview"] * preview)]
    arguments += ["--policy-config", str(policy_config)] if policy_config is not None else []
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.chdir(stack_file.parent):  # where the engine runs it
        offline.main(arguments)
    verdicts = json.loads(printed.getvalue())["violations"]
    project, config = offline.read_config(stack, stack_file)
    rendering = offline_rendering(stack_file, preview=preview)
    configure = stack_configure_request(
        stack=stack,
        project=project,
        organization="organization",
        dry_run=preview,
        program_config=engine_config(config),
        config_secret_keys=secret_keys(config),
    )
    told = Told(
        configure=_configure(_message(configure)),
        analyze={record["urn"]: _message(analyze_request(record)) for record in rendering.analyzed},
        stack={record["urn"]: _message(analyzer_resource(record)) for record in rendering.analyzed},
        verdicts=sorted(verdicts, key=_verdict_key),
    )
    return rendering, told


def _configure(request: dict[str, Any]) -> dict[str, Any]:
    """A secret's value is what the engine decrypted and the offline gate cannot read: compared by name only."""
    secret = set(request.get("configSecretKeys", []))
    config = {key: SECRET if key in secret else value for key, value in request.get("config", {}).items()}
    return {**request, "config": config}


def _verdict_key(verdict: Mapping[str, str]) -> tuple[str, ...]:
    return (verdict["urn"], verdict["policy"], verdict["level"], verdict["message"])


@dataclass
class EngineRun:
    """One CLI command with the pack and the recorder: its exit code, its engine events, and what the pack was told."""

    returncode: int
    events: list[dict[str, Any]]
    told: Told


def engine_side(
    engine: Engine, work: Path, stack: str, command: str, pack: Path, scratch: Path, policy_config: Path | None = None
) -> EngineRun:
    """`pulumi preview --json` (the streaming events) or `pulumi up --yes --skip-preview --event-log` (the update
    alone), with both analyzers."""
    record = scratch / f"{command}.record.jsonl"
    recorder = write_recorder_launcher(scratch / f"{command}-recorder", record)
    packs = ["--policy-pack", str(pack), "--policy-pack", str(recorder)]
    if policy_config is not None:  # one config per pack, in order: the recorder's is empty
        (scratch / "recorder-config.json").write_text("{}")
        packs += [
            "--policy-pack-config",
            str(policy_config),
            "--policy-pack-config",
            str(scratch / "recorder-config.json"),
        ]
    if command == "preview":
        result = engine.python_program(
            "preview", "--stack", stack, "--json", *packs, cwd=work, check=False, env=STREAMING
        )
        events = json_events(result.stdout)
    else:
        log = scratch / f"{command}.events.jsonl"
        result = engine.python_program(
            command,
            "--stack",
            stack,
            "--yes",
            "--skip-preview",
            "--event-log",
            str(log),
            *packs,
            cwd=work,
            check=False,
            env=EVENT_LOG,
        )
        events = json_events(log.read_text()) if log.exists() else []
    configured = recorded(record, "ConfigureStack")
    assert len(configured) == 1, (
        f"pulumi {command} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    (stack_request,) = recorded(record, "AnalyzeStack") or [{"resources": []}]
    told = Told(
        configure=_configure(normalised(configured[0])),
        analyze={request["urn"]: normalised(request) for request in recorded(record, "Analyze")},
        stack={resource["urn"]: normalised(resource) for resource in stack_request["resources"]},
        verdicts=sorted(
            (
                {
                    "policy": event["policyName"],
                    "level": event["enforcementLevel"],
                    "urn": event["resourceUrn"],
                    "message": event["message"].removesuffix("\n"),
                    "severity": event.get("severity", ""),
                }
                for event in (e["policyEvent"] for e in events if "policyEvent" in e)
                if event["policyPackName"] == PACK_NAME
            ),
            key=_verdict_key,
        ),
    )
    return EngineRun(result.returncode, events, told)


def errors(events: list[dict[str, Any]]) -> list[str]:
    """What the engine reported as errors: the first thing to read when a command fails."""
    return [
        event["diagnosticEvent"]["message"]
        for event in events
        if event.get("diagnosticEvent", {}).get("severity") == "error"
    ]


def registrations_of_events(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """URN -> what the engine's step event says of the registration (default providers have no step event)."""
    registered = {}
    for event in events:
        state = event.get("resourcePreEvent", {}).get("metadata", {}).get("new")
        if state:
            registered[state["urn"]] = normalised(
                {
                    "type": state["type"],
                    "parent": state.get("parent", ""),
                    "custom": state.get("custom", False),
                    "provider": state.get("provider", "").rsplit("::", 1)[0],
                    "protect": state.get("protect", False),
                    "retainOnDelete": state.get("retainOnDelete", False),
                    "inputs": state.get("inputs", {}),
                }
            )
    return registered


def registrations_of_rendering(rendering: Rendering) -> dict[str, dict[str, Any]]:
    records = [record for record in rendering.analyzed if not is_provider_type(record["type"])]
    return {
        record["urn"]: normalised(
            {
                "type": record["type"],
                "parent": record["parent"],
                "custom": record.custom,
                "provider": (record["provider"] or {}).get("urn", ""),
                "protect": record["protect"],
                "retainOnDelete": record["retainOnDelete"],
                "inputs": record["inputs"],
            }
        )
        for record in records
    }


def assert_same(offline_told: Told, engine_told: Told) -> None:
    assert engine_told.configure == offline_told.configure
    assert sorted(engine_told.analyze) == sorted(offline_told.analyze), "the same resources analyzed"
    for urn, request in engine_told.analyze.items():
        assert request == offline_told.analyze[urn], urn
    assert sorted(engine_told.stack) == sorted(offline_told.stack), "the same resources in AnalyzeStack"
    for urn, resource in engine_told.stack.items():
        assert resource == offline_told.stack[urn], urn
    assert engine_told.verdicts == offline_told.verdicts


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=stack_of)
def test_preview_and_up_tell_the_pack_what_the_offline_gate_tells_it(
    stack_file: Path, engine: Engine, pack_launcher: Path, tmp_path: Path
) -> None:
    stack, work = init_stack(engine, stack_file, tmp_path)

    rendering, expected = offline_side(work / stack_file.name, preview=True)
    previewed = engine_side(engine, work, stack, "preview", pack_launcher, tmp_path)
    blocked = any(v["level"] == "mandatory" for v in expected.verdicts)
    assert (previewed.returncode != 0) == blocked, errors(previewed.events)
    assert registrations_of_events(previewed.events) == registrations_of_rendering(rendering)
    assert_same(expected, previewed.told)
    if blocked:
        return

    applied_rendering, applied = offline_side(work / stack_file.name, preview=False)
    up = engine_side(engine, work, stack, "up", pack_launcher, tmp_path)
    assert up.returncode == 0, errors(up.events)
    assert_same(applied, up.told)
    outputs = json.loads(
        engine.pulumi("stack", "output", "--json", "--show-secrets", "--stack", stack, cwd=work).stdout
    )
    assert outputs == applied_rendering.outputs


PROVIDER_SETTINGS = [
    ("gcp:project", "claude-platform-dev"),
    ("gcp:config:region", "us-central1"),
    ("--path", "gcp:batching.enableBatching", "false"),
    ("--path", "gcp:batching.sendAfter", "3s"),
    ("--plaintext", "gcp:accessToken", "ya29.a-plain-token"),
    ("--secret", "gcp:credentials", '{"type": "service_account"}'),
]
"""Settings as a platform engineer writes them (`pulumi config set`): plain, legacy spelling, an object, a setting
the provider holds secret written in plain text, an encrypted one."""


def test_gcp_settings_reach_the_default_provider_as_the_emulation_says(
    engine: Engine, pack_launcher: Path, tmp_path: Path
) -> None:
    """The stack file's `gcp:*` keys are the default provider's inputs, under the engine as offline: namespace
    dropped, values as the CLI hands them on (an object as its JSON text), the provider's version, and secrets
    secret (an encrypted value, and the settings the provider itself holds secret); the pack judges them there."""
    stack, work = init_stack(engine, DEV, tmp_path)
    for setting in PROVIDER_SETTINGS:
        engine.pulumi("config", "set", *setting, "--stack", stack, cwd=work)

    _, expected = offline_side(work / DEV.name, preview=True)
    previewed = engine_side(engine, work, stack, "preview", pack_launcher, tmp_path)
    assert_same(expected, previewed.told)
    (provider,) = [request for request in previewed.told.analyze.values() if is_provider_type(request["type"])]
    assert provider["name"] == "default_10_2_0"
    assert provider["properties"] == {
        "project": "claude-platform-dev",
        "region": "us-central1",
        "batching": '{"enableBatching":false,"sendAfter":"3s"}',
        "accessToken": SECRET,
        "credentials": SECRET,
        "version": "10.2.0",
    }
    assert {v["policy"] for v in previewed.told.verdicts} == {"gcp-provider-settings-allowed"}
    assert previewed.returncode != 0


STRICT_POLICY_CONFIG = {
    "members-in-allowed-domains": {
        "allowedMemberDomains": ["corp.example"],
        "allowedWorkforcePools": [],
        "allowedServiceAccountProjects": [],
    },
    "grants-to-groups-not-users": "mandatory",
    "required-guardrails": {"requireBudget": True, "requireAuditLogs": True, "requireQuotaCaps": True},
    "allowed-services-only": {"enforcementLevel": "advisory", "allowedServices": ["aiplatform.googleapis.com"]},
    "project-hardening": "advisory",
    "team-projects-allowed": {"teamProjects": {"another-team": ["claude-another-*"]}, "teamFolders": {}},
}
"""A platform's config that none of the stacks here meets: violations from resource policies and from stack policies
(`AnalyzeStack`, attributed to resources and to the root stack), mandatory and advisory, so that the verdicts compared
are many, not none."""


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=stack_of)
def test_a_strict_policy_config_gives_the_same_verdicts_both_ways(
    stack_file: Path, engine: Engine, pack_launcher: Path, tmp_path: Path
) -> None:
    stack, work = init_stack(engine, stack_file, tmp_path)
    policy_config = tmp_path / "policy-config.json"
    policy_config.write_text(json.dumps(STRICT_POLICY_CONFIG))

    _, expected = offline_side(work / stack_file.name, preview=True, policy_config=policy_config)
    previewed = engine_side(engine, work, stack, "preview", pack_launcher, tmp_path, policy_config)
    levels = {verdict["level"] for verdict in expected.verdicts}
    assert "mandatory" in levels and previewed.returncode != 0
    if not is_gateway_stack(stack_file):  # a gateway's project is no team's: the team rules see less of it
        assert levels == {"mandatory", "advisory"}
        assert {"team-projects-allowed", "members-in-allowed-domains"} <= {v["policy"] for v in expected.verdicts}
    assert previewed.told.verdicts == expected.verdicts
