"""The claude-vertex pack over the analyzer protocol, started as the engine starts it.

Every fixture of `policy_cases.py` runs again here, through gRPC, with the same expectations as the
direct tests; plus what only the protocol shows: the pack's advertised metadata, enforcement-level
overrides, config changes, and whole team stacks.
"""

from __future__ import annotations

import pytest
from claude_vertex_policies.rules import RULES, StackRule
from policy_cases import CASES
from policy_checks import assert_matches, protocol_findings
from policy_records import (
    PROJECT,
    PROJECT_MEMBER_T,
    STACK,
    component,
    program_stack,
    project_member,
    record,
    with_grant,
    with_inputs,
)
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import EnforcementLevel

from tests.support.analyzer import UNKNOWN, PolicyConfigError, run_policy_pack

pytestmark = pytest.mark.slow


def run(pack, records, config=None):
    if config is not None:
        pack.configure(config)
    return [v for r in records for v in pack.analyze(r)] + pack.analyze_stack(records)


def run_for(pack, rule, records, config=None):
    """The calls the engine judges `rule` in: `Analyze` on each resource for a resource rule, `AnalyzeStack` once for
    a stack rule (the other kind's calls cannot report it; whole stacks get both below)."""
    if config is not None:
        pack.configure(config)
    if isinstance(rule, StackRule):
        return pack.analyze_stack(records)
    return [v for r in records for v in pack.analyze(r)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}:{c.id}")
def test_rule_fixture_over_protocol(pack, case):
    if case.stack != STACK:
        pack.configure_stack(case.stack)
    rule = next(r for r in RULES if r.info.name == case.rule)
    violations = run_for(pack, rule, case.records, {case.rule: case.config} if case.config else None)
    assert_matches(case, protocol_findings(violations, case.rule, case.records))
    assert {v.level for v in violations if v.policy == case.rule} <= {rule.info.enforcement.value}
    assert all(v.message.startswith(rule.info.description + "\n") for v in violations if v.policy == case.rule)


def test_pack_advertises_every_rule_with_its_metadata(pack):
    info = pack.info()
    assert info.name == "claude-vertex" and info.supportsConfig
    assert [p.name for p in info.policies] == [r.info.name for r in RULES]
    levels = {EnforcementLevel.ADVISORY: pb.ADVISORY, EnforcementLevel.MANDATORY: pb.MANDATORY}
    for policy, rule in zip(info.policies, RULES, strict=True):
        assert policy.description == rule.info.description
        assert policy.enforcementLevel == levels[rule.info.enforcement]
        assert policy.remediation_steps == rule.info.remediation
        assert policy.policy_type == (pb.POLICY_TYPE_STACK if isinstance(rule, StackRule) else pb.POLICY_TYPE_RESOURCE)
        schema = dict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        assert set(schema) == set(rule.info.config)


BAD = [
    project_member("public", "projects/claude-platform-dev/roles/claudeVertexPlatform", "allUsers"),
    record(
        PROJECT_MEMBER_T,
        "user-role",
        {"project": "claude-platform-dev", "role": "roles/aiplatform.user", "member": "user:bob@gmail.com"},
    ),
]  # fmt: skip


def test_all_advisory_turns_every_finding_advisory(pack):
    violations = run(pack, BAD, {"all": "advisory"})
    assert violations and {v.level for v in violations} == {"advisory"}


def test_per_policy_levels_override_all_and_defaults(pack):
    violations = run(
        pack, BAD, {"all": "advisory", "no-public-principals": "mandatory", "no-personal-email-members": "disabled"}
    )
    assert {
        (v.policy, v.level) for v in violations if v.policy in {"no-public-principals", "no-personal-email-members"}
    } == {("no-public-principals", "mandatory")}
    assert ("project-grants-use-custom-roles", "advisory") in {(v.policy, v.level) for v in violations}


def test_config_change_changes_the_verdict(pack):
    before = run(pack, BAD[1:])
    after = run(pack, BAD[1:], {"project-grants-use-custom-roles": {"allowedRoles": ["roles/aiplatform.*"]}})
    assert "project-grants-use-custom-roles" in {v.policy for v in before}
    assert "project-grants-use-custom-roles" not in {v.policy for v in after}


def test_bad_policy_config_is_rejected_before_anything_runs(pack):
    with pytest.raises(
        PolicyConfigError, match="project-grants-use-custom-roles: allowedRoles: 'roles/x' is not of type 'array'"
    ):
        pack.configure({"project-grants-use-custom-roles": {"allowedRoles": "roles/x"}})
    with pytest.raises(PolicyConfigError, match="unknown policy 'no-basic-role'"):
        pack.configure({"no-basic-role": "advisory"})


