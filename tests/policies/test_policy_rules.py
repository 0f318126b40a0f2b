"""Fast tests of the rules as pure functions: every fixture, the parsers they rely on, their metadata."""

from __future__ import annotations

import re
from pathlib import Path

import pulumi_gcp
import pytest
from claude_vertex_gcp import iam, members, resource_types, services
from claude_vertex_gcp.ci_oidc import GITHUB, GITLAB
from claude_vertex_policies import cel, docs, example_config, grants, pinning
from claude_vertex_policies.rules import (
    RULES,
    ResourceRule,
    StackRule,
    workload_identity,
)
from claude_vertex_policies.rules import resource_types as allowed_types
from claude_vertex_policies.values import UNKNOWN, has_unknown, plain
from policy_cases import BOOLEAN_TWINS, CASES
from policy_checks import assert_matches, direct_findings, direct_violations
from policy_records import default_provider, program_stack, with_grant, with_inputs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy


@pytest.mark.parametrize("case", CASES + BOOLEAN_TWINS, ids=lambda c: f"{c.rule}:{c.id}")
def test_rule_fixture(case):
    assert_matches(case, direct_findings(case.rule, case.records, case.config, case.stack))


def test_every_rule_has_passing_and_failing_fixtures():
    for rule in RULES:
        cases = [c for c in CASES if c.rule == rule.info.name]
        assert any(not c.expect for c in cases), f"{rule.info.name} has no passing fixture"
        assert any(c.expect for c in cases), f"{rule.info.name} has no failing fixture"
        if rule.info.config:
            assert any(c.config for c in cases), f"{rule.info.name} has config but no fixture exercising it"


def test_rule_metadata_is_complete():
    names = [rule.info.name for rule in RULES]
    assert len(set(names)) == len(names)
    for rule in RULES:
        info = rule.info
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", info.name), info.name
        assert info.description.endswith(".") and len(info.description) < 160, info.name
        assert len(info.remediation) > 40, info.name
        assert {"Checkov", "Trivy", "Policy Library"} <= set(info.equivalents), info.name
        for key, spec in info.config.items():
            assert re.fullmatch(r"[a-z][A-Za-z]+", key) and {"type", "default", "description"} <= set(spec), key


def test_stack_rules_are_the_graph_rules():
    assert {r.info.name for r in RULES if isinstance(r, StackRule)} == {
        "custom-role-bindings-in-stack",
        "grant-members-verified",
        "service-account-grants-on-own-accounts",
        "federated-grants-pinned-by-provider",
        "team-projects-allowed",
        "guardrails-on-own-project",
        "required-guardrails",
        "no-default-network",
        "allowed-services-only",
        "secrets-read-by-own-accounts",
        "gateway-runs-as-own-account",
        "gateway-account-minimal-role",
        "gateway-teams-grant-no-humans",
    }
    assert all(isinstance(r, ResourceRule | StackRule) for r in RULES)


@pytest.mark.parametrize("preview", [False, True], ids=["known", "preview-unknowns"])
@pytest.mark.parametrize(
    "ci",
    [{}, {"github": ["acme/payments-app", "acme/infra"]}, {"gitlab": ["acme/payments"]}],
    ids=["no-ci", "github", "gitlab"],
)
def test_team_stacks_have_no_mandatory_violations(preview, ci):
    violations = direct_violations(program_stack(preview=preview, **ci))
    assert [v for v in violations if v[1] == "mandatory"] == []


def test_deletion_protection_off_is_only_advisory():
    violations = direct_violations(program_stack(deletion_protection=False))
    assert violations == [("project-hardening", "advisory", "platform-project")]


def test_bad_team_config_is_caught():
    records = with_grant(
        program_stack(members=("user:intern@gmail.com",)), "allUsers", like="platform-grant-user:intern@gmail.com"
    )
    records = with_inputs(records, "platform-role", permissions=["aiplatform.endpoints.predict", "aiplatform.*"])
    mandatory = {(policy, name) for policy, level, name in direct_violations(records) if level == "mandatory"}
    assert ("no-public-principals", "platform-grant-allUsers") in mandatory
    assert ("custom-role-allowed-permissions", "platform-role") in mandatory
    assert ("custom-role-bindings-in-stack", "platform-grant-allUsers") in mandatory
    assert ("no-personal-email-members", "advisory", "platform-grant-user:intern@gmail.com") in direct_violations(
        records
    )


# --- values: the SDK's proxy never gets a chance to raise ---------------------------------------------------------


def test_plain_keeps_unknowns_that_the_sdk_proxy_would_raise_on():
    props = unknown_checking_proxy(deserialize_properties({"member": UNKNOWN, "nested": {"list": ["a", UNKNOWN]}}))
    with pytest.raises(UnknownValueError):
        _ = props["member"]
    unwrapped = plain(props)
    assert unwrapped == {"member": UNKNOWN, "nested": {"list": ["a", UNKNOWN]}}
    assert has_unknown(unwrapped["nested"]) and not has_unknown({"a": ["b"]})


