"""The stand-in `gcp` provider plugin, started as the engine starts an installed plugin and spoken to over gRPC.

One process for the module, from the launcher `pulumi plugin install ... --file` takes, in a program directory that
holds a decoy `tests` package, with its cloud in a file of the test's own (emptied before each test). What a user of
`pulumi up` against it would notice: the port alone on stdout, a clean exit when the engine closes it, the mocks'
IDs, outputs and invoke answers for the real program's resources, unknown outputs in a preview, replacements where
GCP cannot update in place, drift seen by a refresh, and GCP's refusals in GCP's words.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pulumi_gcp
import pytest
from claude_vertex.config import clock
from claude_vertex_gcp import resource_types as gcp_types
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs
from pulumi.runtime.proto import provider_pb2

from tests.conftest import SUITE_DATE
from tests.fixture_stacks import PAYMENTS, stack_of
from tests.support.gcp_declarations import INVOKE_TOKENS, project_number
from tests.support.gcp_mocks import GcpMocks, engine_urn
from tests.support.gcp_provider import STATE_VARIABLE, Cloud, install_arguments, plugin_version, write_launcher
from tests.support.gcp_provider import cloud as cloud_module
from tests.support.gcp_provider.resource_kinds import KINDS
from tests.support.gcp_provider.schema import input_names
from tests.support.provider_plugin import PluginProcess, ProviderClient
from tests.support.render import read_project, read_stack_config, render_stack
from tests.support.resource_monitor import from_struct
from tests.test_package_schema import violations

pytestmark = pytest.mark.slow

ENGINE_ADDRESS = "127.0.0.1:1"
"""What the engine passes last; the stand-in has no use for it."""
PROVIDER_CONFIG = {"project": "claude-standin", "region": "us-central1", "version": "10.2.0"}
DIFF = provider_pb2.PropertyDiff
ROLE = gcp_types.PROJECT_CUSTOM_ROLE
ROLE_INPUTS = {
    "project": "claude-standin",
    "roleId": "claudeVertexStandin",
    "title": "Claude Code on Vertex AI (standin)",
    "permissions": ["aiplatform.endpoints.predict"],
    "stage": "GA",
}
ROLE_ID = "projects/claude-standin/roles/claudeVertexStandin"


def urn(type_token: str, name: str) -> str:
    return engine_urn("dev", "claude-vertex", "", type_token, name)


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_launcher(tmp_path_factory.mktemp("plugin"))


@pytest.fixture(scope="module")
def program_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the engine runs plugins: the program's directory, here with a `tests` package of its own."""
    directory = tmp_path_factory.mktemp("program")
    (directory / "tests").mkdir()
    (directory / "tests" / "__init__.py").write_text(
        "raise SystemExit('the program directory shadowed the stand-in')\n"
    )
    return directory


@pytest.fixture(scope="module")
def cloud_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cloud") / "gcp.json"


@pytest.fixture(scope="module")
def plugin(launcher: Path, program_dir: Path, cloud_path: Path) -> Iterator[ProviderClient]:
    env = {**os.environ, **Cloud(cloud_path).environment}
    process = PluginProcess.executable(launcher, ENGINE_ADDRESS, cwd=program_dir, env=env)
    client = ProviderClient(process.address, timeout=30)
    try:
        client.configure(PROVIDER_CONFIG)
        yield client
    finally:
        client.close()
        process.stop()


@pytest.fixture
def cloud(cloud_path: Path) -> Cloud:
    """The plugin's cloud, empty at the suite's date: every test starts from nothing."""
    for stale in cloud_path.parent.glob(f"{cloud_path.name}*"):
        stale.unlink()
    return Cloud(cloud_path)


def create_role(plugin: ProviderClient, **changes: Any) -> tuple[str, dict[str, Any]]:
    return plugin.create(urn(ROLE, "team-role"), {**ROLE_INPUTS, **changes})


def error_of(call: Any) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


# -- the process -----------------------------------------------------------------------------------------------


