"""The program under Pulumi mocks: which resources, with which inputs, edges and outputs."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from claude_vertex.catalog import ALIASES, catalog
from claude_vertex.ci_platforms.github import github_actions_workflow
from claude_vertex.ci_platforms.gitlab import gitlab_ci_job
from claude_vertex.config import ConfigError, find_config_error
from claude_vertex_gcp.resource_types import GET_TESTABLE_PERMISSIONS

from tests.conftest import Rendered, config_with
from tests.support.gcp_mocks import RecordingMonitor, project_number
from tests.support.render import render_stack

PROJECT = "gcp:organizations/project:Project"
SERVICE = "gcp:projects/service:Service"
ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole"
ACCOUNT = "gcp:serviceaccount/account:Account"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
POOL = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool"
PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
ENABLE_MODEL = "gcp:vertex/aiModelGardenEnableModel:AiModelGardenEnableModel"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
FORBIDDEN_TYPES = ("iAMBinding", "iAMPolicy", "serviceaccount/key:Key")

Render = Callable[..., Rendered]


@pytest.fixture
def created(render_config: Render) -> Rendered:
    return render_config(config_with())


def test_created_project_inputs(created: Rendered) -> None:
    (project,) = created.of_type(PROJECT)
    assert project["name"] == "payments-project"
    assert project["inputs"] == {
        "autoCreateNetwork": True,
        "billingAccount": "012345-6789AB-CDEF01",
        "deletionPolicy": "PREVENT",
        "folderId": "123456789012",
        "labels": {"cost-center": "cc-1234", "managed-by": "pulumi", "team": "payments"},
        "name": "Claude Code payments",
        "projectId": "claude-payments-dev",
    }
    # Deletion protection keeps the project through `pulumi destroy` instead of blocking the destroy.
    assert project["retainOnDelete"] is True
    assert project["protect"] is False


def test_deletion_protection_off_lets_destroy_delete_the_project(render_config: Render) -> None:
    project_cfg = {
        "id": "claude-scratch",
        "billingAccount": "012345-6789AB-CDEF01",
        "folderId": "123456789012",
        "deletionProtection": False,
    }
    (project,) = render_config(config_with(project=project_cfg)).of_type(PROJECT)
    assert project["inputs"]["deletionPolicy"] == "DELETE"
    assert project["retainOnDelete"] is False
    assert project["inputs"]["folderId"] == "123456789012" and "orgId" not in project["inputs"]


def test_services_are_exactly_vertex_and_iam_and_never_disabled(created: Rendered) -> None:
    """The project's own APIs; the guardrails enable theirs (logging, monitoring) in their own component."""
    services = {s["inputs"]["service"]: s for s in created.of_type(SERVICE) if "TeamProject" in s["parent"]}
    assert sorted(services) == ["aiplatform.googleapis.com", "iam.googleapis.com"]
    for service in services.values():
        assert service["inputs"]["disableOnDestroy"] is False
        assert service["inputs"]["project"] == "claude-payments-dev"
        assert service["dependencies"] == [created.urn_of("payments-project")]


def test_custom_role_is_minimal_and_waits_only_for_the_apis(created: Rendered) -> None:
    (role,) = created.of_type(ROLE)
    assert role["inputs"]["roleId"] == "claudeVertexPayments"
    assert role["inputs"]["permissions"] == ["aiplatform.endpoints.predict", "aiplatform.endpoints.computeTokens"]
    assert role["inputs"]["stage"] == "GA"
    assert "payments" in role["inputs"]["title"] and "Vertex AI" in role["inputs"]["description"]
    assert role["deleteBeforeReplace"] is True
    # Its project comes from the IAM API's Service, once IAM serves the project (the readiness gate).
    assert role["dependencies"] == sorted(
        [created.urn_of("payments-aiplatform-api"), created.urn_of("payments-iam-api")]
    )
    assert role["propertyDependencies"]["project"] == [created.urn_of("payments-iam-api")]


def test_permission_support_is_checked_where_the_project_will_live(created: Rendered) -> None:
    (call,) = [c for c in created.mocks.calls if c.token == GET_TESTABLE_PERMISSIONS]
    assert call.args["fullResourceName"] == "//cloudresourcemanager.googleapis.com/folders/123456789012"
    assert call.args["customSupportLevel"] == "SUPPORTED"


