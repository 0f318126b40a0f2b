"""The gateway stack as `pulumi up` would register it: the real program under the mocks, with the suite's gateway
stack (tests/stacks/gateway/, and variants of it) serving the two team stacks beside it, in a project directory of
its own: Pulumi runs the program there, and the gateway reads its teams' stack files from there."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from claude_vertex.config import ConfigError
from claude_vertex.render.gateway import GATEWAY_SECRETS
from claude_vertex_gcp import resource_types as gcp_types

from tests.conftest import Rendered
from tests.support.gateway.rendered import STACKS, make_project
from tools.stack_file import ROOT, read_stack

GATEWAY = "claude-vertex:gateway"


@pytest.fixture(scope="module", autouse=True)
def project_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project of its own (Pulumi.yaml and the stack files), the working directory as under `pulumi up`."""
    directory = make_project(tmp_path_factory.mktemp("gateway-project"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        yield directory


def example_gateway() -> dict[str, Any]:
    return copy.deepcopy(read_stack(STACKS / "Pulumi.gateway.yaml", ROOT)[1])


def with_gateway(**changes: Any) -> dict[str, Any]:
    config = example_gateway()
    for key, value in changes.items():
        if value is None:
            config[GATEWAY].pop(key, None)
        else:
            config[GATEWAY][key] = value
    return config


@pytest.fixture(scope="module")
def example(project_directory: Path) -> Rendered:
    from tests.support.gcp_mocks import GcpMocks
    from tests.support.render import render_stack

    mocks = GcpMocks()
    return Rendered(render_stack("gateway", example_gateway(), mocks=mocks), mocks)


def test_the_gateway_stack_registers_exactly_the_gateways_types(example: Rendered) -> None:
    google = {r["type"] for r in example.resources if r["type"].startswith("gcp:")}
    assert google == set(gcp_types.GATEWAY_TYPES)


def test_cloud_run_is_internal_warm_by_digest_and_checks_no_iam_invoker(example: Rendered) -> None:
    (service,) = example.of_type(gcp_types.CLOUD_RUN_SERVICE)
    inputs = service["inputs"]
    assert inputs["ingress"] == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert inputs["invokerIamDisabled"] is True
    template = inputs["template"]
    assert template["scaling"]["minInstanceCount"] >= 1
    (container,) = template["containers"]
    assert "@sha256:" in container["image"]
    assert container["args"] == ["gateway", "--config", "/etc/claude-gateway/gateway.yaml"]
    from_secrets = {
        env["name"]: env["valueSource"]["secretKeyRef"]["secret"] for env in container["envs"] if "valueSource" in env
    }
    assert from_secrets == {secret.env: f"acme-gateway-{secret.slug}" for secret in GATEWAY_SECRETS}
    assert not example.of_type("gcp:cloudrunv2/serviceIamMember:ServiceIamMember")


def test_the_database_has_no_public_address_and_keeps_backups(example: Rendered) -> None:
    (instance,) = example.of_type(gcp_types.SQL_INSTANCE)
    settings = instance["inputs"]["settings"]
    assert settings["ipConfiguration"]["ipv4Enabled"] is False
    assert settings["ipConfiguration"]["sslMode"] == "ENCRYPTED_ONLY"
    assert "authorizedNetworks" not in settings["ipConfiguration"]
    backups = settings["backupConfiguration"]
    assert backups["enabled"] and backups["pointInTimeRecoveryEnabled"]
    assert settings["availabilityType"] == "REGIONAL"
    (user,) = example.of_type(gcp_types.SQL_USER)
    assert "password" not in user["inputs"]


def test_high_availability_is_a_setting(render_config: Callable[..., Rendered]) -> None:
    config = with_gateway(database={"highAvailability": False})
    (instance,) = render_config(config, stack="gateway").of_type(gcp_types.SQL_INSTANCE)
    assert instance["inputs"]["settings"]["availabilityType"] == "ZONAL"


def test_the_gateway_account_holds_each_teams_own_role_and_nothing_else(example: Rendered) -> None:
    gateway = "serviceAccount:acme-gateway@acme-claude-gateway.iam.gserviceaccount.com"
    grants = sorted(
        (r["inputs"]["project"], r["inputs"]["role"], r["inputs"]["member"])
        for r in example.of_type(gcp_types.PROJECT_IAM_MEMBER)
    )
    assert grants == [
        ("claude-payments-prod", "projects/claude-payments-prod/roles/claudeVertexPayments", gateway),
        ("shared-ml-research", "projects/shared-ml-research/roles/claudeVertexResearch", gateway),
    ]


def test_each_secret_is_readable_by_the_gateways_account_only(example: Rendered) -> None:
    gateway = "serviceAccount:acme-gateway@acme-claude-gateway.iam.gserviceaccount.com"
    caps = "serviceAccount:acme-gw-caps@acme-claude-gateway.iam.gserviceaccount.com"
    readers: dict[str, set[str]] = {}
    for grant in example.of_type(gcp_types.SECRET_IAM_MEMBER):
        assert grant["inputs"]["role"] == "roles/secretmanager.secretAccessor"
        readers.setdefault(grant["inputs"]["secretId"], set()).add(grant["inputs"]["member"])
    secrets = {r["inputs"]["secretId"] for r in example.of_type(gcp_types.SECRET)}
    assert set(readers) == secrets
    for secret, members in readers.items():
        expected = {gateway, caps} if secret.endswith("admin-write-key") else {gateway}
        assert members == expected, secret


def test_the_only_secret_value_in_the_stack_is_gateway_yaml_which_holds_references(example: Rendered) -> None:
    (version,) = example.of_type(gcp_types.SECRET_VERSION)
    assert version["inputs"]["secret"].endswith("/secrets/acme-gateway-config")
    text = version["inputs"]["secretData"]
    if isinstance(text, dict):  # the SDK marks secret_data secret; the mocks see the marker's value
        text = text.get("value", text)
    assert text == example.outputs["gatewayConfig"]
    config = yaml.safe_load(text)
    assert config["session"]["jwt_secret"] == "${GATEWAY_JWT_SECRET}"
    assert config["oidc"]["client_secret"] == "${GATEWAY_OIDC_CLIENT_SECRET}"
    assert config["store"]["password"] == "${GATEWAY_DB_PASSWORD}"
    assert [k["key"] for k in config["admin"]["write_keys"]] == ["${GATEWAY_ADMIN_WRITE_KEY}"]


def test_developers_get_a_managed_settings_file_that_forces_gateway_sign_in(example: Rendered) -> None:
    assert example.outputs["developerManagedSettings"] == {
        "forceLoginMethod": "gateway",
        "forceLoginGatewayUrl": "https://claude-gateway.corp.acme.example",
    }
    assert example.outputs["gatewayUrl"] == "https://claude-gateway.corp.acme.example"


def test_the_spend_caps_are_in_the_plan_and_a_change_reruns_the_job(
    example: Rendered, render_config: Callable[..., Rendered]
) -> None:
    (job,) = example.of_type(gcp_types.CLOUD_RUN_JOB)
    env = {e["name"]: e.get("value") for e in job["inputs"]["template"]["template"]["containers"][0]["envs"]}
    limits = json.loads(env["SPEND_LIMITS"])
    assert {
        "scope": {"type": "rbac_group", "rbac_group_id": "payments-engineers"},
        "period": "monthly",
        "amount": "30000",
    } in limits
    assert {
        "scope": {"type": "user", "user_id": "contractor@acme.example"},
        "period": "monthly",
        "amount": "5000",
    } in limits
    assert example.outputs["spendLimits"]["rbac_group:payments-engineers"] == {
        "usdPerMonth": 300.0,
        "applies": "each developer of payments-engineers (team payments, payments)",
    }

    changed = render_config(with_gateway(spendCaps={"developers": {"contractor@acme.example": 0}}), stack="gateway")
    (rerun,) = changed.of_type(gcp_types.CLOUD_RUN_JOB)
    assert rerun["inputs"]["runExecutionToken"] != job["inputs"]["runExecutionToken"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"teams": ["no-such-stack"]}, 'gateway.teams[0]: "no-such-stack" — no stack file Pulumi.no-such-stack.yaml'),
        ({"teams": ["dev"]}, None),
        ({"teams": ["gateway"]}, "is a gateway stack, not a team stack"),
        ({"image": "europe-west1-docker.pkg.dev/acme/claude/gateway:latest"}, "gateway.image"),
    ],
)
def test_a_bad_gateway_config_is_one_line_naming_the_key(
    render_config: Callable[..., Rendered], change: dict[str, Any], message: str | None, project_directory: Path
) -> None:
    shutil.copy(STACKS.parent / "Pulumi.dev.yaml", project_directory)
    config = with_gateway(**change)
    if message is None:  # dev has no behindGateway: served without one would be a guess at its groups
        with pytest.raises(ConfigError, match=r"stack dev has no claude-vertex:behindGateway"):
            render_config(config, stack="gateway")
        return
    with pytest.raises(ConfigError) as raised:
        render_config(config, stack="gateway")
    assert "\n" not in str(raised.value)
    assert message in str(raised.value)


