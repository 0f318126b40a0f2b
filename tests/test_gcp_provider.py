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
import re
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
from tests.fixture_stacks import GATEWAY, PAYMENTS, gateway_project, stack_of
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
    """What the provider adds to a resource's state from its config that the mocks (which know no provider config)
    do not: its `project` where the program left it out. (`deletionPolicy` the mocks fill in too.)"""
    if "project" in input_names(record.type) and "project" not in record.inputs:
        return {"project": PROVIDER_CONFIG["project"]}
    return {}


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
    assert set(KINDS) == {*gcp_types.TEAM_TYPES, *gcp_types.GATEWAY_TYPES}
    for type_token, kind in KINDS.items():
        assert kind.replace_on <= input_names(type_token), type_token
        assert set(kind.same) <= input_names(type_token), type_token


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


def test_check_config_refuses_keys_the_provider_does_not_have_and_marks_its_secret_settings_secret(
    plugin: ProviderClient,
) -> None:
    default = "urn:pulumi:dev::claude-vertex::pulumi:providers:gcp::default_10_2_0"
    refused = plugin.check_config(default, {"project": "p", "projet": "p", "version": "10.2.0"})
    assert [f.reason for f in refused.failures] == [
        "`gcp:projet` is not a valid configuration key for the gcp provider. If the referenced key is not intended "
        "for the provider, please choose a different namespace from `gcp:`."
    ]
    accepted = plugin.check_config(default, {"project": "p", "accessToken": "ya29.x", "version": "10.2.0"})
    assert not accepted.failures
    assert from_struct(accepted.inputs)["accessToken"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "ya29.x",
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


# -- the gateway stack's types ---------------------------------------------------------------------------------

GATEWAY_PROJECT = "acme-claude-gateway"
NETWORK_ID = f"projects/{GATEWAY_PROJECT}/global/networks/acme-gateway"
SUBNET_ID = f"projects/{GATEWAY_PROJECT}/regions/europe-west1/subnetworks/acme-gateway"


@pytest.fixture(scope="module")
def gateway_resources(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """Every custom resource the suite's gateway stack registers, in the order the program registered them (what a
    resource's outputs are computed from, its subnet, its secret, was created before it)."""
    project = read_project()[0]
    directory = gateway_project(tmp_path_factory.mktemp("gateway-project"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)  # where Pulumi runs the program: the teams' stack files are read from there
        config = read_stack_config(directory / GATEWAY.name, project)
        rendering = render_stack(stack_of(GATEWAY), config, project=project)
    return [r for r in rendering.resources if r.custom and r.type.startswith("gcp:")]


def test_create_answers_as_the_mocks_do_for_every_resource_of_the_gateway_stack(
    plugin: ProviderClient, cloud: Cloud, gateway_resources: list[Any]
) -> None:
    assert {r.type for r in gateway_resources} == set(gcp_types.GATEWAY_TYPES)
    mocks = GcpMocks()  # one cloud for the whole stack, as the stand-in's
    for record in gateway_resources:
        args = MockResourceArgs(record.type, record.name, record.inputs, "", "", True)
        resource_id, outputs = plugin.create(record.urn, record.inputs)
        mock_id, mock_outputs = mocks.new_resource(args)
        assert (resource_id, outputs) == (mock_id, {**mock_outputs, **provider_filled(record)}), record.urn
    created = cloud.resources()
    service = created[f"projects/{GATEWAY_PROJECT}/locations/europe-west1/services/acme-gateway"]
    instance = created["acme-gateway"]
    address = created[f"projects/{GATEWAY_PROJECT}/regions/europe-west1/addresses/acme-gateway"]
    reserved = created[f"projects/{GATEWAY_PROJECT}/global/addresses/acme-gateway-private-services"]
    number = project_number(GATEWAY_PROJECT)
    # What the program reads, in GCP's formats: the run.app URL, the database's private address from the range
    # private services access reserved, an internal address in the gateway subnet, secret names by project number.
    assert service["uri"] == f"https://acme-gateway-{number}.europe-west1.run.app"
    assert ipaddress.ip_address(instance["privateIpAddress"]) in ipaddress.ip_network(
        f"{reserved['address']}/{reserved['prefixLength']:.0f}"
    )
    assert (
        instance["publicIpAddress"] == ""
        and instance["connectionName"] == f"{GATEWAY_PROJECT}:europe-west1:acme-gateway"
    )
    assert ipaddress.ip_address(address["address"]) in ipaddress.ip_network("10.60.0.0/24")
    secret = created[f"projects/{GATEWAY_PROJECT}/secrets/acme-gateway-config"]
    assert secret["name"] == f"projects/{number}/secrets/acme-gateway-config"
    version = created[f"projects/{number}/secrets/acme-gateway-config/versions/1"]
    assert (version["version"], version["secret"]) == ("1", f"projects/{GATEWAY_PROJECT}/secrets/acme-gateway-config")
    grants = cloud.resources(gcp_types.SECRET_IAM_MEMBER)
    assert all(grant["secretId"].startswith(f"projects/{GATEWAY_PROJECT}/secrets/") for grant in grants.values())
    job = cloud.resources(gcp_types.CLOUD_RUN_JOB)[
        f"projects/{GATEWAY_PROJECT}/locations/europe-west1/jobs/acme-gateway-spend-caps"
    ]
    assert job["executionCount"] == 1 and job["latestCreatedExecution"]["name"].startswith("acme-gateway-spend-caps-")


SQL = gcp_types.SQL_INSTANCE
SQL_INPUTS = {
    "project": GATEWAY_PROJECT,
    "name": "acme-gateway",
    "region": "europe-west1",
    "databaseVersion": "POSTGRES_16",
    "deletionProtection": False,
    "settings": {"tier": "db-custom-1-3840", "ipConfiguration": {"ipv4Enabled": False, "privateNetwork": NETWORK_ID}},
}


def private_services(plugin: ProviderClient) -> dict[str, tuple[str, dict[str, Any]]]:
    """The gateway network with private services access, as the program makes it: network, reserved range,
    connection (and the gateway subnet)."""
    made = {
        "network": (
            gcp_types.NETWORK,
            {"project": GATEWAY_PROJECT, "name": "acme-gateway", "autoCreateSubnetworks": False},
        ),
        "subnet": (
            gcp_types.SUBNETWORK,
            {
                "project": GATEWAY_PROJECT,
                "name": "acme-gateway",
                "region": "europe-west1",
                "network": NETWORK_ID,
                "ipCidrRange": "10.60.0.0/24",
            },
        ),
        "range": (
            gcp_types.GLOBAL_ADDRESS,
            {
                "project": GATEWAY_PROJECT,
                "name": "acme-psa",
                "network": NETWORK_ID,
                "purpose": "VPC_PEERING",
                "addressType": "INTERNAL",
                "prefixLength": 20,
            },
        ),
        "connection": (
            gcp_types.SERVICE_NETWORKING_CONNECTION,
            {
                "network": NETWORK_ID,
                "service": "servicenetworking.googleapis.com",
                "reservedPeeringRanges": ["acme-psa"],
            },
        ),
    }
    return {
        key: (urn(type_token, key), plugin.create(urn(type_token, key), inputs))
        for key, (type_token, inputs) in made.items()
    }


def test_a_database_without_private_services_access_is_refused(plugin: ProviderClient, cloud: Cloud) -> None:
    refused = error_of(lambda: plugin.create(urn(SQL, "db"), SQL_INPUTS))
    assert refused.details() == (
        "1 error occurred:\n\t* Error, failed to create instance acme-gateway: googleapi: Error 400: Invalid request: "
        f"Incorrect Service Networking config for instance: {GATEWAY_PROJECT}:acme-gateway:"
        "SERVICE_NETWORKING_NOT_ENABLED., invalid\n\n"
    )


def test_a_protected_database_is_not_deleted_and_its_name_stays_taken_a_week(
    plugin: ProviderClient, cloud: Cloud
) -> None:
    private_services(plugin)
    protected_id, protected = plugin.create(urn(SQL, "db"), {**SQL_INPUTS, "deletionProtection": True})
    refused = error_of(lambda: plugin.delete(urn(SQL, "db"), protected_id, properties=protected))
    assert refused.details().endswith(
        "Error, failed to delete instance because deletion_protection is set to true. Set it to false to proceed "
        "with instance deletion\n\n"
    )
    assert cloud.get(SQL, protected_id) is not None
    plugin.delete(urn(SQL, "db"), protected_id, properties={**protected, "deletionProtection": False})
    cloud.advance(days=6)
    taken = error_of(lambda: plugin.create(urn(SQL, "db"), SQL_INPUTS))
    assert (
        "Error 409: The Cloud SQL instance already exists. When you delete an instance, you can't reuse the name"
        in taken.details()
    )
    cloud.advance(days=1)
    assert plugin.create(urn(SQL, "db"), SQL_INPUTS)[0] == "acme-gateway"


def test_private_services_access_is_not_removed_while_the_database_uses_it(
    plugin: ProviderClient, cloud: Cloud
) -> None:
    made = private_services(plugin)
    instance_id, instance = plugin.create(urn(SQL, "db"), SQL_INPUTS)
    connection_urn, (connection_id, connection) = made["connection"]
    refused = error_of(lambda: plugin.delete(connection_urn, connection_id, properties=connection))
    assert refused.details().endswith(
        "Failed to delete connection; Producer services (e.g. CloudSQL, Cloud Memstore, etc.) are still using this "
        "connection.\n\n"
    )
    network_urn, (network_id, network) = made["network"]
    in_use = error_of(lambda: plugin.delete(network_urn, network_id, properties=network))
    assert f"The network resource '{NETWORK_ID}' is already being used by '{SUBNET_ID}'" in in_use.details()
    plugin.delete(urn(SQL, "db"), instance_id, properties=instance)
    plugin.delete(connection_urn, connection_id, properties=connection)
    assert cloud.get(gcp_types.SERVICE_NETWORKING_CONNECTION, connection_id) is None


@pytest.mark.parametrize("run_type", [gcp_types.CLOUD_RUN_SERVICE, gcp_types.CLOUD_RUN_JOB], ids=["service", "job"])
def test_a_subnet_cloud_run_egressed_through_is_held_for_two_hours(
    plugin: ProviderClient, cloud: Cloud, run_type: str
) -> None:
    made = private_services(plugin)
    egress = {"vpcAccess": {"networkInterfaces": [{"network": NETWORK_ID, "subnetwork": SUBNET_ID}]}}
    template = egress if run_type == gcp_types.CLOUD_RUN_SERVICE else {"template": egress}
    run = {"project": GATEWAY_PROJECT, "location": "europe-west1", "name": "acme-gateway", "template": template}
    protected_id, protected = plugin.create(urn(run_type, "run"), run)
    kind = "service" if run_type == gcp_types.CLOUD_RUN_SERVICE else "job"
    guarded = error_of(lambda: plugin.delete(urn(run_type, "run"), protected_id, properties=protected))
    assert guarded.details().endswith(
        f"cannot destroy {kind} without setting deletion_protection=false and running `terraform apply`\n\n"
    )  # the provider's default: protected
    run_id, state = plugin.create(urn(run_type, "run2"), {**run, "name": "acme-gateway-2", "deletionProtection": False})
    plugin.delete(urn(run_type, "run"), protected_id, properties={**protected, "deletionProtection": False})
    plugin.delete(urn(run_type, "run2"), run_id, properties=state)
    subnet_urn, (subnet_id, subnet) = made["subnet"]
    cloud.advance(days=1 / 24)
    held = error_of(lambda: plugin.delete(subnet_urn, subnet_id, properties=subnet))
    assert re.search(
        rf"The subnetwork resource '{SUBNET_ID}' is already being used by "
        rf"'projects/{GATEWAY_PROJECT}/regions/europe-west1/addresses/serverless-ipv4-[0-9]{{19}}', "
        "resourceInUseByAnotherResource",
        held.details(),
    )
    cloud.advance(days=1 / 24)
    plugin.delete(subnet_urn, subnet_id, properties=subnet)
    assert cloud.get(gcp_types.SUBNETWORK, subnet_id) is None


SECRET_INPUTS = {"project": GATEWAY_PROJECT, "secretId": "acme-gateway-config", "replication": {"auto": {}}}
SECRET_ID = f"projects/{GATEWAY_PROJECT}/secrets/acme-gateway-config"


def test_a_secret_id_that_exists_is_refused(plugin: ProviderClient, cloud: Cloud) -> None:
    plugin.create(urn(gcp_types.SECRET, "secret"), SECRET_INPUTS)
    refused = error_of(lambda: plugin.create(urn(gcp_types.SECRET, "again"), SECRET_INPUTS))
    assert refused.details() == (
        "1 error occurred:\n\t* Error creating Secret: googleapi: Error 409: Secret "
        f"[projects/{project_number(GATEWAY_PROJECT)}/secrets/acme-gateway-config] already exists.\n\n"
    )


def test_secret_versions_are_numbered_by_their_secret_and_go_with_it(plugin: ProviderClient, cloud: Cloud) -> None:
    secret_id, secret = plugin.create(urn(gcp_types.SECRET, "secret"), SECRET_INPUTS)
    version_urn = urn(gcp_types.SECRET_VERSION, "config")
    first_id, first = plugin.create(version_urn, {"secret": secret_id, "secretData": "a: 1\n"})
    # A new gateway.yaml replaces the version (secretData cannot change in place): the next number, create first.
    replaced = plugin.diff(
        version_urn,
        first_id,
        old_inputs={"secret": secret_id, "secretData": "a: 1\n"},
        olds=first,
        news={"secret": secret_id, "secretData": "a: 2\n"},
    )
    assert list(replaced.replaces) == ["secretData"]
    second_id, second = plugin.create(version_urn, {"secret": secret_id, "secretData": "a: 2\n"})
    plugin.delete(version_urn, first_id, properties=first)
    assert (first["version"], second["version"]) == ("1", "2") and second_id.endswith("/versions/2")
    assert cloud.get(gcp_types.SECRET_VERSION, second_id) is not None
    disabled = plugin.update(
        version_urn,
        second_id,
        old_inputs={},
        olds=second,
        news={"secret": secret_id, "secretData": "a: 2\n", "enabled": False},
    )
    assert (disabled["name"], disabled["enabled"]) == (second_id, False)  # an update keeps the number
    assert plugin.create(version_urn, {"secret": secret_id, "secretData": "a: 3\n"})[1]["version"] == "3"
    plugin.delete(urn(gcp_types.SECRET, "secret"), secret_id, properties=secret)
    recreated_id, _ = plugin.create(urn(gcp_types.SECRET, "secret"), SECRET_INPUTS)
    assert plugin.create(version_urn, {"secret": recreated_id, "secretData": "a: 1\n"})[1]["version"] == "1"


def test_a_secret_grant_keeps_the_secrets_full_id_and_a_short_one_is_no_change(
    plugin: ProviderClient, cloud: Cloud
) -> None:
    member = "serviceAccount:acme-gateway@acme-claude-gateway.iam.gserviceaccount.com"
    inputs = {
        "project": GATEWAY_PROJECT,
        "secretId": "acme-gateway-config",
        "role": "roles/secretmanager.secretAccessor",
        "member": member,
    }
    grant_urn = urn(gcp_types.SECRET_IAM_MEMBER, "reads")
    grant_id, state = plugin.create(grant_urn, inputs)
    assert grant_id == f"{SECRET_ID}/roles/secretmanager.secretAccessor/{member}" and state["secretId"] == SECRET_ID
    unchanged = plugin.diff(grant_urn, grant_id, old_inputs=inputs, olds=state, news=inputs)
    assert unchanged.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert plugin.read(grant_urn, grant_id, properties=state, inputs=inputs)[2] == inputs  # a refresh changes nothing
    other = plugin.diff(
        grant_urn, grant_id, old_inputs=inputs, olds=state, news={**inputs, "secretId": "acme-gateway-jwt-secret"}
    )
    assert list(other.replaces) == ["secretId"]


JOB = gcp_types.CLOUD_RUN_JOB
JOB_INPUTS = {
    "project": GATEWAY_PROJECT,
    "location": "europe-west1",
    "name": "acme-gateway-spend-caps",
    "runExecutionToken": "caps-1",
}


def test_a_job_runs_again_when_its_run_token_changes_and_only_then(plugin: ProviderClient, cloud: Cloud) -> None:
    job_urn = urn(JOB, "caps")
    job_id, created = plugin.create(job_urn, JOB_INPUTS)
    assert created["executionCount"] == 1
    changed = plugin.diff(
        job_urn, job_id, old_inputs=JOB_INPUTS, olds=created, news={**JOB_INPUTS, "runExecutionToken": "caps-2"}
    )
    assert (list(changed.replaces), list(changed.diffs)) == ([], ["runExecutionToken"])  # in place
    relabelled = plugin.update(
        job_urn, job_id, old_inputs=JOB_INPUTS, olds=created, news={**JOB_INPUTS, "labels": {"a": "b"}}
    )
    assert (
        relabelled["latestCreatedExecution"] == created["latestCreatedExecution"] and relabelled["executionCount"] == 1
    )
    rerun = plugin.update(
        job_urn, job_id, old_inputs=JOB_INPUTS, olds=relabelled, news={**JOB_INPUTS, "runExecutionToken": "caps-2"}
    )
    assert rerun["executionCount"] == 2
    assert rerun["latestCreatedExecution"]["name"] != created["latestCreatedExecution"]["name"]


@pytest.mark.parametrize(
    ("type_token", "olds", "news", "replaces"),
    [
        (SQL, SQL_INPUTS, {**SQL_INPUTS, "settings": {**SQL_INPUTS["settings"], "tier": "db-custom-2-7680"}}, []),
        (SQL, SQL_INPUTS, {**SQL_INPUTS, "databaseVersion": "POSTGRES_17"}, []),
        (SQL, SQL_INPUTS, {**SQL_INPUTS, "region": "europe-west4"}, ["region"]),
        (gcp_types.SECRET, SECRET_INPUTS, {**SECRET_INPUTS, "replication": {"userManaged": {}}}, ["replication"]),
        (gcp_types.SECRET, SECRET_INPUTS, {**SECRET_INPUTS, "labels": {"a": "b"}}, []),
        (gcp_types.CLOUD_RUN_SERVICE, {"name": "s", "template": {"a": 1}}, {"name": "s", "template": {"a": 2}}, []),
        (gcp_types.FORWARDING_RULE, {"name": "f", "target": "a"}, {"name": "f", "target": "b"}, []),
        (gcp_types.FORWARDING_RULE, {"name": "f", "ipAddress": "a"}, {"name": "f", "ipAddress": "b"}, ["ipAddress"]),
        (
            gcp_types.REGION_NETWORK_ENDPOINT_GROUP,
            {"cloudRun": {"service": "a"}},
            {"cloudRun": {"service": "b"}},
            ["cloudRun"],
        ),
        (gcp_types.CERTIFICATE, {"managed": {"domains": ["a"]}}, {"managed": {"domains": ["b"]}}, ["managed"]),
        (gcp_types.DNS_RECORD_SET, {"type": "A", "rrdatas": ["10.0.0.2"]}, {"type": "A", "rrdatas": ["10.0.0.3"]}, []),
        (gcp_types.SUBNETWORK, {"ipCidrRange": "10.60.0.0/24"}, {"ipCidrRange": "10.60.0.0/23"}, []),
    ],
    ids=[
        "database tier: update",
        "database major version: update",
        "database region: replace",
        "secret replication: replace",
        "secret labels: update",
        "cloud run template: update",
        "forwarding rule target: update",
        "forwarding rule address: replace",
        "serverless NEG service: replace",
        "certificate domains: replace",
        "record set data: update",
        "subnet range widened: update",
    ],
)
def test_diff_replaces_what_gcp_cannot_change_in_place_on_the_gateway(
    plugin: ProviderClient, type_token: str, olds: dict[str, Any], news: dict[str, Any], replaces: list[str]
) -> None:
    response = plugin.diff(urn(type_token, "r"), "some-id", old_inputs=olds, olds=olds, news=news)
    assert response.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(response.replaces) == replaces