BOTH_PERMISSION_CHECKS = textwrap.dedent(
    """
    import pulumi
    import pulumi_gcp as gcp
    from claude_vertex.resources.access import testable_permissions

    FOLDER = "//cloudresourcemanager.googleapis.com/folders/123456789012"
    parent = pulumi.ComponentResource("test:index:Parent", "parent")
    sdk = gcp.iam.get_testable_permissions_output(
        full_resource_name=FOLDER,
        custom_support_level="SUPPORTED",
        stages=["GA", "BETA"],
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    pulumi.export("sdk", sdk.apply(lambda result: [permission.name for permission in result.permissions]))
    pulumi.export("program", testable_permissions(FOLDER, parent=parent))
    """
)
CALL_SITE = ("sourcePosition", "stackTrace", "parentStackTraceHandle")


def test_the_permission_check_sends_what_the_sdk_function_sends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The program invokes the provider's function by its token, not through `gcp.iam` (whose import loads every IAM
    resource of the SDK): the request, options and default provider included, and the answer are the SDK's."""
    requests: list[Any] = []
    invoke = RecordingMonitor.Invoke

    def recording(self: RecordingMonitor, request: Any) -> Any:
        requests.append(request)
        return invoke(self, request)

    monkeypatch.setattr(RecordingMonitor, "Invoke", recording)
    (tmp_path / "__main__.py").write_text(BOTH_PERMISSION_CHECKS)

    rendering = render_stack("dev", {}, root=tmp_path, project="parity")

    for request in requests:
        for field in CALL_SITE:
            request.ClearField(field)
    first, second = requests
    assert first == second
    assert first.tok == GET_TESTABLE_PERMISSIONS and first.version
    assert rendering.outputs["program"] == rendering.outputs["sdk"] != []


def test_unsupported_compute_tokens_is_dropped_with_a_warning(render_config: Render) -> None:
    rendered = render_config(config_with(), unsupported=("aiplatform.endpoints.computeTokens",))
    (role,) = rendered.of_type(ROLE)
    assert role["inputs"]["permissions"] == ["aiplatform.endpoints.predict"]
    assert any("aiplatform.endpoints.computeTokens is not supported" in w for w in rendered.warnings)


def test_unsupported_predict_fails_the_run(render_config: Render) -> None:
    with pytest.raises(Exception) as caught:
        render_config(config_with(), unsupported=("aiplatform.endpoints.predict",))
    config_error = find_config_error(caught.value)
    assert config_error is not None
    assert "does not support it in custom roles" in str(config_error)


def test_verification_can_be_turned_off(render_config: Render) -> None:
    access = {"members": ["user:ada@example.com"], "verifyPermissions": False}
    rendered = render_config(config_with(access=access), unsupported=("aiplatform.endpoints.computeTokens",))
    assert rendered.mocks.calls == []
    assert len(rendered.of_type(ROLE)[0]["inputs"]["permissions"]) == 2


def test_members_get_the_custom_role_by_full_name(created: Rendered) -> None:
    grants = {g["inputs"]["member"]: g for g in created.of_type(PROJECT_MEMBER)}
    role_name = "projects/claude-payments-dev/roles/claudeVertexPayments"
    assert set(grants) == {
        "group:payments-devs@example.com",
        "serviceAccount:claude-ci@claude-payments-dev.iam.gserviceaccount.com",
    }
    for grant in grants.values():
        assert grant["inputs"]["role"] == role_name
        assert grant["inputs"]["project"] == "claude-payments-dev"
        assert grant["propertyDependencies"]["role"] == [created.urn_of("payments-role")]
    sa_grant = grants["serviceAccount:claude-ci@claude-payments-dev.iam.gserviceaccount.com"]
    assert sa_grant["propertyDependencies"]["member"] == [created.urn_of("payments-sa-claude-ci")]


def test_service_accounts_and_impersonation_on_that_account_only(created: Rendered) -> None:
    (sa,) = created.of_type(ACCOUNT)
    assert sa["inputs"]["accountId"] == "claude-ci"
    assert sa["inputs"]["displayName"] == "Claude Code CI"
    assert sa["deleteBeforeReplace"] is True
    assert sa["propertyDependencies"]["project"] == [created.urn_of("payments-iam-api")]
    (token_creator,) = created.of_type(SA_MEMBER)
    assert token_creator["inputs"] == {
        "member": "group:payments-devs@example.com",
        "role": "roles/iam.serviceAccountTokenCreator",
        "serviceAccountId": (
            "projects/claude-payments-dev/serviceAccounts/claude-ci@claude-payments-dev.iam.gserviceaccount.com"
        ),
    }
    assert token_creator["dependencies"] == [created.urn_of("payments-sa-claude-ci")]
    project_roles = {g["inputs"]["role"] for g in created.of_type(PROJECT_MEMBER)}
    assert "roles/iam.serviceAccountTokenCreator" not in project_roles