def _listening_addresses(port: int) -> set[str]:
    """The local addresses sockets on `port` listen on (Linux: /proc/net/tcp{,6}, state 0A; each 32-bit word of
    an address is written in host byte order, little-endian here)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                raw = b"".join(bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, len(address), 8))
                ip = ipaddress.ip_address(raw)
                found.add(str(getattr(ip, "ipv4_mapped", None) or ip))
    return found


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT, as the engine closes a plugin", "SIGTERM"]
)
def test_it_prints_its_port_alone_listens_on_loopback_and_exits_cleanly(
    signum: int, launcher: Path, program_dir: Path, cloud: Cloud
) -> None:
    env = {**os.environ, **cloud.environment}
    process = PluginProcess.executable(launcher, ENGINE_ADDRESS, cwd=program_dir, env=env)
    try:
        assert _listening_addresses(process.port) == {"127.0.0.1"}  # (IPv4 or v4-mapped IPv6) and nothing else
        client = ProviderClient(process.address, timeout=30)
        assert client.plugin_version() == "10.2.0"
        client.close()
        assert process.stop_with(signum) == 0
    finally:
        process.stop()
    assert process.output.stdout_lines == []  # the port line was all
    assert "Traceback" not in "".join(process.output.stderr_lines)


def test_its_version_is_the_one_the_installed_sdk_asks_the_engine_for(plugin: ProviderClient) -> None:
    declared = json.loads((Path(pulumi_gcp.__file__).parent / "pulumi-plugin.json").read_text())
    assert plugin.plugin_version() == declared["version"] == plugin_version()


def test_the_launcher_is_what_pulumi_plugin_install_takes(launcher: Path) -> None:
    script = launcher.read_text()
    assert launcher.name == "pulumi-resource-gcp" and os.access(launcher, os.X_OK)
    assert script.startswith("#!/bin/sh\n") and '-m tests.support.gcp_provider "$@"' in script
    assert install_arguments(launcher) == ["plugin", "install", "resource", "gcp", "10.2.0", "--file", str(launcher)]


def test_configure_negotiates_secrets_resources_and_previews(plugin: ProviderClient) -> None:
    response = plugin.configure(PROVIDER_CONFIG)
    assert (response.acceptSecrets, response.supportsPreview, response.acceptResources) == (True, True, True)


def test_without_a_cloud_configure_says_which_variable_to_set(launcher: Path, program_dir: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != STATE_VARIABLE}
    process = PluginProcess.executable(launcher, ENGINE_ADDRESS, cwd=program_dir, env=env)
    client = ProviderClient(process.address, timeout=30)
    try:
        error = error_of(lambda: client.configure(PROVIDER_CONFIG))
    finally:
        client.close()
        process.stop()
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details().startswith(f"{STATE_VARIABLE} is not set: ")


# -- one source with the mocks ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def payments_resources() -> list[Any]:
    """Every custom resource the payments stack (every feature on) registers, as rendered under the mocks."""
    project = read_project()[0]
    rendering = render_stack(stack_of(PAYMENTS), read_stack_config(PAYMENTS, project), project=project)
    return [r for r in rendering.resources if r.custom and r.type.startswith("gcp:")]


def test_create_answers_as_the_mocks_do_for_every_resource_of_the_program(
    plugin: ProviderClient, cloud: Cloud, payments_resources: list[Any]
) -> None:
    assert {r.type for r in payments_resources} == set(gcp_types.TEAM_TYPES)
    for record in payments_resources:
        args = MockResourceArgs(record.type, record.name, record.inputs, "", "", True)
        assert plugin.create(record.urn, record.inputs, preview=True) == GcpMocks(preview=True).new_resource(args)
        resource_id, outputs = plugin.create(record.urn, record.inputs)
        mock_id, mock_outputs = GcpMocks().new_resource(args)
        assert (resource_id, outputs) == (mock_id, {**mock_outputs, **provider_filled(record)}), record.urn
        assert cloud.get(record.type, resource_id) == outputs


def provider_filled(record: Any) -> dict[str, Any]:
    """What the provider adds to a resource's state that the program left out: its `project`, `deletionPolicy`."""
    names, filled = input_names(record.type), {}
    if "project" in names and "project" not in record.inputs:
        filled["project"] = PROVIDER_CONFIG["project"]
    if "deletionPolicy" in names and "deletionPolicy" not in record.inputs:
        filled["deletionPolicy"] = KINDS[record.type].deletion_policy
    return filled


@pytest.mark.parametrize(
    ("token", "args"),
    [
        (
            gcp_types.GET_TESTABLE_PERMISSIONS,
            {"fullResourceName": "//cloudresourcemanager.googleapis.com/projects/p", "stages": ["GA", "BETA"]},
        ),
        (gcp_types.GET_PROJECT, {"projectId": "shared-ml-research"}),
        ("gcp:storage/getBucket:getBucket", {"name": "b"}),
    ],
)
def test_invoke_answers_as_the_mocks_do(plugin: ProviderClient, cloud: Cloud, token: str, args: dict[str, Any]) -> None:
    answer = GcpMocks().call(MockCallArgs(token, args, ""))
    expected = answer if isinstance(answer, tuple) else (answer, [])
    assert plugin.invoke(token, args) == (expected[0], list(expected[1]))
    assert token in INVOKE_TOKENS or expected[1]