def test_a_team_stack_renders_the_same_behind_the_gateway_or_not(render_config: Callable[..., Rendered]) -> None:
    """The team's stack file is the team's record; `behindGateway` is read by the gateway stack and changes nothing
    the team's own stack registers or exports."""
    behind = read_stack(STACKS / "Pulumi.payments.yaml", ROOT)[1]
    alone = {k: v for k, v in behind.items() if k != "claude-vertex:behindGateway"}
    assert "claude-vertex:behindGateway" in behind
    with_it, without = render_config(behind, stack="payments"), render_config(alone, stack="payments")
    assert with_it.resources == without.resources
    assert with_it.outputs == without.outputs


def test_the_gateway_image_installs_the_pinned_client_and_runs_what_the_service_asks(example: Rendered) -> None:
    """gateway/Dockerfile builds the image the service runs: its client is the version the project pins everywhere
    (ci_snippets.CLAUDE_CODE_VERSION), its entrypoint the binary the service's args (`gateway --config ...`) are for,
    and it has the `sh` and `curl` the spend-cap job's script needs."""
    from claude_vertex.render.ci_snippets import CLAUDE_CODE_VERSION

    dockerfile = (ROOT / "gateway" / "Dockerfile").read_text()
    assert f"ARG CLAUDE_CODE_VERSION={CLAUDE_CODE_VERSION}\n" in dockerfile
    assert f"claude-gateway:{CLAUDE_CODE_VERSION} " in dockerfile
    assert 'ENTRYPOINT ["/usr/local/bin/claude"]' in dockerfile
    assert "curl" in dockerfile
    (job,) = example.of_type(gcp_types.CLOUD_RUN_JOB)
    assert job["inputs"]["template"]["template"]["containers"][0]["commands"] == ["/bin/sh", "-c"]
