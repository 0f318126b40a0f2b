"""The pack against the real program: every stack file, CI variants, and stack configs it must catch.

The program is rendered unchanged under the project's GCP mocks (`tests.support.render`), so these tests fail
if the program starts emitting something the pack objects to, or if the pack stops catching a bad
configuration that the program's own config validation lets through.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from claude_vertex_gcp.names import CUSTOM_ROLE_NAME

from tests.fixture_stacks import DEV, PAYMENTS, every_stack_file, stack_of
from tests.support.analyzer import (
    DEFAULT_PACK_DIR,
    UNKNOWN,
    Judgement,
    PolicyConfigError,
    PolicyPackServer,
    launch_pack_process,
    load_policy_config,
    run_policy_pack,
)
from tests.support.render import render_stack
from tools.preview import ROOT, load_rendering

pytestmark = pytest.mark.slow

CONFIG: dict[str, Any] = {
    "claude-vertex:team": "payments",
    "claude-vertex:project": {
        "id": "claude-payments-dev",
        "billingAccount": "012345-6789AB-CDEF01",
        "folderId": "123456789012",
    },
    "claude-vertex:access": {
        "members": ["group:payments-devs@example.com"],
        "serviceAccounts": [{"id": "claude-agent", "impersonators": ["group:payments-devs@example.com"]}],
    },
}


STACK_FILES = [pytest.param(stack_of(p), p, id=str(p.relative_to(ROOT))) for p in every_stack_file()]
"""The repository's stack files (whichever there are) and the suite's own: never empty."""


@functools.cache
def stack_rendering(stack: str, stack_file: Path, engine_preview: bool) -> Any:
    """Each stack file rendered once per mode for the whole module (tests only read the records)."""
    return load_rendering(stack, stack_file, engine_preview=engine_preview)


def judged(pack, records):
    pack.configure(None)
    return [v for r in records for v in pack.analyze(r)] + pack.analyze_stack(records)


def with_sections(**sections: Any) -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config.update({f"claude-vertex:{k}": v for k, v in sections.items()})
    return config


@pytest.mark.parametrize("engine_preview", [False, True], ids=["after-up", "during-preview"])
@pytest.mark.parametrize(("stack", "stack_file"), STACK_FILES)
def test_every_stack_file_has_no_mandatory_violations(pack, stack, stack_file, engine_preview):
    rendering = stack_rendering(stack, stack_file, engine_preview)
    pack.configure_stack(stack)
    violations = judged(pack, rendering.analyzed)
    assert [v for v in violations if v.level == "mandatory"] == [], stack
    assert not any("can't run policy" in v.message for v in violations)


@pytest.mark.parametrize(("stack", "stack_file"), STACK_FILES)
def test_during_preview_computed_outputs_reach_the_pack_unknown_with_their_sources(stack, stack_file):
    """What `pulumi preview` sends: a grant's role is unknown and depends on the role resource, and so on. A gateway
    stack binds the teams' roles, defined in the teams' stacks: by name, known in the preview, to its own account."""
    rendering = stack_rendering(stack, stack_file, True)
    by_urn = {r["urn"]: r for r in rendering.resources}
    grants = [r for r in rendering.resources if r["type"] == "gcp:projects/iAMMember:IAMMember"]
    gateway = any(r["type"] == "gcp:cloudrunv2/service:Service" for r in rendering.resources)
    assert grants
    for grant in grants:
        if gateway:
            assert CUSTOM_ROLE_NAME.match(grant["inputs"]["role"]) and "role" not in grant["propertyDependencies"]
            assert grant["inputs"]["member"] == UNKNOWN
        else:
            assert grant["inputs"]["role"] == UNKNOWN
            (role,) = grant["propertyDependencies"]["role"]
            assert by_urn[role]["type"] == "gcp:projects/iAMCustomRole:IAMCustomRole"
        if grant["inputs"]["member"] == UNKNOWN:
            (source,) = grant["propertyDependencies"]["member"]
            assert by_urn[source]["type"] == "gcp:serviceaccount/account:Account"
    for sa_grant in (r for r in rendering.resources if r["type"] == "gcp:serviceaccount/iAMMember:IAMMember"):
        assert sa_grant["inputs"]["serviceAccountId"] == UNKNOWN
    known = stack_rendering(stack, stack_file, False)
    assert [r["urn"] for r in known.resources] == [r["urn"] for r in rendering.resources]
    assert UNKNOWN not in json.dumps([r["inputs"] for r in known.resources])
    if not gateway:
        assert rendering.outputs["roleName"] == "<unknown until apply>"
        assert known.outputs["roleName"].startswith("projects/")


@pytest.mark.parametrize(
    "ci",
    [
        {"github": {"repositories": ["acme/payments-app", "acme/payments-infra"]}},
        {"gitlab": {"projects": ["acme/payments/app"]}},
        {"github": {"repositories": ["acme/app"]}, "gitlab": {"projects": ["acme/app"]}},
        {"github": {"repositories": ["a" * 39 + "/" + "r" * 100, "a-b-c/.github"]}, "gitlab": {"projects": ["_a/b.c"]}},
    ],
    ids=["github", "gitlab", "both", "longest-and-oddest-values-the-config-takes"],
)
def test_keyless_ci_identity_passes(pack, ci):
    """Whatever repository or project the config accepts, the pack counts as pinned: both read one grammar."""
    rendering = render_stack("payments", with_sections(ci=ci))
    assert any(r["type"].endswith("WorkloadIdentityPoolProvider") for r in rendering.resources)
    assert [v for v in judged(pack, rendering.analyzed) if v.level == "mandatory"] == []


def test_deletion_protection_off_is_an_advisory_finding(pack):
    project = {**CONFIG["claude-vertex:project"], "deletionProtection": False}
    violations = judged(pack, render_stack("payments", with_sections(project=project)).analyzed)
    assert {(v.policy, v.level) for v in violations} == {("project-hardening", "advisory")}
    assert "deletionPolicy is DELETE" in violations[0].message


def test_bad_stack_config_that_the_program_accepts_is_caught(pack):
    members = ["group:payments-devs@example.com", "user:contractor@gmail.com"]
    accounts = [{"id": "claude-agent", "impersonators": ["domain:example.com"]}]
    rendering = render_stack("payments", with_sections(access={"members": members, "serviceAccounts": accounts}))
    found = {(v.policy, v.level, v.urn.rsplit("::", 1)[-1]) for v in judged(pack, rendering.analyzed)}
    assert {
        ("no-personal-email-members", "advisory", "payments-grant-user:contractor@gmail.com"),
        ("no-domain-wide-impersonation", "advisory", "payments-sa-claude-agent-impersonator-domain:example.com"),
    } <= found


def test_self_managed_gitlab_needs_its_issuer_allowlisted(pack):
    ci = {"gitlab": {"projects": ["acme/app"], "issuerUri": "https://gitlab.acme.example"}}
    records = render_stack("payments", with_sections(ci=ci)).analyzed
    assert {v.policy for v in judged(pack, records) if v.level == "mandatory"} == {"workload-identity-provider-pinned"}
    pack.configure(
        {"workload-identity-provider-pinned": {"gitlabIssuers": ["https://gitlab.com", "https://gitlab.acme.example"]}}
    )
    violations = [v for r in records for v in pack.analyze(r)] + pack.analyze_stack(records)
    assert [v for v in violations if v.level == "mandatory"] == []


EXAMPLE_CONFIG = ROOT / "policies" / "config.example.json"
EXAMPLE_STACKS = [
    pytest.param(stack_of(p), p, id=str(p.relative_to(ROOT)))
    for p in [*sorted(ROOT.glob("Pulumi.*.yaml")), DEV]
    if stack_of(p) in json.loads(EXAMPLE_CONFIG.read_text())["team-projects-allowed"]["teamProjects"]
]
"""The stacks the example config is written for (this repository's examples while they exist, and the suite's
`dev`): it assigns them their projects by stack name, as the engine names them."""


def findings(pack, records, stack: str, config: dict[str, Any] | None) -> set[tuple[str, str, str]]:
    pack.configure_stack(stack)
    pack.configure(config)
    violations = [v for r in records for v in pack.analyze(r)] + pack.analyze_stack(records)
    return {(v.policy, v.urn, v.message) for v in violations}


@pytest.mark.parametrize("engine_preview", [False, True], ids=["after-up", "during-preview"])
@pytest.mark.parametrize(("stack", "stack_file"), EXAMPLE_STACKS)
def test_the_example_policy_config_adds_no_finding_to_the_stacks_it_is_written_for(
    pack, stack, stack_file, engine_preview
):
    """Every list of the example that restates a fact is the fact (`claude_vertex_gcp`), so the example allows what
    the program makes: it finds nothing the pack's defaults do not (before, 3 advisories: APIs the program enables).
    """
    config = load_policy_config(EXAMPLE_CONFIG)
    records = stack_rendering(stack, stack_file, engine_preview).analyzed
    with_example = findings(pack, records, stack, config)
    assert with_example <= findings(pack, records, stack, None)
    assert {p.name for p in pack.info().policies} >= set(config) - {"all"}


@pytest.mark.parametrize("engine_preview", [False, True], ids=["after-up", "during-preview"])
def test_the_example_policy_config_allows_every_feature_of_the_program(pack, engine_preview):
    """The suite's every-feature stack (CI on both platforms, models, budget, caps, usage, telemetry) under the
    example's rule settings; only the example's tenancy (which stack may use which project) is left out, since it
    names the example stacks."""
    config = load_policy_config(EXAMPLE_CONFIG)
    del config["team-projects-allowed"]
    records = stack_rendering("payments", PAYMENTS, engine_preview).analyzed
    assert findings(pack, records, "payments", config) <= findings(pack, records, "payments", None)
    assert {r["type"] for r in records} >= {
        "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
        "gcp:cloudquota/sQuotaPreference:SQuotaPreference",
        "gcp:monitoring/notificationChannel:NotificationChannel",
        "gcp:vertex/aiModelGardenEnableModel:AiModelGardenEnableModel",
    }


BAD_ACCESS = {
    "members": ["group:payments-devs@example.com", "user:contractor@gmail.com"],
    "serviceAccounts": [{"id": "claude-agent", "impersonators": ["domain:example.com"]}],
}


@pytest.mark.parametrize("pack_up_first", [False, True], ids=["held-until-the-pack-is-up", "sent-as-registered"])
def test_judging_while_the_program_registers_gives_the_engines_verdicts(pack_up_first):
    """The preview's overlapped pass (pack started before the SDK import, `Analyze` sent per registration)."""
    config = with_sections(access=BAD_ACCESS)
    process = launch_pack_process(DEFAULT_PACK_DIR, project="claude-vertex", stack="payments")
    judgement = Judgement(
        PolicyPackServer(DEFAULT_PACK_DIR, project="claude-vertex", stack="payments", process=process), None
    )
    try:
        if pack_up_first:
            process.port()
        rendering = render_stack("payments", config, on_register=judgement.add)
        streamed = judgement.verdicts(rendering.analyzed)
    finally:
        judgement.server.close()
    assert streamed == run_policy_pack(rendering.analyzed, project="claude-vertex", stack="payments")
    assert {v.policy for v in streamed} >= {"no-personal-email-members", "no-domain-wide-impersonation"}


def test_a_bad_policy_config_surfaces_from_the_overlapped_pass():
    process = launch_pack_process(DEFAULT_PACK_DIR, project="claude-vertex", stack="payments")
    server = PolicyPackServer(DEFAULT_PACK_DIR, project="claude-vertex", stack="payments", process=process)
    judgement = Judgement(server, {"project-grants-use-custom-roles": {"allowedRoles": "roles/x"}})
    try:
        process.port()
        rendering = render_stack("payments", CONFIG, on_register=judgement.add)
        with pytest.raises(PolicyConfigError, match="allowedRoles: 'roles/x' is not of type 'array'"):
            judgement.verdicts(rendering.resources)
    finally:
        server.close()
    assert not process.running