@pytest.mark.parametrize("preview", [False, True], ids=["known", "preview-unknowns"])
@pytest.mark.parametrize(
    "ci",
    [{}, {"github": ["acme/payments-app"]}, {"gitlab": ["acme/payments"], "github": ["acme/a", "acme/b"]}],
    ids=["no-ci", "github", "github-and-gitlab"],
)
def test_team_stack_has_no_mandatory_violations(pack, preview, ci):
    violations = run(pack, program_stack(preview=preview, **ci))
    assert [v for v in violations if v.level == "mandatory"] == []
    assert not any("can't run policy" in v.message for v in violations)


def test_bad_team_config_is_caught(pack):
    records = with_grant(program_stack(preview=True), "allUsers", like="platform-grant-group:platform-devs@example.com")
    records = with_inputs(records, "platform-role", permissions=["aiplatform.*"])
    mandatory = {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in run(pack, records) if v.level == "mandatory"}
    assert ("no-public-principals", "platform-grant-allUsers") in mandatory
    assert ("custom-role-allowed-permissions", "platform-role") in mandatory
    assert ("custom-role-bindings-in-stack", "platform-grant-allUsers") in mandatory


def test_values_unknown_at_preview_never_crash_a_rule(pack):
    types = {r["type"] for r in program_stack(github=["acme/app"])} | {
        "gcp:projects/iAMPolicy:IAMPolicy",
        "gcp:projects/iAMBinding:IAMBinding",
        "gcp:organizations/iAMMember:IAMMember",
        "gcp:serviceaccount/key:Key",
        "gcp:organizations/iAMCustomRole:IAMCustomRole",
    }
    inputs = dict.fromkeys(
        ["project", "role", "member", "members", "policyData", "permissions", "stage", "attributeCondition", "oidc",
         "attributeMapping", "autoCreateNetwork", "deletionPolicy", "service", "disableOnDestroy", "serviceAccountId"],
        UNKNOWN,
    )  # fmt: skip
    records = [record(t, f"r{i}", inputs) for i, t in enumerate(sorted(types))]
    violations = run(pack, records)
    assert not any("can't run policy" in v.message for v in violations)
    assert {v.policy for v in violations if v.level == "mandatory"} <= {
        "no-authoritative-iam",
        "no-org-or-folder-grants",
        "no-service-account-keys",
        "grant-members-verified",
        "allowed-resource-types",  # deny by default: org IAM, keys and IAMPolicy are not the program's types
        "iam-grants-match-design",  # a role unknown at preview on a service account cannot be verified
        "service-account-grants-on-own-accounts",  # an unknown account from nowhere in the stack
        "org-policies-restrict-only",  # an org policy whose spec cannot be read is not trusted
        "workload-identity-inputs-known",  # role, member, ... are not inputs of a pool or provider
        "guardrails-on-own-project",  # an audit config on an unknown project, in a stack with no own project
        "no-default-network",  # a created project with no skipDefaultNetworkCreation policy beside it
        "gcp-provider-settings-allowed",  # a provider setting that cannot be read is not trusted
    }


def test_run_policy_pack_is_sorted_deduplicated_and_deterministic():
    records = [component("VertexAccess", "x"), *BAD, *BAD]
    first = run_policy_pack(records, project=PROJECT, stack=STACK)
    assert first == sorted(set(first)) and len(first) == len(set(first))
    assert first == run_policy_pack(list(reversed(records)), project=PROJECT, stack=STACK)
    assert {v.policy for v in first} >= {"no-public-principals", "project-grants-use-custom-roles"}


def test_the_team_is_the_stack_name_the_engine_sends_not_the_environment_nor_the_labels(pack):
    """The pack was started with PULUMI_STACK=dev; the program's labels and component say `payments`; only the
    stack name of `ConfigureStack` says `mallory`, and that is the one the rule keys on."""
    records = program_stack(team="payments", project_id="claude-payments-prod")
    allowed = {"team-projects-allowed": {"teamProjects": {STACK: ["claude-*"], "payments": ["claude-payments-*"]}}}
    assert [v for v in run(pack, records, allowed) if v.policy == "team-projects-allowed"] == []
    pack.configure_stack("mallory")
    found = [v for v in run(pack, records, allowed) if v.policy == "team-projects-allowed"]
    assert found and all("stack 'mallory' has no entry in teamProjects" in v.message for v in found)
    assert {v.level for v in found} == {"mandatory"}
    pack.configure_stack("payments")
    assert [v for v in run(pack, records, allowed) if v.policy == "team-projects-allowed"] == []
