"""The pack against the real gateway program, over gRPC as the engine drives it: the example gateway stacks pass
with no finding at all, and the insecure variants issue 20 names are refused, each made from the real program with
one input changed or one resource added (`policy_records.gateway_program_stack`)."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from policy_cases import (
    CLOUD_RUN_T,
    GW_ACCOUNT,
    GW_ROLE_GRANT,
    RUN_MEMBER_T,
    SECRET_VERSION_T,
    SQL_T,
    added_like,
    edited,
    of,
)
from policy_records import GATEWAY_STACK, gateway_program_stack

from tests.support.analyzer import load_policy_config, secret
from tools.preview import ROOT, load_rendering

pytestmark = pytest.mark.slow

MODES = pytest.mark.parametrize("preview", [False, True], ids=["after-up", "during-preview"])
EXAMPLE_CONFIG = ROOT / "policies" / "config.example.json"


def verdicts(pack: Any, records: list[dict[str, Any]], stack: str, config: dict[str, Any] | None = None) -> set:
    """(policy, level, resource name) of every violation the pack reports for the records, as the engine asks."""
    pack.configure_stack(stack)
    pack.configure(config)
    violations = [v for r in records for v in pack.analyze(r)] + pack.analyze_stack(records)
    names = {r["urn"]: r["name"] for r in records}
    return {(v.policy, v.level, names.get(v.urn, v.urn)) for v in violations}


@functools.cache
def example_stack(preview: bool) -> list[dict[str, Any]]:
    return load_rendering("example-gateway", ROOT / "Pulumi.example-gateway.yaml", engine_preview=preview).analyzed


@MODES
def test_the_example_gateway_stack_has_no_finding_at_all(pack, preview):
    """The repository's example, as `make preview STACK=example-gateway` renders it: not even an advisory, under
    the pack's defaults and under the example platform config written for it."""
    records = example_stack(preview)
    assert {r["type"] for r in records} >= {CLOUD_RUN_T, SQL_T, SECRET_VERSION_T}
    assert verdicts(pack, records, "example-gateway") == set()
    assert verdicts(pack, records, "example-gateway", load_policy_config(EXAMPLE_CONFIG)) == set()