def test_only_non_authoritative_iam_and_no_keys(created: Rendered) -> None:
    types = {r["type"] for r in created.resources}
    assert not [t for t in types if any(f in t for f in FORBIDDEN_TYPES)]


def test_children_are_parented_to_components(created: Rendered) -> None:
    components = {r["urn"]: r for r in created.resources if r["type"].startswith("claude-vertex:index:")}
    assert sorted(r["type"] for r in components.values()) == [
        "claude-vertex:index:ClaudeVertexTeam",
        "claude-vertex:index:Guardrails",
        "claude-vertex:index:ModelAccess",
        "claude-vertex:index:TeamProject",
        "claude-vertex:index:VertexAccess",
    ]
    team = next(urn for urn, r in components.items() if r["type"] == "claude-vertex:index:ClaudeVertexTeam")
    for record in created.resources:
        if record["type"].startswith("gcp:"):
            assert record["parent"] in components, record["name"]
            assert record["parent"] != team, f"{record['name']}: each cloud resource belongs to a concern's component"
        elif record["type"].startswith("claude-vertex:index:") and record["urn"] != team:
            assert record["parent"] == team, record["name"]


def test_critical_path_is_four_api_calls(created: Rendered) -> None:
    waves = {r["name"]: r["wave"] for r in created.resources if r["type"].startswith("gcp:")}
    assert waves["payments-project"] == 0
    assert waves["payments-iam-api"] == 1
    assert waves["payments-role"] == 2  # once IAM serves the project, a wait that registers nothing
    assert max(waves.values()) == 3


def test_outputs(created: Rendered) -> None:
    out = created.outputs
    email = "claude-ci@claude-payments-dev.iam.gserviceaccount.com"
    assert out["projectId"] == "claude-payments-dev"
    assert out["projectNumber"] == project_number("claude-payments-dev")
    assert len(out["projectNumber"]) == 12
    assert out["roleName"] == "projects/claude-payments-dev/roles/claudeVertexPayments"
    assert out["serviceAccountEmails"] == {"claude-ci": email}
    recommended = {alias: catalog().recommended(alias).id for alias in ALIASES}
    assert out["env"] == {
        "CLAUDE_CODE_USE_VERTEX": "1",
        "CLOUD_ML_REGION": "global",
        "ANTHROPIC_VERTEX_PROJECT_ID": "claude-payments-dev",
        "ANTHROPIC_MODEL": recommended["sonnet"],
        "ANTHROPIC_DEFAULT_OPUS_MODEL": recommended["opus"],
        "ANTHROPIC_DEFAULT_SONNET_MODEL": recommended["sonnet"],
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": recommended["haiku"],
        "ANTHROPIC_SMALL_FAST_MODEL": recommended["haiku"],
        "ANTHROPIC_DEFAULT_FABLE_MODEL": recommended["fable"],
    }
    assert out["models"]["haiku"] == {
        "model": recommended["haiku"],
        "region": "global",
        "context1m": False,
        "pinnedBy": "catalog default",
    }
    assert out["claudeSettings"] == {"env": out["env"]}
    assert "ANTHROPIC_VERTEX_PROJECT_ID=claude-payments-dev\n" in out["dotenv"]
    assert "export ANTHROPIC_VERTEX_PROJECT_ID=claude-payments-dev\n" in out["shellExports"]
    assert out["gcloudAuth"]["impersonate"]["claude-ci"].endswith(f"--impersonate-service-account={email}")
    assert out["gcloudAuth"]["doctor"] == "claude-vertex-doctor --env-file .env"
    assert any("#subdirectory=doctor" in note for note in out["notes"])


def test_adopting_registers_no_project_and_targets_the_given_id(render_config: Render) -> None:
    rendered = render_config(config_with(project={"id": "shared-ml-prod", "create": False}))
    assert rendered.of_type(PROJECT) == []
    for record in rendered.of_type(SERVICE) + rendered.of_type(ROLE) + rendered.of_type(ACCOUNT):
        assert record["inputs"]["project"] == "shared-ml-prod"
    (role,) = rendered.of_type(ROLE)
    assert role["dependencies"] == sorted(
        [rendered.urn_of("payments-aiplatform-api"), rendered.urn_of("payments-iam-api")]
    )
    assert "projectNumber" not in rendered.outputs
    (call,) = rendered.mocks.calls
    assert call.args["fullResourceName"] == "//cloudresourcemanager.googleapis.com/projects/shared-ml-prod"