# --- members -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "domain"),
    [
        ("user:Alice@Example.com", "user", "example.com"),
        ("group:devs@example.com", "group", "example.com"),
        ("serviceAccount:a@p.iam.gserviceaccount.com", "serviceAccount", "p.iam.gserviceaccount.com"),
        ("domain:Example.com", "domain", "example.com"),
        ("allusers", "allUsers", None),
        ("allAuthenticatedUsers", "allAuthenticatedUsers", None),
        ("deleted:user:bob@example.com?uid=123", "user", "example.com"),
        ("principalSet://iam.googleapis.com/x", "principalSet", None),
        ("projectOwner:my-project", "other", None),
    ],
)
def test_parse_member(raw, kind, domain):
    member = members.parse_member(raw)
    assert (member.kind, member.domain) == (kind, domain)


def test_parse_federated_principals():
    base = "iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool"
    parse = lambda raw: members.parse_federated(members.parse_member(raw))  # noqa: E731
    assert parse(f"principalSet://{base}/*") == members.FederatedPrincipal("pool", "all", project="1")
    assert parse(f"principalSet://{base}/attribute.repository/acme/app") == members.FederatedPrincipal(
        "pool", "attribute", "repository", "acme/app", project="1"
    )
    assert parse(f"principalSet://{base}/*").pool_name == base.removeprefix("iam.googleapis.com/")
    assert parse(f"principal://{base}/subject/repo:acme/app:ref:x").selector == "subject"
    assert parse(f"principalSet://{base}/group/admins") is None  # CI providers assert no groups: refused
    workforce = "iam.googleapis.com/locations/global/workforcePools/acme-wf"
    assert parse(f"principalSet://{workforce}/group/admins").selector == "group"
    assert parse(
        "principalSet://iam.googleapis.com/locations/global/workforcePools/acme-wf/*"
    ) == members.FederatedPrincipal("acme-wf", "all", workforce=True)
    assert parse("user:a@example.com") is None


# --- grants: every IAM type of the installed provider is understood ------------------------------------------------


def _gcp_tokens() -> set[str]:
    root = Path(pulumi_gcp.__file__).parent
    pattern = re.compile(r"'(gcp:[A-Za-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+)'")
    return {m.group(1) for path in root.rglob("*.py") for m in pattern.finditer(path.read_text(encoding="utf-8"))}


GCP_TOKENS = _gcp_tokens()


def test_every_iam_resource_type_of_the_provider_is_classified():
    iam = {t for t in GCP_TOKENS if re.search(r"(?i)iam(member|binding|policy)$", t) and "/get" not in t}
    assert len(iam) > 400
    assert all(grants.iam_type(t) is not None for t in iam)
    assert grants.iam_type("gcp:projects/iamMemberRemove:IamMemberRemove") is None
    assert grants.iam_type("gcp:projects/iAMAuditConfig:IAMAuditConfig") is None
    assert grants.iam_type("gcp:serviceaccount/iAMMember:IAMMember") == grants.IamType(
        grants.SERVICE_ACCOUNT, grants.MEMBER
    )
    assert grants.iam_type("gcp:folder/iAMPolicy:IAMPolicy") == grants.IamType(grants.FOLDER, grants.POLICY)
    assert (
        grants.iam_type("gcp:iam/workloadIdentityPoolIamBinding:WorkloadIdentityPoolIamBinding").scope
        == grants.RESOURCE
    )


def test_every_type_token_the_facts_declare_exists_in_the_provider():
    """The facts name resource and invoke types by token; a typo would make a rule blind or the mocks silent."""
    declared = {
        value
        for name, value in vars(resource_types).items()
        if name.isupper() and isinstance(value, str) and value.startswith("gcp:") and "*" not in value
    }
    declared |= {*resource_types.TEAM_TYPES, *resource_types.LEGACY_ORG_POLICIES}
    assert len(declared) > 25
    assert declared - GCP_TOKENS == set()
    assert any(token.startswith(resource_types.TAG_TYPES.rstrip("*")) for token in GCP_TOKENS)
    assert {t for t in allowed_types.ALLOWED_TYPES if t.startswith("gcp:")} == {
        *resource_types.TEAM_TYPES,
        *resource_types.GATEWAY_TYPES,
    }


def test_policy_data_bindings_become_grants():
    found = grants.grants_of(
        "gcp:projects/iAMPolicy:IAMPolicy",
        {
            "project": "p",
            "policyData": '{"bindings": [{"role": "roles/a", "members": ["user:x@e.com", "group:y@e.com"]},'
            ' {"role": "roles/b", "members": ["allUsers"], "condition": {"expression": "true"}}]}',
        },
    )
    assert [(g.role, g.member, g.conditional) for g in found.grants] == [
        ("roles/a", "user:x@e.com", False),
        ("roles/a", "group:y@e.com", False),
        ("roles/b", "allUsers", True),
    ]
    assert found.grants[0].where == "project 'p'"


# --- CEL and pinning -----------------------------------------------------------------------------------------------