# -- the lifecycle ---------------------------------------------------------------------------------------------


def test_a_type_it_does_not_model_is_refused_at_check(plugin: ProviderClient) -> None:
    _, failures = plugin.check(urn("gcp:storage/bucket:Bucket", "b"), {"name": "b"})
    ((_, reason),) = failures
    assert "does not model gcp:storage/bucket:Bucket" in reason and "resource_kinds.py" in reason
    assert plugin.check(urn(ROLE, "r"), ROLE_INPUTS) == (ROLE_INPUTS, [])


@pytest.mark.parametrize(
    ("type_token", "olds", "news", "replaces", "kinds"),
    [
        (ROLE, ROLE_INPUTS, {**ROLE_INPUTS, "title": "new"}, [], {"title": DIFF.UPDATE}),
        (ROLE, ROLE_INPUTS, {**ROLE_INPUTS, "roleId": "other"}, ["roleId"], {"roleId": DIFF.UPDATE_REPLACE}),
        (ROLE, ROLE_INPUTS, {**ROLE_INPUTS, "description": "d"}, [], {"description": DIFF.ADD}),
        (ROLE, ROLE_INPUTS, {k: v for k, v in ROLE_INPUTS.items() if k != "project"}, [], {}),
        (ROLE, ROLE_INPUTS, {**ROLE_INPUTS, "project": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}, ["project"], None),
        (
            gcp_types.PROJECT,
            {"projectId": "a-project", "name": "A"},
            {"projectId": "b-project", "name": "B"},
            ["projectId"],
            {"projectId": DIFF.UPDATE_REPLACE, "name": DIFF.UPDATE},
        ),
        (
            gcp_types.PROJECT_IAM_MEMBER,
            {"project": "p", "role": "roles/x", "member": "user:a@example.com"},
            {"project": "p", "role": "roles/x", "member": "user:b@example.com"},
            ["member"],
            {"member": DIFF.UPDATE_REPLACE},
        ),
        (
            gcp_types.SERVICE_ACCOUNT,
            {"project": "p", "accountId": "claude-agent", "displayName": "A"},
            {"project": "p", "accountId": "claude-agent", "displayName": "B"},
            [],
            {"displayName": DIFF.UPDATE},
        ),
        (
            gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER,
            {"project": "p", "workloadIdentityPoolId": "pool", "workloadIdentityPoolProviderId": "github"},
            {"project": "p", "workloadIdentityPoolId": "pool", "workloadIdentityPoolProviderId": "gitlab"},
            ["workloadIdentityPoolProviderId"],
            {"workloadIdentityPoolProviderId": DIFF.UPDATE_REPLACE},
        ),
    ],
    ids=[
        "role title: update",
        "role ID: replace",
        "role description added: update",
        "project left to the provider's config: no change",
        "project unknown in a preview: replace",
        "project ID: replace",
        "grant member: replace",
        "account display name: update",
        "pool provider ID: replace",
    ],
)
def test_diff_replaces_what_gcp_cannot_change_in_place(
    plugin: ProviderClient,
    type_token: str,
    olds: dict[str, Any],
    news: dict[str, Any],
    replaces: list[str],
    kinds: dict[str, int] | None,
) -> None:
    response = plugin.diff(urn(type_token, "r"), "some-id", old_inputs=olds, olds=olds, news=news)
    assert list(response.replaces) == replaces
    assert response.changes == (
        provider_pb2.DiffResponse.DIFF_SOME if kinds != {} else provider_pb2.DiffResponse.DIFF_NONE
    )
    if kinds is not None:
        assert {key: diff.kind for key, diff in response.detailedDiff.items()} == kinds


def test_every_declared_replacement_is_an_input_of_its_type() -> None:
    assert set(KINDS) == set(gcp_types.TEAM_TYPES)
    for type_token, kind in KINDS.items():
        assert kind.replace_on <= input_names(type_token), type_token


def test_update_changes_the_cloud_and_a_preview_keeps_the_computed_outputs(
    plugin: ProviderClient, cloud: Cloud
) -> None:
    resource_id, outputs = create_role(plugin)
    news = {**ROLE_INPUTS, "title": "renamed"}
    previewed = plugin.update(
        urn(ROLE, "team-role"), resource_id, old_inputs=ROLE_INPUTS, olds=outputs, news=news, preview=True
    )
    assert previewed == {**outputs, "title": "renamed"}
    assert cloud.get(ROLE, resource_id)["title"] == ROLE_INPUTS["title"]  # a preview changes nothing
    updated = plugin.update(urn(ROLE, "team-role"), resource_id, old_inputs=ROLE_INPUTS, olds=outputs, news=news)
    assert updated == {**outputs, "title": "renamed"} == cloud.get(ROLE, resource_id)


