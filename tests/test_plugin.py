"""The plugin other languages use (`pulumi package add <repo>/components@vX.Y.Z`), run as the engine runs it.

One plugin process for the module: `python components/ <engine address>` in a program's directory, its port
read from stdout, spoken to over gRPC (`GetSchema`, `Construct`) while this test serves the engine's resource
monitor and engine on 127.0.0.1 (tests/support/resource_monitor.py). A TypeScript, Go or YAML program must get
what a Python program gets: the same resources under the same URNs and the same outputs, and a bad input
refused before anything registers, as `INVALID_ARGUMENT` naming the field.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from claude_vertex.plugin import PLAIN_VALUE_RULE, package_version
from claude_vertex.team import TYPE_TOKEN
from pulumi.runtime import rpc

from tests.fixture_stacks import PAYMENTS, stack_of
from tests.support.gcp_iam import IamState, google_environment, stand_in_iam
from tests.support.gcp_mocks import ResourceRecord, project_number
from tests.support.provider_plugin import PluginProcess, ProviderClient, input_property_errors
from tests.support.render import ROOT, read_project, read_stack_config, render_stack
from tests.support.resource_monitor import EngineSide, serve_engine
from tools import config_docs

pytestmark = pytest.mark.slow

PROJECT = read_project()[0]
STACK = stack_of(PAYMENTS)
ROOT_STACK = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
CONFIG = read_stack_config(PAYMENTS, PROJECT)
INPUTS: dict[str, Any] = {
    key.split(":", 1)[1]: value for key, value in CONFIG.items() if key.startswith("claude-vertex:")
}
"""The payments stack file's config as a program in another language passes it: every optional section on."""
QUOTA_PREFERENCE = "gcp:cloudquota/sQuotaPreference:SQuotaPreference"
OTHER_RESOURCE = f"urn:pulumi:{STACK}::{PROJECT}::gcp:organizations/project:Project::billing"


@pytest.fixture(scope="module")
def engine() -> Iterator[EngineSide]:
    with serve_engine(STACK, PROJECT) as side:
        yield side


@pytest.fixture(scope="module")
def iam() -> Iterator[tuple[IamState, dict[str, str]]]:
    """The IAM the plugin process asks, as the Google provider would be pointed at it (endpoint and token)."""
    state = IamState()
    with stand_in_iam(state) as variables:
        yield state, variables