def test_cel_parses_the_conditions_the_program_writes():
    tree = cel.parse("assertion.repository in ['acme/a', \"acme/b\",] && attribute.ref == 'refs/heads/main'")
    assert cel.to_text(tree) == "assertion.repository in ['acme/a', 'acme/b'] && attribute.ref == 'refs/heads/main'"
    assert cel.parse("assertion['repository'] == 'a/b'") == cel.Rel(
        "==", cel.Path("assertion.repository"), cel.Str("a/b")
    )
    assert cel.parse(r"assertion.repository == 'it\'s/x'").right == cel.Str("it's/x")


@pytest.mark.parametrize("text", ["assertion.repository ==", "a == 'b' 'c'", "a == #", "(a == 'b'", "{'a': 1}"])
def test_cel_rejects_what_it_cannot_read(text):
    with pytest.raises(cel.CelSyntaxError):
        cel.parse(text)


def test_pinning_or_needs_every_branch_pinned():
    mapping = {"attribute.repository": "assertion.repository"}
    claims = GITHUB.claims
    assert pinning.assess("assertion.repository == 'a/b' || attribute.repository == 'a/c'", claims, mapping).pinned
    verdict = pinning.assess("assertion.repository == 'a/b' || assertion.actor == 'x'", claims, mapping)
    assert not verdict.pinned and "assertion.actor" in verdict.reason


def test_pinning_uses_only_the_issuers_claims():
    assert not pinning.assess("assertion.repository == 'a/b'", GITLAB.claims, {}).pinned
    assert pinning.assess("assertion.project_id == '42'", GITLAB.claims, {}).pinned


def test_readme_tables_are_generated_from_the_rule_metadata():
    readme = docs.README.read_text(encoding="utf-8")
    assert docs.with_generated_sections(readme) == readme, (
        "run `cd policies && python -m claude_vertex_policies.docs --write`"
    )
    for rule in RULES:
        assert f"### {rule.info.name}\n" in readme, f"{rule.info.name} has no README section"
        assert f"| [`{rule.info.name}`](#{rule.info.name}) |" in readme
        for tool in ("Checkov", "Trivy", "Policy Library"):
            assert rule.info.equivalents[tool] in readme


def test_a_stale_readme_is_caught():
    readme = docs.README.read_text(encoding="utf-8")
    stale = readme.replace(
        "| [`no-basic-roles`](#no-basic-roles) | resource | mandatory |", "| [`no-basic-roles`](#x) | r | a |"
    )
    assert stale != readme and docs.with_generated_sections(stale) == readme
    with pytest.raises(ValueError, match="generated:coverage"):
        docs.with_generated_sections(readme.replace("<!-- generated:coverage -->", ""))


def test_the_example_policy_config_is_generated():
    """policies/config.example.json restates no fact by hand: it is generated from the rules' defaults."""
    assert example_config.EXAMPLE.read_text(encoding="utf-8") == example_config.example_text(), (
        "run `cd policies && python -m claude_vertex_policies.example_config --write`"
    )
    config = example_config.example_config()
    assert config["allowed-services-only"]["allowedServices"] == list(services.TEAM_SERVICES)
    assert config["custom-role-allowed-permissions"]["allowedPermissions"] == list(iam.CLAUDE_CODE_PERMISSIONS)


def test_no_type_list_lets_a_dynamic_resource_through():
    """The type list allows none, and a platform that adds one to additionalTypes still gets it refused."""
    from claude_vertex_policies.rules import dynamic_resources
    from policy_records import record

    assert not [t for t in allowed_types.ALLOWED_TYPES if dynamic_resources.dynamic_kind(t)]
    dynamic = [
        record("pulumi-python:dynamic/readiness:IamReady", "gate", {"project": "p"}),
        default_provider("pulumi-python"),
    ]
    widened = {"additionalTypes": ["pulumi-python:dynamic/*", "pulumi:providers:pulumi-python"]}
    for rec in dynamic:
        assert allowed_types.RULE.evaluate(rec["type"], rec["inputs"], widened, name=rec["name"]) == []
        assert dynamic_resources.NO_DYNAMIC_RESOURCES.evaluate(rec["type"], rec["inputs"], widened) != []


def test_workload_identity_inputs_are_the_providers_own():
    """Every input the rule allows exists in pulumi-gcp 10.2.0, and the program uses no other."""
    import inspect

    import pulumi_gcp as gcp

    def wire(cls) -> set[str]:
        names = inspect.signature(cls._internal_init).parameters
        return {"".join(w.capitalize() if i else w for i, w in enumerate(n.split("_"))) for n in names}

    pool, provider = gcp.iam.WorkloadIdentityPool, gcp.iam.WorkloadIdentityPoolProvider
    assert set(workload_identity.ALLOWED_INPUTS[resource_types.WORKLOAD_IDENTITY_POOL]) <= wire(pool)
    assert set(workload_identity.ALLOWED_INPUTS[resource_types.WORKLOAD_IDENTITY_POOL_PROVIDER]) <= wire(provider)
    for record in program_stack(github=["acme/app"], gitlab=["acme/pay"]):
        if record["type"] in workload_identity.ALLOWED_INPUTS:
            assert set(record["inputs"]) <= set(workload_identity.ALLOWED_INPUTS[record["type"]])