def test_read_sees_drift_made_in_the_cloud_and_a_resource_deleted_there(plugin: ProviderClient, cloud: Cloud) -> None:
    resource_id, outputs = create_role(plugin)
    assert plugin.read(urn(ROLE, "team-role"), resource_id, properties=outputs, inputs=ROLE_INPUTS) == (
        resource_id,
        outputs,
        ROLE_INPUTS,
    )
    cloud.drift(ROLE, resource_id, {"title": "edited in the console", "permissions": ["aiplatform.endpoints.get"]})
    _, live, inputs = plugin.read(urn(ROLE, "team-role"), resource_id, properties=outputs, inputs=ROLE_INPUTS)
    assert inputs == {**ROLE_INPUTS, "title": "edited in the console", "permissions": ["aiplatform.endpoints.get"]}
    assert live["title"] == "edited in the console"
    cloud.delete_outside(ROLE, resource_id)
    assert plugin.read(urn(ROLE, "team-role"), resource_id, properties=outputs, inputs=ROLE_INPUTS)[0] == ""


def test_delete_soft_deletes_forgets_or_abandons_as_gcp_and_the_provider_do(
    plugin: ProviderClient, cloud: Cloud
) -> None:
    resource_id, outputs = create_role(plugin)
    plugin.delete(urn(ROLE, "team-role"), resource_id, properties=outputs)
    assert cloud.get(ROLE, resource_id) is None
    assert cloud.snapshot().record(ROLE, resource_id).deleted_at == cloud.now()  # soft-deleted: the ID stays known

    service = {"project": "p-standin", "service": "aiplatform.googleapis.com", "disableOnDestroy": False}
    service_id, service_outputs = plugin.create(urn(gcp_types.SERVICE, "api"), service)
    plugin.delete(urn(gcp_types.SERVICE, "api"), service_id, properties=service_outputs)
    assert cloud.get(gcp_types.SERVICE, service_id) is not None  # disableOnDestroy=false: the API stays on

    abandoned_id, abandoned = create_role(plugin, roleId="abandoned", deletionPolicy="ABANDON")
    plugin.delete(urn(ROLE, "abandoned"), abandoned_id, properties=abandoned)
    assert cloud.get(ROLE, abandoned_id) is not None


# -- what GCP refuses ------------------------------------------------------------------------------------------

PROJECT_INPUTS = {"projectId": "claude-taken", "name": "Claude taken", "deletionPolicy": "PREVENT"}
PROJECT_TAKEN = (
    "1 error occurred:\n\t* error creating project claude-taken (Claude taken): googleapi: Error 409: Requested entity "
    "already exists, alreadyExists. If you received a 403 error, make sure you have the "
    "`roles/resourcemanager.projectCreator` permission\n\n"
)


@pytest.mark.parametrize("deleted", [False, True], ids=["someone else's project", "a project deleted a year ago"])
def test_a_project_id_once_taken_is_refused_forever(plugin: ProviderClient, cloud: Cloud, deleted: bool) -> None:
    cloud.take_project_id("claude-taken", deleted=deleted)
    cloud.advance(days=365)
    error = error_of(lambda: plugin.create(urn(gcp_types.PROJECT, "project"), PROJECT_INPUTS))
    assert (error.code(), error.details()) == (grpc.StatusCode.UNKNOWN, PROJECT_TAKEN)
    assert cloud.get(gcp_types.PROJECT, "projects/claude-taken") == (
        None if deleted else {"projectId": "claude-taken", "name": "claude-taken"}
    )


def test_deleting_a_project_whose_policy_is_prevent_fails_as_the_provider_fails(
    plugin: ProviderClient, cloud: Cloud
) -> None:
    resource_id, outputs = plugin.create(
        urn(gcp_types.PROJECT, "project"), {k: v for k, v in PROJECT_INPUTS.items() if k != "deletionPolicy"}
    )
    assert outputs["deletionPolicy"] == "PREVENT" and outputs["number"] == project_number("claude-taken")
    error = error_of(lambda: plugin.delete(urn(gcp_types.PROJECT, "project"), resource_id, properties=outputs))
    assert error.details() == (
        f"deleting {urn(gcp_types.PROJECT, 'project')}: 1 error occurred:\n"
        "\t* Cannot destroy project as deletion_policy is set to PREVENT.\n\n"
    )
    assert cloud.get(gcp_types.PROJECT, resource_id) is not None