def test_verify_permissions_off_skips_the_permission_check(render_config: Render) -> None:
    access = {"verifyPermissions": False, "members": ["group:payments-devs@example.com"]}
    rendered = render_config(config_with(access=access))
    assert rendered.mocks.calls == []
    (role,) = rendered.of_type(ROLE)
    assert role["inputs"]["permissions"] == ["aiplatform.endpoints.predict", "aiplatform.endpoints.computeTokens"]


def test_vertex_settings_reach_the_environment(render_config: Render) -> None:
    vertex = {
        "region": "us-east5",
        "models": {"sonnet": "claude-sonnet-4-6"},
        "regionOverrides": {"haiku": "global"},
        "primaryModel": "sonnet[1m]",
        "smallFastModel": "claude-haiku-4-5@20251001",
        "disablePromptCaching": True,
    }
    env = render_config(config_with(vertex=vertex)).outputs["env"]
    assert env["CLOUD_ML_REGION"] == "us-east5"
    assert env["VERTEX_REGION_CLAUDE_HAIKU_4_5"] == "global"
    assert env["ANTHROPIC_MODEL"] == "claude-sonnet-4-6[1m]"
    assert env["ANTHROPIC_DEFAULT_SONNET_MODEL"] == "claude-sonnet-4-6"
    assert env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == env["ANTHROPIC_SMALL_FAST_MODEL"] == "claude-haiku-4-5@20251001"
    assert env["DISABLE_PROMPT_CACHING"] == "1"


def test_enable_models_registers_one_enablement_per_pinned_model(render_config: Render) -> None:
    vertex = {"models": {"opus": "claude-opus-4-6", "sonnet": "claude-sonnet-5-5"}, "enableModels": True}
    rendered = render_config(config_with(vertex=vertex))
    enabled = rendered.of_type(ENABLE_MODEL)
    models = sorted(r["inputs"]["publisherModelName"] for r in enabled)
    haiku = catalog().recommended("haiku").id.split("@")[0]
    fable = catalog().recommended("fable").id
    pinned = ("claude-opus-4-6", "claude-sonnet-5-5", haiku, fable)
    assert models == sorted(f"publishers/anthropic/models/{m}" for m in pinned)
    vertex_api = rendered.urn_of("payments-aiplatform-api")
    for record in enabled:
        assert record["inputs"]["project"] == "claude-payments-dev"
        assert vertex_api in record["dependencies"]
    assert [p for p in rendered.of_type(ORG_POLICY) if p["name"].endswith("-allowed-models")] == []


def test_restrict_models_allows_exactly_the_pinned_models(render_config: Render) -> None:
    vertex = {"models": {"opus": "claude-sonnet-5-5"}, "restrictModels": True}
    rendered = render_config(config_with(vertex=vertex))
    (policy,) = [p for p in rendered.of_type(ORG_POLICY) if p["name"].endswith("-allowed-models")]
    assert policy["inputs"]["parent"] == "projects/claude-payments-dev"
    assert policy["inputs"]["name"] == "projects/claude-payments-dev/policies/vertexai.allowedModels"
    haiku = catalog().recommended("haiku").id.split("@")[0]
    fable = catalog().recommended("fable").id
    allowed = sorted(f"publishers/anthropic/models/{m}:predict" for m in (haiku, "claude-sonnet-5-5", fable))
    assert policy["inputs"]["spec"] == {"rules": [{"values": {"allowedValues": allowed}}]}
    assert rendered.of_type(ENABLE_MODEL) == []


def test_bad_config_registers_nothing(render_config: Render) -> None:
    bad = config_with(project={"id": "Bad_Project", "billingAccount": "012345-6789AB-CDEF01"})
    with pytest.raises(ConfigError, match=r"claude-vertex:project\.id"):
        render_config(bad)


def test_same_config_same_registrations(render_config: Render) -> None:
    first = render_config(config_with())
    second = render_config(config_with())
    assert json.dumps(first.resources, sort_keys=True) == json.dumps(second.resources, sort_keys=True)
    assert first.outputs == second.outputs


def ci_config(**ci: Any) -> dict[str, Any]:
    return config_with(ci=ci or {"github": {"repositories": ["acme/payments-app"]}})