def refused(pack: Any, records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(policy, resource name) of every mandatory violation: exactly the edit's, since the rest is the clean program."""
    return {(policy, name) for policy, level, name in verdicts(pack, records, GATEWAY_STACK) if level == "mandatory"}


@MODES
def test_public_ingress_is_refused(pack, preview):
    records = edited(gateway_program_stack(preview=preview), CLOUD_RUN_T, "acme-gateway", ingress="INGRESS_TRAFFIC_ALL")
    assert refused(pack, records) == {("gateway-ingress-internal", "acme-gateway")}
    external_lbs = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
    through_external_lbs = edited(
        gateway_program_stack(preview=preview), CLOUD_RUN_T, "acme-gateway", ingress=external_lbs
    )
    assert refused(pack, through_external_lbs) == {("gateway-ingress-internal", "acme-gateway")}


@MODES
def test_a_public_invoker_is_refused(pack, preview):
    """One resource added: an invoker grant to allUsers on the gateway's service, shaped like the program's grants."""
    records = gateway_program_stack(preview=preview)
    service = of(records, CLOUD_RUN_T, "acme-gateway")
    grant = {
        **service,
        "type": RUN_MEMBER_T,
        "name": "acme-gateway-public",
        "urn": service["urn"].replace(f"{CLOUD_RUN_T}::acme-gateway", f"{RUN_MEMBER_T}::acme-gateway-public"),
        "inputs": {
            "project": "acme-claude-gateway",
            "location": "europe-west1",
            "name": "acme-gateway",
            "role": "roles/run.invoker",
            "member": "allUsers",
        },
        "outputs": None,
    }
    assert refused(pack, [*records, grant]) == {
        ("gateway-no-public-invoker", "acme-gateway-public"),
        ("no-public-principals", "acme-gateway-public"),
        ("allowed-resource-types", "acme-gateway-public"),
        ("iam-grants-match-design", "acme-gateway-public"),
    }


@MODES
def test_a_public_database_ip_is_refused(pack, preview):
    records = gateway_program_stack(preview=preview)
    settings = of(records, SQL_T, "acme-gateway")["inputs"]["settings"]
    public = {**settings, "ipConfiguration": {**settings["ipConfiguration"], "ipv4Enabled": True}}
    assert refused(pack, edited(records, SQL_T, "acme-gateway", settings=public)) == {
        ("database-private-ip-only", "acme-gateway")
    }
    unset = {k: v for k, v in settings["ipConfiguration"].items() if k != "ipv4Enabled"}
    default = {**settings, "ipConfiguration": unset}
    assert refused(pack, edited(records, SQL_T, "acme-gateway", settings=default)) == {
        ("database-private-ip-only", "acme-gateway")
    }


@MODES
def test_a_broad_role_for_the_gateway_account_is_refused(pack, preview):
    records = gateway_program_stack(preview=preview)
    broadened = edited(records, "gcp:projects/iAMMember:IAMMember", GW_ROLE_GRANT, role="roles/aiplatform.user")
    assert refused(pack, broadened) == {
        ("gateway-account-minimal-role", GW_ROLE_GRANT),
        ("project-grants-use-custom-roles", GW_ROLE_GRANT),
    }
    member_t = "gcp:projects/iAMMember:IAMMember"
    added = added_like(records, member_t, GW_ROLE_GRANT, "acme-gateway-vertex-user", role="roles/aiplatform.user")
    assert refused(pack, added) == {
        ("gateway-account-minimal-role", "acme-gateway-vertex-user"),
        ("project-grants-use-custom-roles", "acme-gateway-vertex-user"),
    }
    at_home = added_like(
        records,
        "gcp:projects/iAMMember:IAMMember",
        GW_ROLE_GRANT,
        "acme-gateway-own-project",
        project="acme-claude-gateway",
        role="projects/acme-claude-gateway/roles/claudeVertexAcme",
    )
    assert ("gateway-account-minimal-role", "acme-gateway-own-project") in refused(pack, at_home)


@MODES
def test_a_credential_in_the_rendered_config_is_refused(pack, preview):
    """The gateway.yaml the program writes to Secret Manager, with one reference replaced by the value itself."""
    records = gateway_program_stack(preview=preview)
    data = of(records, SECRET_VERSION_T, "acme-gateway-config")["inputs"]["secretData"]
    text = data["value"] if isinstance(data, dict) else data
    assert "${GATEWAY_JWT_SECRET}" in text
    leaked = text.replace("${GATEWAY_JWT_SECRET}", "0123456789abcdef0123456789abcdef")
    assert refused(pack, edited(records, SECRET_VERSION_T, "acme-gateway-config", secretData=secret(leaked))) == {
        ("secret-versions-hold-references-only", "acme-gateway-config")
    }


@MODES
def test_a_secret_read_by_a_person_is_refused(pack, preview):
    records = gateway_program_stack(preview=preview)
    reader = "acme-gateway-db-password-gateway-reads"
    reader_t = "gcp:secretmanager/secretIamMember:SecretIamMember"
    leaked = added_like(records, reader_t, reader, "dba-reads", member="user:dba@acme.example")
    assert refused(pack, leaked) == {
        ("secrets-read-by-own-accounts", "dba-reads"),
        ("iam-grants-match-design", "dba-reads"),
    }
    other_account = added_like(
        records,
        reader_t,
        reader,
        "ci-reads",
        member=GW_ACCOUNT.replace("acme-gateway@acme-claude-gateway", "deployer@acme-platform"),
    )
    assert refused(pack, other_account) == {("secrets-read-by-own-accounts", "ci-reads")}