def test_a_custom_role_id_is_undeleted_within_7_days_and_refused_until_day_37(
    plugin: ProviderClient, cloud: Cloud
) -> None:
    resource_id, outputs = create_role(plugin)
    taken = error_of(lambda: create_role(plugin))
    assert (
        taken.details()
        == f"1 error occurred:\n\t* Custom project role {ROLE_ID} already exists and must be imported\n\n"
    )

    plugin.delete(urn(ROLE, "team-role"), resource_id, properties=outputs)
    cloud.advance(days=6)
    assert create_role(plugin, title="back") == (resource_id, {**outputs, "title": "back"})  # the provider undeletes

    plugin.delete(urn(ROLE, "team-role"), resource_id, properties=outputs)
    cloud.advance(days=8)
    refused = error_of(lambda: create_role(plugin))
    assert refused.details() == (
        f"1 error occurred:\n\t* Error creating the custom project role {ROLE_ID}: googleapi: Error 400: You can't "
        "create a role_id (claudeVertexStandin) which has been marked for deletion., failedPrecondition\n\n"
    )
    cloud.advance(days=29)  # 37 days after the deletion
    assert create_role(plugin)[0] == resource_id


def test_a_workload_identity_pool_id_stays_taken_for_30_days(plugin: ProviderClient, cloud: Cloud) -> None:
    pool = {"project": "claude-standin", "workloadIdentityPoolId": "claude-ci"}
    pool_urn = urn(gcp_types.WORKLOAD_IDENTITY_POOL, "pool")
    resource_id, outputs = plugin.create(pool_urn, pool)
    plugin.delete(pool_urn, resource_id, properties=outputs)
    cloud.advance(days=29)
    refused = error_of(lambda: plugin.create(pool_urn, pool))
    assert refused.details() == (
        "1 error occurred:\n\t* Error creating WorkloadIdentityPool: googleapi: Error 409: Requested entity already "
        "exists\n\n"
    )
    cloud.advance(days=1)
    assert plugin.create(pool_urn, pool)[0] == resource_id


def test_the_cloud_keeps_every_write_when_calls_come_at_once(plugin: ProviderClient, cloud: Cloud) -> None:
    def grant(index: int) -> str:
        member = {"project": "claude-standin", "role": "roles/viewer", "member": f"user:u{index}@example.com"}
        return plugin.create(urn(gcp_types.PROJECT_IAM_MEMBER, f"grant-{index}"), member)[0]

    with futures.ThreadPoolExecutor(max_workers=16) as pool:
        created = set(pool.map(grant, range(40)))
    assert set(cloud.resources(gcp_types.PROJECT_IAM_MEMBER)) == created and len(created) == 40
    assert [c["rpc"] for c in cloud.calls()].count("Create") == 40


def test_the_clock_starts_on_the_suites_date(cloud: Cloud) -> None:
    assert cloud_module.TODAY_VARIABLE == clock.TODAY_VARIABLE
    assert cloud.now().date() == SUITE_DATE


# -- configuration and schema ----------------------------------------------------------------------------------


def test_check_config_refuses_keys_the_provider_does_not_have_and_marks_credentials_secret(
    plugin: ProviderClient,
) -> None:
    default = "urn:pulumi:dev::claude-vertex::pulumi:providers:gcp::default_10_2_0"
    refused = plugin.check_config(default, {"project": "p", "projet": "p", "version": "10.2.0"})
    assert [f.reason for f in refused.failures] == [
        "`gcp:projet` is not a valid configuration key for the gcp provider. If the referenced key is not intended "
        "for the provider, please choose a different namespace from `gcp:`."
    ]
    accepted = plugin.check_config(default, {"project": "p", "credentials": "{}", "version": "10.2.0"})
    assert not accepted.failures
    assert from_struct(accepted.inputs)["credentials"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "{}",
    }


def test_the_schema_is_valid_and_covers_what_it_models(plugin: ProviderClient) -> None:
    schema = json.loads(plugin.schema())
    assert violations(schema) == []
    assert (schema["name"], schema["version"]) == ("gcp", "10.2.0")
    assert set(schema["resources"]) == set(KINDS) and set(schema["functions"]) == set(INVOKE_TOKENS)
    role = schema["resources"][ROLE]
    assert role["inputProperties"]["permissions"] == {"type": "array", "items": {"type": "string"}}
    assert role["requiredInputs"] == ["permissions", "title"] and "name" in role["properties"]
    assert {"project", "region", "credentials"} <= set(schema["provider"]["inputProperties"])