def test_ci_identity_pins_github_repositories(render_config: Render) -> None:
    rendered = render_config(ci_config())
    services = sorted(s["inputs"]["service"] for s in rendered.of_type(SERVICE) if "TeamProject" in s["parent"])
    assert services == [
        "aiplatform.googleapis.com",
        "iam.googleapis.com",
        "iamcredentials.googleapis.com",
        "sts.googleapis.com",
    ]
    (pool,) = rendered.of_type(POOL)
    assert pool["inputs"]["workloadIdentityPoolId"] == "claude-payments"
    assert pool["propertyDependencies"]["project"] == [rendered.urn_of("payments-iam-api")]
    (provider,) = rendered.of_type(PROVIDER)
    assert provider["inputs"]["attributeCondition"] == "assertion.repository in ['acme/payments-app']"
    assert provider["inputs"]["oidc"] == {"issuerUri": "https://token.actions.githubusercontent.com"}
    assert provider["inputs"]["attributeMapping"]["attribute.repository"] == "assertion.repository"

    ci_sa = rendered.named("payments-ci-sa")
    assert ci_sa["inputs"]["accountId"] == "claude-ci-payments"
    ci_grant = rendered.named("payments-grant-ci-sa")
    assert ci_grant["inputs"]["role"] == "projects/claude-payments-dev/roles/claudeVertexPayments"

    wif = rendered.named("payments-ci-github-acme/payments-app")
    number = project_number("claude-payments-dev")
    assert wif["inputs"]["role"] == "roles/iam.workloadIdentityUser"
    assert wif["inputs"]["member"] == (
        f"principalSet://iam.googleapis.com/projects/{number}/locations/global/workloadIdentityPools/"
        "claude-payments/attribute.repository/acme/payments-app"
    )
    assert not wif["inputs"]["member"].endswith("/*")
    assert wif["inputs"]["serviceAccountId"].endswith("/claude-ci-payments@claude-payments-dev.iam.gserviceaccount.com")

    out = rendered.outputs
    assert out["ciGithubWorkflow"] == github_actions_workflow(
        provider_name=out["ciProviderNames"]["github"],
        service_account_email=out["ciServiceAccountEmail"],
        env=out["env"],
    )
    assert "use_vertex" in out["ciGithubWorkflow"]
    assert "ciGitlabJob" not in out
    assert out["ciServiceAccountEmail"] == "claude-ci-payments@claude-payments-dev.iam.gserviceaccount.com"
    assert out["ciProviderNames"] == {
        "github": f"projects/{number}/locations/global/workloadIdentityPools/claude-payments/providers/github"
    }


def test_ci_identity_for_self_managed_gitlab(render_config: Render) -> None:
    gitlab = {"projects": ["acme/payments", "acme/tools/bot"], "issuerUri": "https://gitlab.acme.example/"}
    rendered = render_config(ci_config(gitlab=gitlab))
    (provider,) = rendered.of_type(PROVIDER)
    assert provider["inputs"]["workloadIdentityPoolProviderId"] == "gitlab"
    assert provider["inputs"]["oidc"] == {"issuerUri": "https://gitlab.acme.example"}
    assert provider["inputs"]["attributeCondition"] == "assertion.project_path in ['acme/payments', 'acme/tools/bot']"
    members = sorted(
        m["inputs"]["member"] for m in rendered.of_type(SA_MEMBER) if "workloadIdentity" in m["inputs"]["role"]
    )
    assert [m.split("/attribute.")[1] for m in members] == ["project_path/acme/payments", "project_path/acme/tools/bot"]
    out = rendered.outputs
    assert out["ciGitlabJob"] == gitlab_ci_job(
        provider_name=out["ciProviderNames"]["gitlab"],
        service_account_email=out["ciServiceAccountEmail"],
        env=out["env"],
    )
    assert "ciGithubWorkflow" not in out


def test_no_ci_section_no_ci_resources(created: Rendered) -> None:
    assert created.of_type(POOL) == [] and created.of_type(PROVIDER) == []
    assert "ciServiceAccountEmail" not in created.outputs


@pytest.mark.parametrize(("choice", "policies"), [("project", 1), ("folder", 0)])
def test_the_default_network_is_never_created_and_compute_never_enabled(
    render_config: Render, choice: str, policies: int
) -> None:
    project_cfg = {
        "id": "claude-payments-dev",
        "billingAccount": "012345-6789AB-CDEF01",
        "folderId": "123456789012",
        "defaultNetworkPolicy": choice,
    }
    rendered = render_config(config_with(project=project_cfg))
    (project,) = rendered.of_type(PROJECT)
    assert project["inputs"]["autoCreateNetwork"] is True
    network = [p for p in rendered.of_type(ORG_POLICY) if p["name"].endswith("-skip-default-network")]
    assert len(network) == policies
    for policy in network:
        assert policy["inputs"]["name"] == "projects/claude-payments-dev/policies/compute.skipDefaultNetworkCreation"
        assert policy["inputs"]["spec"] == {"rules": [{"enforce": "TRUE"}]}
    assert "compute.googleapis.com" not in {s["inputs"]["service"] for s in rendered.of_type(SERVICE)}
