"""The gateway rules' foundations, directly: which stacks are gateway stacks, that every IAM type the pack allows is
judged for public principals, and that the gateway.yaml reader stays bounded whatever the bytes."""

from __future__ import annotations

import time

import pytest
from claude_vertex_policies import gateway_config, grants
from claude_vertex_policies.rules import RULES_BY_NAME, StackResource
from claude_vertex_policies.rules.gateway_stack import is_gateway_stack
from claude_vertex_policies.rules.resource_types import ALLOWED_TYPES
from claude_vertex_policies.values import UNREADABLE_SECRET, revealed
from policy_cases import GOOD_GATEWAY_YAML, RUN_MEMBER_T
from policy_checks import direct_violations, stack_resources
from policy_records import gateway_program_stack, program_stack

from tests.support.analyzer import secret


@pytest.mark.parametrize("preview", [False, True], ids=["known", "preview-unknowns"])
def test_the_gateway_program_meets_every_rule(preview):
    """Every rule, directly, on the real gateway program (the table's gateway cases are edits of it or look-alikes;
    test_policy_gateway_program.py runs the same stack through the pack over gRPC)."""
    assert direct_violations(gateway_program_stack(preview=preview)) == []


def test_a_stack_is_a_gateway_stack_by_the_types_the_engine_reports_only():
    assert is_gateway_stack(stack_resources(gateway_program_stack()))
    assert not is_gateway_stack(stack_resources(program_stack(team="gateway", project_id="claude-gateway-prod")))
    labelled = [
        StackResource("urn:a", "gcp:organizations/project:Project", "gateway", {"labels": {"role": "gateway"}}),
        StackResource("urn:b", "claude-vertex:index:TeamProject", "ClaudeGateway", {}),
    ]
    assert not is_gateway_stack(labelled)
    assert is_gateway_stack([StackResource("urn:c", "gcp:cloudrunv2/service:Service", "anything", {})])


@pytest.mark.parametrize("member", ["allUsers", "allAuthenticatedUsers"])
def test_every_iam_type_the_pack_allows_is_judged_for_public_principals(member):
    """The class, not the instances: whatever IAM type `allowedTypes` holds, today's or one added later, a grant of it
    to the public is refused (the member, binding and policy shapes alike)."""
    rule = RULES_BY_NAME["no-public-principals"]
    iam_types = [t for t in ALLOWED_TYPES if t.startswith("gcp:") and grants.iam_type(t) is not None]
    assert "gcp:secretmanager/secretIamMember:SecretIamMember" in iam_types
    for type_token in iam_types:
        props = {"role": "roles/secretmanager.secretAccessor", "member": member, "members": [member]}
        assert rule.evaluate(type_token, props), type_token
    invoker = {"role": "roles/run.invoker", "member": member, "members": [member]}
    for refused in (RUN_MEMBER_T, "gcp:cloudrunv2/jobIamBinding:JobIamBinding"):
        assert rule.evaluate(refused, invoker)


def test_secret_markers_are_taken_off_and_one_without_a_value_is_never_absent():
    assert revealed({"a": [secret("x")], "b": secret({"c": secret(1)})}) == {"a": ["x"], "b": {"c": 1}}
    assert revealed(secret(None)) is None
    assert revealed({"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}) is UNREADABLE_SECRET


def test_the_config_reader_reads_the_gateways_references():
    config = gateway_config.parse(GOOD_GATEWAY_YAML)
    assert config["session"]["jwt_secret"] == ["${JWT_SECRET}", "${file:/run/secrets/previous-jwt}"]
    assert gateway_config.credential_problems(config) == []
    assert gateway_config.is_reference("${file:/abs/path}") and not gateway_config.is_reference("${file:rel}")
    assert not gateway_config.is_reference("x${VAR}") and not gateway_config.is_reference("${A-B}")


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("a: &a [" + "*a, " * 20 + "]\n", "anchors or aliases"),
        ("[" * 40 + "]" * 40, "deeper than 32"),
        ("[" * 60_000, "it "),
        ("{a: 1}\n" * 10_000, "larger than 65536 bytes"),
        ("listen: !!binary aGk=\n", "explicit YAML tag"),
        ("\ufeff\x00listen: {}", "not YAML"),
        ("--- {}\n--- {}\n", "more than one YAML document"),
        ("? [a, b]\n: c\n", "not text"),
        ("<<: {session: {jwt_secret: x}}\n", "merge key"),
        ("listen: {}\nsession: {}\nstore: {}\nupstreams: []\nlisten: {}\n", "repeats the key 'listen'"),
        ("", "not a mapping"),
    ],
)
def test_the_config_reader_refuses_hostile_text_fast_in_one_line(text, refusal):
    started = time.monotonic()
    with pytest.raises(gateway_config.GatewayConfigError) as raised:
        gateway_config.parse(text)
    assert time.monotonic() - started < 1.0
    assert refusal in str(raised.value) and "\n" not in str(raised.value)


def test_no_message_quotes_a_credential():
    leaked = GOOD_GATEWAY_YAML.replace('"${OIDC_CLIENT_SECRET}"', "do-not-print-me").replace("${DB_PASSWORD}", "nor-me")
    rule = RULES_BY_NAME["secret-versions-hold-references-only"]
    (message,) = rule.evaluate("gcp:secretmanager/secretVersion:SecretVersion", {"secretData": secret(leaked)})
    assert "oidc.client_secret" in message and "store.postgres_url" in message
    assert "do-not-print-me" not in message and "nor-me" not in message


def test_a_secret_marker_without_its_value_is_refused_not_skipped():
    """The engine's marshaller always sends a secret's value; a driver that passes the wire shape on with none (the
    SDK would refuse it) still gets a refusal, never a pass."""
    rule = RULES_BY_NAME["secret-versions-hold-references-only"]
    marker = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    (message,) = rule.evaluate("gcp:secretmanager/secretVersion:SecretVersion", {"secretData": marker})
    assert "a secret whose value the engine did not send" in message