@pytest.fixture(scope="module")
def plugin(
    engine: EngineSide, iam: tuple[IamState, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderClient]:
    with google_environment(iam[1]):  # the process inherits exactly these; nothing of the machine's own setup
        process = PluginProcess(ROOT / "components", engine.engine_address, cwd=tmp_path_factory.mktemp("program"))
    client = ProviderClient(process.address)
    try:
        yield client
    finally:
        client.close()
        process.stop()


def construct(
    plugin: ProviderClient,
    engine: EngineSide,
    inputs: dict[str, Any],
    dependencies: dict[str, list[str]] | None = None,
    *,
    dry_run: bool = False,
) -> tuple[str, dict[str, Any]]:
    engine.monitor.clear()
    return plugin.construct(
        project=PROJECT,
        stack=STACK,
        type_=TYPE_TOKEN,
        name=INPUTS["team"],
        parent=ROOT_STACK,
        inputs=inputs,
        input_dependencies=dependencies,
        monitor_address=engine.monitor_address,
        dry_run=dry_run,
    )


@dataclass(frozen=True)
class Constructed:
    """The payments team constructed through the plugin, and what the engine's side recorded meanwhile."""

    urn: str
    state: dict[str, Any]
    """The component's outputs, as `Construct` answers them."""
    registrations: dict[str, ResourceRecord]
    registered_outputs: dict[str, dict[str, Any]]
    """What each component registered as its outputs (`RegisterResourceOutputs`), by URN."""


@pytest.fixture(scope="module")
def constructed(plugin: ProviderClient, engine: EngineSide) -> Constructed:
    urn, state = construct(plugin, engine, INPUTS)
    return Constructed(urn, state, dict(engine.monitor.registrations), dict(engine.monitor.outputs))


@pytest.fixture(scope="module")
def in_python() -> Any:
    """The same stack file rendered by the repository's own Python program, under the same mocks."""
    return render_stack(STACK, CONFIG)


def test_the_plugin_serves_the_checked_in_schema_under_the_installed_version(plugin: ProviderClient) -> None:
    served = json.loads(plugin.schema())
    assert served["version"] == package_version() == plugin.plugin_version()
    golden = json.loads(config_docs.PACKAGE_SCHEMA.read_text())
    assert {**served, "version": config_docs.GOLDEN_VERSION} == golden


def test_construct_registers_what_the_python_program_registers(constructed: Constructed, in_python: Any) -> None:
    urn, registrations = constructed.urn, constructed.registrations
    assert urn == f"urn:pulumi:{STACK}::{PROJECT}::{TYPE_TOKEN}::payments"
    assert registrations[urn].parent == ROOT_STACK
    # The engine's default providers are the engine's own, not the program's: the plugin never registers them.
    expected = {r.urn for r in in_python.resources if not r.type.startswith("pulumi:providers:")}
    assert set(registrations) == expected


def test_every_child_is_parented_to_the_team(constructed: Constructed) -> None:
    urn, registrations = constructed.urn, constructed.registrations
    children = {record.type for record in registrations.values() if record.parent == urn}
    assert children == {
        "claude-vertex:index:TeamProject",
        "claude-vertex:index:VertexAccess",
        "claude-vertex:index:ModelAccess",
        "claude-vertex:index:Guardrails",
        "claude-vertex:index:CiIdentity",
    }
    for record in registrations.values():
        ancestor = record
        while ancestor.urn != urn:
            assert ancestor.parent in registrations, f"{record.urn} is not under the team"
            ancestor = registrations[ancestor.parent]


def test_the_readiness_wait_runs_in_the_plugin_process(
    constructed: Constructed, iam: tuple[IamState, dict[str, str]]
) -> None:
    """No dynamic resource (it could not load here): the plugin itself asked IAM before the role registered."""
    state, _ = iam
    asked = {path for _method, path, _auth in state.requests}
    assert any(path.split("?")[0].endswith("/serviceAccounts") for path in asked), asked
    assert all(auth == f"Bearer {state.token}" for _method, _path, auth in state.requests)
    assert not [r for r in constructed.registrations.values() if "dynamic" in r.type]


def test_construct_registers_the_project_the_role_and_its_members(constructed: Constructed) -> None:
    by_type: dict[str, list[ResourceRecord]] = {}
    for record in constructed.registrations.values():
        by_type.setdefault(record.type, []).append(record)
    (project,) = by_type["gcp:organizations/project:Project"]
    assert project.inputs["projectId"] == "claude-payments-prod"
    assert project.inputs["billingAccount"] == "012345-6789AB-CDEF01"
    (role,) = by_type["gcp:projects/iAMCustomRole:IAMCustomRole"]
    assert role.inputs["roleId"] == "claudeVertexPayments"
    assert role.outputs is not None
    grants = by_type["gcp:projects/iAMMember:IAMMember"]
    members = {r.inputs["member"] for r in grants if r.inputs["role"] == role.outputs["name"]}
    assert "group:payments-devs@example.com" in members
    assert "serviceAccount:claude-agent@claude-payments-prod.iam.gserviceaccount.com" in members
    caps = {r.inputs["quotaConfig"]["preferredValue"] for r in by_type[QUOTA_PREFERENCE]}
    assert caps >= {"60", "10"}, "whole numbers cross the wire as floats and must come back whole"


def test_construct_returns_what_the_python_program_exports(constructed: Constructed, in_python: Any) -> None:
    state = constructed.state
    assert state["projectId"] == "claude-payments-prod"
    assert state["projectNumber"] == project_number("claude-payments-prod")
    assert state["roleName"] == "projects/claude-payments-prod/roles/claudeVertexPayments"
    assert state["env"]["ANTHROPIC_VERTEX_PROJECT_ID"] == "claude-payments-prod"
    assert state["models"]["opus"]["model"] == "claude-opus-5-5"
    assert state["ciServiceAccountEmail"].endswith("@claude-payments-prod.iam.gserviceaccount.com")
    assert state == in_python.outputs


def test_the_team_registers_the_outputs_it_returns(constructed: Constructed) -> None:
    assert constructed.registered_outputs[constructed.urn] == constructed.state


def refused(plugin: ProviderClient, engine: EngineSide, inputs: dict[str, Any], **kwargs: Any) -> grpc.RpcError:
    """Construct with inputs the plugin must refuse; nothing may have been registered."""
    with pytest.raises(grpc.RpcError) as caught:
        construct(plugin, engine, inputs, **kwargs)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
    assert engine.monitor.registrations == {}
    return caught.value


def with_changes(**sections: Any) -> dict[str, Any]:
    inputs = copy.deepcopy(INPUTS)
    for key, value in sections.items():
        if value is None:
            inputs.pop(key)
        else:
            inputs[key] = value
    return inputs


LINE = "invalid ClaudeVertexTeam 'payments' input "
"""How the Python path's one-line error starts for the payments team (claude_vertex.team.input_error)."""


@pytest.mark.parametrize(
    ("inputs", "path", "message"),
    [
        (
            with_changes(project={**INPUTS["project"], "id": "Claude_Payments"}),
            "project.id",
            f'{LINE}project.id: "Claude_Payments" — GCP project IDs are 6-30 lowercase letters',
        ),
        (
            with_changes(team=None),
            "team",
            f"{LINE}team: (missing) — required: the team's short name",
        ),
        (
            with_changes(regoin="us"),
            "regoin",
            f'{LINE}regoin: "us" — unknown key; allowed keys: team, project',
        ),
        (
            with_changes(project={**INPUTS["project"], "billingAcount": "012345-6789AB-CDEF01"}),
            "project.billingAcount",
            "unknown key (did you mean billingAccount?); allowed keys: id, create, name, billingAccount",
        ),
        (
            with_changes(guardrails={"budget": {"monthlyBudget": 100}}),
            "guardrails.budget.monthlyBudget",
            f"{LINE}guardrails.budget.monthlyBudget: 100 — unknown key (did you mean monthlyAmount?); monthlyAmount "
            "is required and missing; allowed keys: monthlyAmount, currency, thresholds, forecast, notify, "
            "billingAccount",
        ),
        (
            with_changes(guardrails={"quotas": {"opus": {"requestsPerMinute": 10.5}}}),
            "guardrails.quotas.opus.requestsPerMinute",
            f"{LINE}guardrails.quotas.opus.requestsPerMinute: 10.5 — a whole number",
        ),
    ],
    ids=[
        "nested-bad-value",
        "missing-required",
        "unknown-key",
        "nested-unknown-key",
        "typo-for-a-required-key",
        "fraction-for-a-count",
    ],
)
def test_a_bad_input_is_refused_naming_the_field(
    plugin: ProviderClient, engine: EngineSide, inputs: dict[str, Any], path: str, message: str
) -> None:
    error = refused(plugin, engine, inputs)
    assert message in error.details()
    (reason,) = input_property_errors(error).values()
    assert list(input_property_errors(error)) == [path]
    assert reason in error.details()


def output_value(value: Any, *dependencies: str, secret: bool = False) -> dict[str, Any]:
    """An output value as the engine marshals one for a provider that accepts them (`KeepOutputValues`)."""
    marshalled: dict[str, Any] = {
        rpc._special_sig_key: rpc._special_output_value_sig,
        "dependencies": list(dependencies),
    }
    if value is not rpc.UNKNOWN:
        marshalled["value"] = value
    if secret:
        marshalled["secret"] = True
    return marshalled


BUDGET = {"monthlyAmount": 100}


@pytest.mark.parametrize(
    ("inputs", "dependencies", "path", "what"),
    [
        (
            with_changes(guardrails={"budget": BUDGET}),
            {"guardrails": [OTHER_RESOURCE]},
            "guardrails",
            "an output of another resource or a secret",
        ),
        (
            with_changes(
                guardrails={
                    "budget": {**BUDGET, "billingAccount": output_value("012345-6789AB-CDEF01", OTHER_RESOURCE)}
                }
            ),
            {"guardrails": [OTHER_RESOURCE]},
            "guardrails.budget.billingAccount",
            "an output of another resource or a secret",
        ),
        (
            with_changes(project={**INPUTS["project"], "labels": {"cost-center": output_value("cc-1", secret=True)}}),
            {},
            "project.labels.cost-center",
            "an output of another resource or a secret",
        ),
        (
            with_changes(access={"members": ["group:payments-devs@example.com", rpc.UNKNOWN]}),
            {},
            "access.members[1]",
            "a value unknown until the deployment",
        ),
    ],
    ids=["object-with-dependencies", "nested-output", "secret", "unknown"],
)
def test_an_input_that_is_not_known_when_planned_is_refused(
    plugin: ProviderClient, engine: EngineSide, inputs: dict[str, Any], dependencies: Any, path: str, what: str
) -> None:
    """Before the plugin, an object input with dependencies was mapped to `{}`: its values silently gone."""
    error = refused(plugin, engine, inputs, dependencies=dependencies, dry_run=True)
    assert input_property_errors(error) == {path: PLAIN_VALUE_RULE.format(what=what)}
    assert f"{LINE}{path}: must be a plain value" in error.details()
