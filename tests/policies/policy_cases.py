"""Pass and fail fixtures for every rule, in one table both test layers run.

Each `Case` names a rule, the records it sees, optional config for that rule, the stack name the engine
sends (`STACK` unless the case is about it), and the violations expected *from that rule*:
`(record name, message fragment)`. An empty `expect` is a passing fixture.
`test_policy_rules.py` evaluates the pure checks directly; `test_policy_protocol.py` runs the same
cases through the real pack over gRPC, so the two can never drift apart.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from claude_vertex_gcp.services import GATEWAY_SERVICES
from policy_records import (
    ACCOUNT_T,
    BUCKET_MEMBER_T,
    FOLDER_BINDING_T,
    FOLDER_MEMBER_T,
    HMAC_T,
    KEY_T,
    ORG_MEMBER_T,
    ORG_ROLE_T,
    POOL_MEMBER_T,
    POOL_T,
    PROJECT_BINDING_T,
    PROJECT_MEMBER_T,
    PROJECT_POLICY_T,
    PROJECT_T,
    PROVIDER_T,
    ROLE_T,
    SA_MEMBER_T,
    SA_POLICY_T,
    SERVICE_T,
    STACK,
    VERTEX_PERMISSIONS,
    component,
    default_provider,
    gateway_program_stack,
    named,
    program_stack,
    project_member,
    provider,
    record,
    sa_member,
    stack_root,
    with_grant,
    with_inputs,
)

from tests.support.analyzer import UNKNOWN, secret
from tests.support.gcp_mocks import project_number

CUSTOM = "projects/claude-platform-dev/roles/claudeVertexPlatform"
POOL = "projects/123456789012/locations/global/workloadIdentityPools/claude-platform"
GITLAB = "https://gitlab.com"


@dataclass(frozen=True)
class Case:
    id: str
    rule: str
    records: list[dict[str, Any]]
    expect: tuple[tuple[str, str], ...] = ()
    config: dict[str, Any] = field(default_factory=dict)
    stack: str = STACK  # "" when the engine sends no stack name


def role(name: str, permissions: Any, stage: str = "GA", type_: str = ROLE_T) -> dict[str, Any]:
    inputs: dict[str, Any] = {"roleId": name, "title": name, "stage": stage}
    inputs["orgId" if type_ == ORG_ROLE_T else "project"] = "123456789012" if type_ == ORG_ROLE_T else "p"
    if permissions is not None:
        inputs["permissions"] = permissions
    return record(type_, name, inputs)


def policy(name: str, bindings: list[dict[str, Any]], type_: str = PROJECT_POLICY_T) -> dict[str, Any]:
    target = {"project": "claude-platform-dev"} if type_ == PROJECT_POLICY_T else {"serviceAccountId": "projects/p/x"}
    return record(type_, name, {**target, "policyData": json.dumps({"bindings": bindings})})


def binding(name: str, role_: str, members: list[str], type_: str = PROJECT_BINDING_T) -> dict[str, Any]:
    return record(
        type_, name, {"project": "claude-platform-dev", "folder": "folders/1", "role": role_, "members": members}
    )


def cases_custom_roles() -> list[Case]:
    rule = "custom-role-allowed-permissions"
    return [
        Case("vertex-permissions", rule, [role("ok", VERTEX_PERMISSIONS)]),
        Case("org-role-predict-only", rule, [role("org", ["aiplatform.endpoints.predict"], type_=ORG_ROLE_T)]),
        Case("permissions-unknown-at-preview", rule, [role("later", UNKNOWN)]),
        Case("empty", rule, [role("empty", [])], (("empty", "has no permissions"),)),
        Case("missing", rule, [role("missing", None)], (("missing", "has no permissions"),)),
        Case("wildcard", rule, [role("wild", ["aiplatform.*"])], (("wild", "wildcard permission 'aiplatform.*'"),)),
        Case(
            "extra-permission",
            rule,
            [role("extra", [*VERTEX_PERMISSIONS, "aiplatform.endpoints.deploy"])],
            (("extra", "'aiplatform.endpoints.deploy', which is not in allowedPermissions"),),
        ),
        Case(
            "org-role-set-iam",
            rule,
            [role("orgbad", ["resourcemanager.projects.setIamPolicy"], type_=ORG_ROLE_T)],
            (("orgbad", "resourcemanager.projects.setIamPolicy"),),
        ),
        Case("disabled", rule, [role("off", VERTEX_PERMISSIONS, "DISABLED")], (("off", "stage DISABLED"),)),
        Case("deprecated", rule, [role("old", VERTEX_PERMISSIONS, "DEPRECATED")], (("old", "stage DEPRECATED"),)),
        Case(
            "config-allows-extra",
            rule,
            [role("extra", [*VERTEX_PERMISSIONS, "aiplatform.endpoints.deploy"])],
            config={"allowedPermissions": [*VERTEX_PERMISSIONS, "aiplatform.endpoints.deploy"]},
        ),
    ]


def cases_roles() -> list[Case]:
    basic, custom = "no-basic-roles", "project-grants-use-custom-roles"
    return [
        Case("custom-role", basic, [project_member("g", CUSTOM, "group:devs@example.com")]),
        Case("editor", basic, [project_member("g", "roles/editor", "user:a@example.com")], (("g", "roles/editor"),)),
        Case(
            "owner-on-service-account",
            basic,
            [sa_member("s", "roles/owner", "user:a@example.com")],
            (("s", "roles/owner to user:a@example.com on service account"),),
        ),
        Case(
            "viewer-binding",
            basic,
            [binding("b", "roles/viewer", ["group:x@example.com", "group:y@example.com"])],
            (("b", "roles/viewer to group:x@example.com, group:y@example.com"),),
        ),
        Case(
            "owner-inside-policy-data",
            basic,
            [policy("pol", [{"role": "roles/owner", "members": ["group:admins@example.com"]}])],
            (("pol", "roles/owner to group:admins@example.com"),),
        ),
        Case(
            "viewer-on-bucket",
            basic,
            [record(BUCKET_MEMBER_T, "bk", {"bucket": "b", "role": "roles/viewer", "member": "user:a@example.com"})],
            (("bk", "aiplatform.endpoints.predict"),),
        ),
        Case("stack-custom-role", custom, [project_member("g", CUSTOM, "group:devs@example.com")]),
        Case("role-unknown-at-preview", custom, [project_member("g", UNKNOWN, "group:devs@example.com")]),
        Case(
            "service-account-level", custom, [sa_member("s", "roles/iam.serviceAccountTokenCreator", "group:d@x.com")]
        ),
        Case(
            "aiplatform-user",
            custom,
            [project_member("g", "roles/aiplatform.user", "group:devs@example.com")],
            (("g", "roles/aiplatform.user, which carries hundreds of permissions"),),
        ),
        Case(
            "aiplatform-admin",
            custom,
            [project_member("g", "roles/aiplatform.admin", "group:devs@example.com")],
            (("g", "predefined role roles/aiplatform.admin"),),
        ),
        Case(
            "other-projects-role",
            custom,
            [project_member("g", "projects/elsewhere/roles/claudeVertex", "group:devs@example.com")],
            (("g", "custom role of another project"),),
        ),
        Case(
            "policy-data-aiplatform-user",
            custom,
            [policy("pol", [{"role": "roles/aiplatform.user", "members": ["group:devs@example.com"]}])],
            (("pol", "roles/aiplatform.user"),),
        ),
        Case(
            "allowlisted-role",
            custom,
            [project_member("g", "roles/aiplatform.viewer", "group:devs@example.com")],
            config={"allowedRoles": ["roles/aiplatform.viewer"]},
        ),
    ]


def cases_members() -> list[Case]:
    public, default = "no-public-principals", "no-default-service-account-members"
    personal, domains = "no-personal-email-members", "members-in-allowed-domains"
    return [
        Case("group", public, [project_member("g", CUSTOM, "group:devs@example.com")]),
        Case(
            "all-users-project", public, [project_member("g", CUSTOM, "allUsers")], (("g", "anyone on the internet"),)
        ),
        Case(
            "all-authenticated-on-service-account",
            public,
            [sa_member("s", "roles/iam.serviceAccountTokenCreator", "allAuthenticatedUsers")],
            (("s", "anyone with any Google account"),),
        ),
        Case(
            "all-users-bucket",
            public,
            [
                record(
                    BUCKET_MEMBER_T, "bk", {"bucket": "b", "role": "roles/storage.objectViewer", "member": "allUsers"}
                )
            ],
            (("bk", "allUsers"),),
        ),
        Case(
            "binding-with-public",
            public,
            [binding("b", CUSTOM, ["group:devs@example.com", "allUsers"])],
            (("b", "allUsers"),),
        ),
        Case(
            "policy-data-public",
            public,
            [policy("pol", [{"role": CUSTOM, "members": ["allAuthenticatedUsers"]}], SA_POLICY_T)],
            (("pol", "allAuthenticatedUsers"),),
        ),
        Case(
            "pool-iam-public",
            public,
            [
                record(
                    POOL_MEMBER_T,
                    "pm",
                    {
                        "workloadIdentityPoolId": "p",
                        "role": "roles/iam.workloadIdentityPoolViewer",
                        "member": "allUsers",
                    },
                )
            ],
            (("pm", "allUsers"),),
        ),
        Case(
            "own-account",
            default,
            [project_member("g", CUSTOM, "serviceAccount:claude-agent@p.iam.gserviceaccount.com")],
        ),
        Case(
            "compute-default",
            default,
            [project_member("g", CUSTOM, "serviceAccount:123456789012-compute@developer.gserviceaccount.com")],
            (("g", "Compute Engine default service account"),),
        ),
        Case(
            "appspot-default-in-binding",
            default,
            [binding("b", CUSTOM, ["serviceAccount:claude-platform-dev@appspot.gserviceaccount.com"])],
            (("b", "App Engine default service account"),),
        ),
        Case(
            "compute-default-in-policy-data",
            default,
            [policy("pol", [{"role": CUSTOM, "members": ["serviceAccount:42-compute@developer.gserviceaccount.com"]}])],
            (("pol", "Compute Engine default service account"),),
        ),
        Case(
            "deleted-compute-default",
            default,
            [project_member("g", CUSTOM, "deleted:serviceAccount:1-compute@developer.gserviceaccount.com?uid=42")],
            (("g", "Compute Engine default service account"),),
        ),
        Case("company-account", personal, [project_member("g", CUSTOM, "user:alice@example.com")]),
        Case(
            "gmail",
            personal,
            [project_member("g", CUSTOM, "user:bob@gmail.com")],
            (("g", "personal email domain gmail.com"),),
        ),
        Case(
            "outlook-group-in-policy",
            personal,
            [policy("pol", [{"role": CUSTOM, "members": ["group:team@outlook.com"]}])],
            (("pol", "outlook.com"),),
        ),
        Case("gmail-domain", personal, [project_member("g", CUSTOM, "domain:gmail.com")], (("g", "domain:gmail.com"),)),
        Case(
            "configured-personal-domain",
            personal,
            [project_member("g", CUSTOM, "user:alice@example.com")],
            (("g", "example.com"),),
            config={"personalDomains": ["example.com"]},
        ),
        Case("group-on-project", "grants-to-groups-not-users", [project_member("g", CUSTOM, "group:devs@example.com")]),
        Case(
            "user-on-account-is-fine",
            "grants-to-groups-not-users",
            [sa_member("s", "roles/iam.serviceAccountTokenCreator", "user:alice@example.com")],
        ),
        Case(
            "user-on-project",
            "grants-to-groups-not-users",
            [project_member("g", CUSTOM, "user:alice@example.com")],
            (("g", "directly to user:alice@example.com"),),
        ),
        Case(
            "user-in-folder-binding",
            "grants-to-groups-not-users",
            [binding("fb", "roles/browser", ["user:alice@example.com"], FOLDER_BINDING_T)],
            (("fb", "folder"),),
        ),
        Case("no-allowlist-configured", domains, [project_member("g", CUSTOM, "user:eve@elsewhere.org")]),
        Case(
            "outside-allowlist",
            domains,
            [project_member("g", CUSTOM, "user:eve@elsewhere.org")],
            (("g", "outside allowedMemberDomains ['example.com']"),),
            config={"allowedMemberDomains": ["example.com"]},
        ),
        Case(
            "inside-allowlist",
            domains,
            [
                project_member("g", CUSTOM, "group:devs@EXAMPLE.com"),
                project_member("s", CUSTOM, "serviceAccount:a@p.iam.gserviceaccount.com"),
            ],
            config={"allowedMemberDomains": ["example.com"]},
        ),
    ]


def cases_impersonation() -> list[Case]:
    scope, domain = "impersonation-on-service-accounts-only", "no-domain-wide-impersonation"
    return [
        Case(
            "token-creator-on-account",
            scope,
            [sa_member("s", "roles/iam.serviceAccountTokenCreator", "group:d@example.com")],
        ),
        Case("custom-role-on-project", scope, [project_member("g", CUSTOM, "group:d@example.com")]),
        Case(
            "user-on-project",
            scope,
            [project_member("g", "roles/iam.serviceAccountUser", "group:d@example.com")],
            (("g", "roles/iam.serviceAccountUser on the whole project 'claude-platform-dev'"),),
        ),
        Case(
            "token-creator-on-folder",
            scope,
            [
                record(
                    FOLDER_MEMBER_T,
                    "f",
                    {
                        "folder": "folders/1",
                        "role": "roles/iam.serviceAccountTokenCreator",
                        "member": "group:d@example.com",
                    },
                )
            ],
            (("f", "on the whole folder 'folders/1'"),),
        ),
        Case(
            "workload-identity-user-on-org",
            scope,
            [
                record(
                    ORG_MEMBER_T,
                    "o",
                    {"orgId": "1", "role": "roles/iam.workloadIdentityUser", "member": "group:d@example.com"},
                )
            ],
            (("o", "act as every service account there"),),
        ),
        Case(
            "service-agent-role-on-project",
            scope,
            [project_member("g", "roles/dataproc.serviceAgent", "group:d@example.com")],
            (("g", "roles/dataproc.serviceAgent"),),
        ),
        Case(
            "key-admin-in-project-policy",
            scope,
            [policy("pol", [{"role": "roles/iam.serviceAccountKeyAdmin", "members": ["group:d@example.com"]}])],
            (("pol", "roles/iam.serviceAccountKeyAdmin"),),
        ),
        Case(
            "public-impersonation-of-account",
            scope,
            [sa_member("s", "roles/iam.serviceAccountTokenCreator", "allUsers")],
            (("s", "anyone could act as this service account"),),
        ),
        Case(
            "configured-role-list",
            scope,
            [project_member("g", "roles/iam.serviceAccountTokenCreator", "group:d@example.com")],
            config={"impersonationRoles": ["roles/iam.serviceAccountUser"]},
        ),
        Case(
            "domain-on-account-not-a-configured-role",
            domain,
            [sa_member("s", "roles/iam.serviceAccountTokenCreator", "domain:example.com")],
            config={"impersonationRoles": ["roles/iam.serviceAccountUser"]},
        ),
        Case(
            "group-on-account", domain, [sa_member("s", "roles/iam.serviceAccountTokenCreator", "group:d@example.com")]
        ),
        Case(
            "domain-on-account",
            domain,
            [sa_member("s", "roles/iam.serviceAccountTokenCreator", "domain:example.com")],
            (("s", "every account in the domain"),),
        ),
    ]


def cases_resources() -> list[Case]:
    keys, auth, hierarchy = "no-service-account-keys", "no-authoritative-iam", "no-org-or-folder-grants"
    return [
        Case("account-without-key", keys, [record(ACCOUNT_T, "sa", {"accountId": "a", "project": "p"})]),
        Case(
            "key",
            keys,
            [record(KEY_T, "k", {"serviceAccountId": "a@p.iam.gserviceaccount.com"})],
            (("k", "private key for a@p"),),
        ),
        Case(
            "uploaded-key",
            keys,
            [record(KEY_T, "up", {"serviceAccountId": "a", "publicKeyData": "LS0t"})],
            (("up", "uploaded public key"),),
        ),
        Case(
            "hmac-key",
            keys,
            [record(HMAC_T, "h", {"serviceAccountEmail": "a@p.iam.gserviceaccount.com"})],
            (("h", "HMAC key"),),
        ),
        Case("member", auth, [project_member("g", CUSTOM, "group:d@example.com")]),
        Case(
            "binding",
            auth,
            [binding("b", CUSTOM, ["group:d@example.com"])],
            (("b", f"IAMBinding is authoritative for {CUSTOM}"),),
        ),
        Case(
            "policy",
            auth,
            [policy("pol", [{"role": CUSTOM, "members": ["group:d@example.com"]}])],
            (("pol", "IAMPolicy replaces the entire IAM policy of project 'claude-platform-dev'"),),
        ),
        Case(
            "policy-with-invalid-json",
            auth,
            [record(PROJECT_POLICY_T, "broken", {"project": "p", "policyData": "{not json"})],
            (("broken", "replaces the entire IAM policy"), ("broken", "policyData is not valid JSON")),
        ),
        Case(
            "policy-data-unknown",
            auth,
            [record(PROJECT_POLICY_T, "later", {"project": "p", "policyData": UNKNOWN})],
            (("later", "replaces the entire IAM policy"),),
        ),
        Case(
            "bucket-binding",
            auth,
            [
                record(
                    "gcp:storage/bucketIAMBinding:BucketIAMBinding",
                    "bb",
                    {"bucket": "b", "role": "roles/x", "members": []},
                )
            ],
            (("bb", "BucketIAMBinding is authoritative"),),
        ),
        Case("project-grant", hierarchy, [project_member("g", CUSTOM, "group:d@example.com")]),
        Case(
            "org-grant",
            hierarchy,
            [record(ORG_MEMBER_T, "o", {"orgId": "42", "role": CUSTOM, "member": "group:d@example.com"})],
            (("o", "on organization 42"),),
        ),
        Case(
            "folder-grant",
            hierarchy,
            [
                record(
                    FOLDER_MEMBER_T,
                    "f",
                    {"folder": "folders/7", "role": "roles/browser", "member": "group:d@example.com"},
                )
            ],
            (("f", "roles/browser on folder folders/7"),),
        ),
        Case(
            "folder-binding",
            hierarchy,
            [binding("fb", "roles/browser", ["group:d@example.com"], FOLDER_BINDING_T)],
            (("fb", "every project under it"),),
        ),
    ]


def cases_workload_identity() -> list[Case]:
    rule, principals = "workload-identity-provider-pinned", "no-pool-wide-federated-principals"
    ok = [
        ("in-list", "assertion.repository in ['acme/payments-app']"),
        ("equality", "assertion.repository == 'acme/payments-app'"),
        ("reversed-equality", '"acme/payments-app" == assertion.repository'),
        ("owner-and-ref", "assertion.repository_owner == 'acme' && assertion.ref == 'refs/heads/main'"),
        ("mapped-attribute", "attribute.repository == 'acme/app'"),
        ("repository-id", "assertion.repository_id == '123456'"),
        ("or-of-pins", "(assertion.repository == 'acme/a' || assertion.repository == 'acme/b')"),
        ("sub", "assertion.sub == 'repo:acme/app:ref:refs/heads/main'"),
        ("pin-and-anything", "assertion.repository == 'acme/app' && assertion.workflow.startsWith('deploy')"),
    ]
    bad = [
        ("empty", "", "is empty"),
        ("true", "true", "is `true`"),
        ("ref-only", "assertion.ref == 'refs/heads/main'", "`assertion.ref` does not identify a repository"),
        ("workflow-only", "assertion.workflow == 'deploy'", "`assertion.workflow` does not identify"),
        ("starts-with", "assertion.repository.startsWith('acme/')", "`startsWith()`, which matches a pattern"),
        ("matches", "assertion.repository.matches('^acme/.*$')", "`matches()`"),
        ("or-unpinned-branch", "assertion.repository == 'acme/app' || assertion.ref == 'refs/heads/main'", "`||`"),
        ("or-true", "assertion.repository_owner == 'acme' || true", "`||`"),
        ("negation", "!(assertion.repository == 'evil/repo')", "negates"),
        ("not-equal", "assertion.repository != 'evil/repo'", "uses `assertion.repository != 'evil/repo'`"),
        ("glob-value", "assertion.repository in ['acme/*']", "'acme/*'"),
        ("owner-prefix-value", "assertion.repository == 'acme'", "not an exact repository"),
        ("syntax-error", "assertion.repository ==", "not in the CEL subset"),
        ("ternary", "assertion.repository == 'a/b' ? true : true", "is not an exact comparison"),
    ]
    cases = [Case(f"github-{n}", rule, [provider("gh", c)]) for n, c in ok]
    cases += [Case(f"github-{n}", rule, [provider("gh", c)], (("gh", why),)) for n, c, why in bad]
    cases += [
        Case("condition-unknown-at-preview", rule, [provider("gh", UNKNOWN)]),
        Case("missing-condition", rule, [provider("gh", None)], (("gh", "is empty"),)),
        Case(
            "attribute-mapped-from-another-claim",
            rule,
            [provider("gh", "attribute.repository == 'acme/app'", mapping={"attribute.repository": "assertion.actor"})],
            (("gh", "mapped from `assertion.actor`"),),
        ),
        Case(
            "gitlab-claim-on-github-issuer",
            rule,
            [provider("gh", "assertion.project_path == 'acme/payments'")],
            (("gh", "does not identify a repository or project"),),
        ),
        Case("gitlab-project", rule, [provider("gl", "assertion.project_path in ['acme/payments']", issuer=GITLAB)]),
        Case("gitlab-namespace", rule, [provider("gl", "assertion.namespace_path == 'acme/platform'", issuer=GITLAB)]),
        Case(
            "gitlab-ref-only",
            rule,
            [provider("gl", "assertion.ref_protected == 'true'", issuer=GITLAB)],
            (("gl", "GitLab"),),
        ),
        Case(
            "unknown-issuer",
            rule,
            [provider("x", "assertion.repository == 'acme/app'", issuer="https://issuer.example.com")],
            (("x", "neither a GitHub nor a GitLab issuer"),),
        ),
        Case(
            "self-managed-gitlab-configured",
            rule,
            [provider("gl", "assertion.project_path == 'acme/app'", issuer="https://gitlab.acme.internal")],
            config={"gitlabIssuers": [GITLAB, "https://gitlab.acme.internal"]},
        ),
        Case(
            "saml-provider",
            rule,
            [
                record(
                    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
                    "sm",
                    {"workloadIdentityPoolProviderId": "sm", "saml": {"idpMetadataXml": "<x/>"}},
                )
            ],
            (("sm", "saml provider"),),
        ),
        Case(
            "repository-principal-set",
            principals,
            [
                sa_member(
                    "s",
                    "roles/iam.workloadIdentityUser",
                    f"principalSet://iam.googleapis.com/{POOL}/attribute.repository/acme/app",
                )
            ],
        ),
        Case(
            "gitlab-project-principal-set",
            principals,
            [
                sa_member(
                    "s",
                    "roles/iam.workloadIdentityUser",
                    f"principalSet://iam.googleapis.com/{POOL}/attribute.project_path/acme/pay",
                )
            ],
        ),
        Case(
            "single-subject",
            principals,
            [
                sa_member(
                    "s",
                    "roles/iam.workloadIdentityUser",
                    f"principal://iam.googleapis.com/{POOL}/subject/repo:acme/app:ref:refs/heads/main",
                )
            ],
        ),
        Case(
            "whole-pool",
            principals,
            [sa_member("s", "roles/iam.workloadIdentityUser", f"principalSet://iam.googleapis.com/{POOL}/*")],
            (("s", f"every identity of pool {POOL} "),),
        ),
        Case(
            "whole-pool-direct-access",
            principals,
            [project_member("g", CUSTOM, f"principalSet://iam.googleapis.com/{POOL}/*")],
            (("g", "every identity of pool"),),
        ),
        Case(
            "ref-attribute-configured",
            principals,
            [
                sa_member(
                    "s",
                    "roles/iam.workloadIdentityUser",
                    f"principalSet://iam.googleapis.com/{POOL}/attribute.ref/refs/heads/main",
                )
            ],
            config={"pinningAttributes": ["repository", "ref"]},
        ),
        Case(
            "ref-attribute",
            principals,
            [
                sa_member(
                    "s",
                    "roles/iam.workloadIdentityUser",
                    f"principalSet://iam.googleapis.com/{POOL}/attribute.ref/refs/heads/main",
                )
            ],
            (("s", "attribute.ref does not identify a repository"),),
        ),
    ]
    return cases


def cases_project() -> list[Case]:
    hardening, services = "project-hardening", "allowed-services-only"
    good_project = {"projectId": "p", "autoCreateNetwork": False, "deletionPolicy": "PREVENT"}
    return [
        Case("hardened", hardening, [record(PROJECT_T, "pr", good_project)]),
        Case(
            "deletion-policy-default",
            hardening,
            [record(PROJECT_T, "pr", {"projectId": "p", "autoCreateNetwork": False})],
        ),
        Case(
            "auto-create-network-left-on",
            hardening,
            [record(PROJECT_T, "pr", {"projectId": "p", "deletionPolicy": "PREVENT", "autoCreateNetwork": True})],
        ),
        Case(
            "deletion-allowed",
            hardening,
            [record(PROJECT_T, "pr", {**good_project, "deletionPolicy": "DELETE"})],
            (("pr", "deletionPolicy is DELETE"),),
        ),
        Case(
            "disable-on-destroy",
            hardening,
            [
                record(
                    SERVICE_T, "svc", {"project": "p", "service": "aiplatform.googleapis.com", "disableOnDestroy": True}
                )
            ],
            (("svc", "switches aiplatform.googleapis.com off"),),
        ),
        Case(
            "service-kept",
            hardening,
            [record(SERVICE_T, "svc", {"service": "iam.googleapis.com", "disableOnDestroy": False})],
        ),
        Case("vertex-api", services, [record(SERVICE_T, "svc", {"service": "aiplatform.googleapis.com"})]),
        Case("guardrail-apis", services, [record(SERVICE_T, "svc", {"service": "monitoring.googleapis.com"})]),
        Case(
            "compute-api",
            services,
            [record(SERVICE_T, "svc", {"service": "compute.googleapis.com"})],
            (("svc", "Enables compute.googleapis.com"),),
        ),
        Case(
            "compute-api-allowlisted",
            services,
            [record(SERVICE_T, "svc", {"service": "compute.googleapis.com"})],
            config={"allowedServices": ["aiplatform.googleapis.com", "compute.googleapis.com"]},
        ),
    ]


def cases_stack() -> list[Case]:
    bindings, members = "custom-role-bindings-in-stack", "grant-members-verified"
    github = {"github": ["acme/payments-app"], "gitlab": ["acme/payments"]}
    extra = [*VERTEX_PERMISSIONS, "resourcemanager.projects.setIamPolicy"]
    secret = record("gcp:secretmanager/secretVersion:SecretVersion", "who", {"secretData": "x"})
    return [
        Case("team-stack", bindings, program_stack(**github)),
        Case("team-stack-preview", bindings, program_stack(preview=True, **github)),
        Case(
            "role-not-in-stack",
            bindings,
            [project_member("g", "projects/claude-platform-dev/roles/sharedRole", "group:d@example.com")],
            (("g", "not defined in this stack"),),
        ),
        Case(
            "role-from-elsewhere-allowlisted",
            bindings,
            [project_member("g", "projects/claude-platform-dev/roles/sharedRole", "group:d@example.com")],
            config={"allowedRoles": ["projects/claude-platform-dev/roles/shared*"]},
        ),
        Case(
            "bound-role-too-broad",
            bindings,
            with_inputs(program_stack(accounts=()), "platform-role", permissions=extra),
            (
                (
                    "platform-grant-group:platform-devs@example.com",
                    "that role holds 'resourcemanager.projects.setIamPolicy'",
                ),
            ),
        ),
        Case(
            "bound-role-too-broad-at-preview",
            bindings,
            with_inputs(program_stack(accounts=(), preview=True), "platform-role", permissions=extra),
            (("platform-grant-group:platform-devs@example.com", "Binds custom role claudeVertexPlatform"),),
        ),
        Case("team-stack", members, program_stack(**github)),
        Case("team-stack-preview", members, program_stack(preview=True, **github)),
        Case(
            "member-from-nowhere",
            members,
            [project_member("g", CUSTOM, UNKNOWN)],
            (("g", "comes from no resource in this stack"),),
        ),
        Case(
            "member-from-a-secret",
            members,
            [secret, project_member("g", CUSTOM, UNKNOWN, property_dependencies={"member": [secret]})],
            (("g", "comes from gcp:secretmanager/secretVersion:SecretVersion"),),
        ),
        Case(
            "member-resolves-to-a-default-account",
            members,
            [
                acct := record(ACCOUNT_T, "sa", {"member": "serviceAccount:1-compute@developer.gserviceaccount.com"}),
                project_member("g", CUSTOM, UNKNOWN, property_dependencies={"member": [acct]}),
            ],
            (("g", "Compute Engine default service account"),),
        ),
    ]


# --- deny by default -------------------------------------------------------------------------------------------

WORKFORCE = "iam.googleapis.com/locations/global/workforcePools/acme-okta"
WIF = f"iam.googleapis.com/{POOL}"
ORG_POLICY_T = "gcp:orgpolicy/policy:Policy"
AUDIT_T = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
QUOTA_T = "gcp:cloudquota/sQuotaPreference:SQuotaPreference"
BUDGET_T = "gcp:billing/budget:Budget"
TEAM_PROJECT = "claude-platform-dev"
MODEL_VALUES = [
    "publishers/anthropic/models/claude-sonnet-4-5:predict",
    "publishers/anthropic/models/claude-haiku-4-5@20251001:predict",
]


def org_policy(name: str, constraint: str, spec: Any, parent: str = f"projects/{TEAM_PROJECT}") -> dict[str, Any]:
    return record(ORG_POLICY_T, name, {"parent": parent, "name": f"{parent}/policies/{constraint}", "spec": spec})


def allowed_models(name: str, values: list[str], **spec: Any) -> dict[str, Any]:
    return org_policy(name, "vertexai.allowedModels", {"rules": [{"values": {"allowedValues": values}}], **spec})


def audit_config(name: str, configs: Any, service: str = "aiplatform.googleapis.com", type_: str = AUDIT_T) -> dict:
    target = {"project": TEAM_PROJECT} if type_ == AUDIT_T else {"folder": "folders/1", "orgId": "1"}
    return record(type_, name, {**target, "service": service, "auditLogConfigs": configs})


def quota(name: str, service: str = "aiplatform.googleapis.com") -> dict[str, Any]:
    return record(
        QUOTA_T,
        name,
        {
            "parent": f"projects/{TEAM_PROJECT}",
            "service": service,
            "quotaId": "GlobalOnlineInputTokensPerMinutePerProjectPerBaseModel",
            "dimensions": {"base_model": "anthropic-claude-sonnet-4-5"},
            "quotaConfig": {"preferredValue": "200000"},
        },
    )


def guardrails() -> list[dict[str, Any]]:
    """The program's own guardrail resources (issue 11) and model access (issue 7): all must pass."""
    return [
        record(
            BUDGET_T,
            "platform-budget",
            {
                "billingAccount": "012345-6789AB-CDEF01",
                "amount": {"specifiedAmount": {"currencyCode": "USD", "units": "2000"}},
                "budgetFilter": {"projects": [f"projects/{project_number(TEAM_PROJECT)}"], "calendarPeriod": "MONTH"},
                "thresholdRules": [{"thresholdPercent": 0.9, "spendBasis": "CURRENT_SPEND"}],
            },
        ),
        record(
            "gcp:monitoring/notificationChannel:NotificationChannel",
            "platform-alerts",
            {"project": TEAM_PROJECT, "type": "email", "labels": {"email_address": "platform-alerts@example.com"}},
        ),
        quota("platform-quota-sonnet-input"),
        audit_config("platform-audit", [{"logType": "DATA_READ"}]),
        record(
            "gcp:logging/metric:Metric",
            "platform-claude-calls",
            {"project": TEAM_PROJECT, "name": "claude_calls", "filter": 'protoPayload.serviceName="aiplatform"'},
        ),
        record(
            "gcp:monitoring/dashboard:Dashboard", "platform-dashboard", {"project": TEAM_PROJECT, "dashboardJson": "{}"}
        ),
        record(
            "gcp:monitoring/alertPolicy:AlertPolicy",
            "platform-429s",
            {"project": TEAM_PROJECT, "displayName": "429s", "combiner": "OR", "conditions": []},
        ),
        allowed_models("platform-allowed-models", MODEL_VALUES),
        org_policy(
            "platform-no-default-network", "compute.skipDefaultNetworkCreation", {"rules": [{"enforce": "TRUE"}]}
        ),
        record(
            "gcp:vertex/aiModelGardenEnableModel:AiModelGardenEnableModel",
            "platform-enable-sonnet",
            {"project": TEAM_PROJECT, "publisherModelName": "publishers/anthropic/models/claude-sonnet-4-5"},
        ),
    ]


def full_stack(**kwargs: Any) -> list[dict[str, Any]]:
    """A team stack with CI on both platforms and every guardrail the program can add."""
    return [*program_stack(github=["acme/payments-app"], gitlab=["acme/payments"], **kwargs), *guardrails()]


GCP_PROVIDER_T = "pulumi:providers:gcp"
DYNAMIC_PROVIDER_T = "pulumi:providers:pulumi-python"
STACK_CONFIG = {"claude-vertex:team": "platform", "claude-vertex:project": '{"id":"claude-platform-dev"}'}


def gcp_default(**settings: Any) -> dict[str, Any]:
    """The engine's default gcp provider, with the settings a stack file's `gcp:*` keys hand it."""
    return default_provider("gcp", settings, version="10.2.0")


def explicit_provider(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """A provider the program registers itself: the SDK parents it to the root stack."""
    return record(type_, name, inputs)


def cases_resource_types() -> list[Case]:
    rule = "allowed-resource-types"
    command = record(
        "command:local:Command",
        "cmd",
        {"create": "gcloud projects add-iam-policy-binding p --member=allUsers --role=roles/owner"},
    )
    return [
        Case("program-stack", rule, full_stack()),
        Case("program-stack-preview", rule, full_stack(preview=True)),
        Case("local-command", rule, [command], (("cmd", "command:local:Command is not a resource type"),)),
        Case(
            "any-dynamic-provider",
            rule,
            [record("pulumi-python:dynamic:Resource", "dyn", {"project": TEAM_PROJECT})],
            (("dyn", "pulumi-python:dynamic:Resource is not a resource type"),),
        ),
        Case(
            "google-native-iam",
            rule,
            [record("google-native:cloudresourcemanager/v3:ProjectIamMember", "gn", {"member": "allUsers"})],
            (("gn", "google-native:"),),
        ),
        Case(
            "terraform-bridged",
            rule,
            [record("google:index/projectIamMember:ProjectIamMember", "tf")],
            (("tf", "google:"),),
        ),
        Case("other-provider", rule, [record("pulumi:providers:command", "cp")], (("cp", "pulumi:providers:command"),)),
        Case(
            "other-default-provider",
            rule,
            [default_provider("command", version="1.0.0")],
            (("default_1_0_0", "pulumi:providers:command is not a resource type"),),
        ),
        Case(
            "bucket-not-in-design",
            rule,
            [record("gcp:storage/bucket:Bucket", "bk", {"location": "EU"})],
            (("bk", "additionalTypes"),),
        ),
        Case(
            "bucket-allowed-by-platform",
            rule,
            [record("gcp:storage/bucket:Bucket", "bk", {"location": "EU"})],
            config={"additionalTypes": ["gcp:storage/bucket:Bucket"]},
        ),
    ]


def cases_default_providers() -> list[Case]:
    """Provider resources: only the engine's own defaults, as it registers them for a program."""
    rule = "allowed-resource-types"
    gcp = gcp_default(project=TEAM_PROJECT, region="us-east5")
    with_url = {**gcp, "name": "default_10_2_0_https_/plugins.evil.example.com"}
    with_url["urn"] = gcp["urn"].rsplit("::", 1)[0] + "::" + with_url["name"]
    return [
        Case("gcp-default-with-project-and-region", rule, [gcp]),
        Case(
            "dynamic-default-without-config",
            rule,
            [default_provider("pulumi-python")],
            (("default", "pulumi:providers:pulumi-python is not a resource type"),),
        ),
        Case(
            "dynamic-default-with-the-stack-config",
            rule,
            [default_provider("pulumi-python", STACK_CONFIG)],
            (("default", "pulumi:providers:pulumi-python is not a resource type"),),
        ),
        Case(
            "explicit-gcp-provider",
            rule,
            [explicit_provider(GCP_PROVIDER_T, "gcp", {"project": TEAM_PROJECT, "version": "10.2.0"})],
            (("gcp", "is not the engine's default provider"),),
        ),
        Case(
            "explicit-provider-named-like-a-default",
            rule,
            [explicit_provider(GCP_PROVIDER_T, "default_10_2_0", {"version": "10.2.0"})],
            (("default_10_2_0", "which has no parent and is named 'default_10_2_0'"),),
        ),
        Case(
            "default-provider-with-a-plugin-url",
            rule,
            [with_url],
            (("default_10_2_0_https_/plugins.evil.example.com", "plugin download URL"),),
        ),
        Case(
            "name-of-another-version",
            rule,
            [{**gcp, "inputs": {**gcp["inputs"], "version": "9.0.0"}}],
            (("default_10_2_0", "named 'default_9_0_0'"),),
        ),
        Case(
            "version-that-is-no-version",
            rule,
            [{**gcp, "inputs": {**gcp["inputs"], "version": "latest"}}],
            (("default_10_2_0", "version 'latest', which is not a version"),),
        ),
        Case(
            "explicit-dynamic-provider",
            rule,
            [explicit_provider(DYNAMIC_PROVIDER_T, "default", {})],
            (("default", "pulumi:providers:pulumi-python is not a resource type"),),
        ),
    ]


def cases_provider_settings() -> list[Case]:
    rule = "gcp-provider-settings-allowed"
    scope = "https://www.googleapis.com/auth/"
    return [
        Case("default-provider", rule, [gcp_default()]),
        Case("project-and-region", rule, [gcp_default(project=TEAM_PROJECT, region="us-east5", zone="us-east5-a")]),
        Case(
            "request-shaping-settings-as-the-engine-passes-them",
            rule,
            [
                gcp_default(
                    billingProject="claude-billing-prod",
                    userProjectOverride="true",
                    scopes=f'["{scope}cloud-platform","{scope}userinfo.email"]',
                    defaultLabels='{"cost-center":"cc-1234","team":"platform"}',
                    batching='{"enableBatching":true,"sendAfter":"10s"}',
                    requestTimeout="60s",
                    pollInterval="1m30s",
                    requestReason="ticket 1234",
                    addPulumiAttributionLabel="false",
                    pulumiAttributionLabelAdditionStrategy="CREATION_ONLY",
                    deletionPolicy="PREVENT",
                    googlePartnerName="acme",
                )
            ],
        ),
        Case(
            "decoded-values",
            rule,
            [
                gcp_default(
                    scopes=[f"{scope}cloud-platform"], defaultLabels={"team": "platform"}, userProjectOverride=True
                )
            ],
        ),
        Case(
            "impersonation",
            rule,
            [gcp_default(impersonateServiceAccount="deployer@p.iam.gserviceaccount.com")],
            (("default_10_2_0", "sets impersonateServiceAccount (gcp:impersonateServiceAccount in a stack file)"),),
        ),
        Case(
            "custom-endpoint-and-credentials",
            rule,
            [gcp_default(iamCredentialsCustomEndpoint="https://evil.example.com/", credentials="{}")],
            (("default_10_2_0", "credentials (gcp:credentials in a stack file), iamCredentialsCustomEndpoint"),),
        ),
        Case(
            "universe-domain",
            rule,
            [gcp_default(universeDomain="evil.example.com")],
            (("default_10_2_0", "universeDomain"),),
        ),
        Case(
            "plugin-download-url",
            rule,
            [explicit_provider(GCP_PROVIDER_T, "p", {"version": "10.2.0", "pluginDownloadURL": "https://evil/"})],
            (("p", "pluginDownloadURL"),),
        ),
        Case(
            "setting-allowed-by-platform",
            rule,
            [gcp_default(accessContextManagerCustomEndpoint="https://x/")],
            config={"allowedSettings": ["version", "project", "region", "*CustomEndpoint"]},
        ),
        Case(
            "scope-beyond-google-cloud",
            rule,
            [gcp_default(scopes=f'["{scope}cloud-platform","{scope}drive"]')],
            (("default_10_2_0", "scopes (gcp:scopes in a stack file) is"),),
        ),
        Case(
            "unreleased-version",
            rule,
            [default_provider("gcp", version="10.3.0-alpha.1")],
            (("default_10_3_0_alpha_1", "allowed: a released version"),),
        ),
        Case("no-version", rule, [default_provider("gcp")], (("default", "has no version"),)),
        Case(
            "project-that-is-no-project",
            rule,
            [gcp_default(project="../../evil", billingProject="x")],
            (("default_10_2_0", "project (gcp:project"), ("default_10_2_0", "billingProject (gcp:billingProject")),
        ),
        Case(
            "values-the-provider-would-misread",
            rule,
            [gcp_default(region="us-east5\nx", userProjectOverride="yes", requestReason="a\r\nX-Evil: 1")],
            (
                ("default_10_2_0", "region (gcp:region in a stack file) is"),
                ("default_10_2_0", "userProjectOverride (gcp:userProjectOverride in a stack file) is"),
                ("default_10_2_0", "requestReason (gcp:requestReason in a stack file) is"),
            ),
        ),
        Case(
            "abandon-everything",
            rule,
            [gcp_default(deletionPolicy="ABANDON")],
            (("default_10_2_0", "PREVENT or DELETE"),),
        ),
        Case(
            "labels-and-batching-that-do-not-parse",
            rule,
            [gcp_default(defaultLabels='{"Team": 1}', batching='{"enableBatching": true, "callback": "x"}')],
            (("default_10_2_0", "defaultLabels"), ("default_10_2_0", "batching")),
        ),
        Case(
            "deeply-nested-json",
            rule,
            [gcp_default(scopes="[" * 100_000)],
            (("default_10_2_0", "scopes (gcp:scopes in a stack file) is"),),
        ),
        Case(
            "encrypted-setting",
            rule,
            [gcp_default(project=UNKNOWN)],
            (("default_10_2_0", "project (gcp:project in a stack file) cannot be read"),),
        ),
    ]


def cases_canonical_members() -> list[Case]:
    rule, pool_wide = "known-principals-only", "no-pool-wide-federated-principals"
    good = [
        "group:devs@example.com",
        "user:Ada@Example.com",
        "serviceAccount:claude-agent@claude-platform-dev.iam.gserviceaccount.com",
        "domain:example.com",
        f"principalSet://{WIF}/attribute.repository/acme/app",
        f"principal://{WIF}/subject/repo:acme/app:ref:refs/heads/main",
        f"principal://{WORKFORCE}/subject/ada@example.com",
        f"principalSet://{WORKFORCE}/group/claude-users",
        f"principalSet://{WORKFORCE}/attribute.department/platform",
    ]
    bad = [
        ("mixed-case-prefix", "ServiceAccount:a@claude-platform-dev.iam.gserviceaccount.com", "IAM spells it"),
        ("lower-case-public", "allusers", "spells allUsers"),
        (
            "org-wide-set",
            "principalSet://cloudresourcemanager.googleapis.com/organizations/1/type/ServiceAccount",
            "organization-wide",
        ),
        (
            "project-wide-set",
            "principalSet://cloudresourcemanager.googleapis.com/projects/1/type/ServiceAccount",
            "project-wide",
        ),
        ("public-set", "principalSet://goog/public:all", "is not one identity"),
        (
            "doubled-slash",
            f"principalSet://iam.googleapis.com//{POOL}/attribute.repository/acme/app",
            "malformed paths",
        ),
        ("doubled-slash-value", f"principalSet://{WIF}/attribute.repository/acme//app", "malformed value"),
        ("wildcard-value", f"principalSet://{WIF}/attribute.repository/*", "wildcard"),
        (
            "gke-cluster-set",
            "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/"
            "claude-platform-dev.svc.id.goog/kubernetes.cluster/https://container.googleapis.com/x",
            "GKE cluster",
        ),
        ("gke-legacy-account", "serviceAccount:claude-platform-dev.svc.id.goog[ns/ksa]", "not an email address"),
        ("legacy-cloud-build", "serviceAccount:123456789012@cloudbuild.gserviceaccount.com", "legacy Cloud Build"),
        ("service-agent", "serviceAccount:service-1@gcp-sa-aiplatform.iam.gserviceaccount.com", "service agent"),
        ("convenience-value", "projectOwner:claude-platform-dev", "not a principal form"),
        ("not-an-email", "user:ada", "not an email address"),
        ("deleted-member", "deleted:user:ada@example.com?uid=1", "no longer exists"),
        ("principal-by-group", f"principal://{WIF}/group/admins", "selects by `subject/`"),
        ("unknown-selector", f"principalSet://{WORKFORCE}/department/x", "does not know"),
    ]
    cases = [Case(f"known-{i}", rule, [project_member("g", CUSTOM, m)]) for i, m in enumerate(good)]
    cases += [Case(n, rule, [project_member("g", CUSTOM, m)], (("g", why),)) for n, m, why in bad]
    cases += [
        Case(
            "inside-a-binding",
            rule,
            [binding("b", CUSTOM, ["group:devs@example.com", "Group:evil@example.com"])],
            (("b", "Group:evil@example.com"),),
        ),
        Case(
            "workforce-user-on-project",
            "grants-to-groups-not-users",
            [project_member("g", CUSTOM, f"principal://{WORKFORCE}/subject/ada@example.com")],
            (("g", "directly to principal://"),),
        ),
        Case(
            "workforce-group-on-project",
            "grants-to-groups-not-users",
            [project_member("g", CUSTOM, f"principalSet://{WORKFORCE}/group/claude-users")],
        ),
        Case(
            "whole-workforce-pool",
            pool_wide,
            [project_member("g", CUSTOM, f"principalSet://{WORKFORCE}/*")],
            (("g", "every identity of pool locations/global/workforcePools/acme-okta"),),
        ),
        Case(
            "workforce-attribute",
            pool_wide,
            [project_member("g", CUSTOM, f"principalSet://{WORKFORCE}/attribute.department/platform")],
        ),
    ]
    return cases


def cases_design() -> list[Case]:
    rule = "iam-grants-match-design"
    billing = record(
        "gcp:billing/accountIamMember:AccountIamMember",
        "bill",
        {"billingAccountId": "012345-6789AB-CDEF01", "role": "roles/billing.admin", "member": "group:d@example.com"},
    )
    secret = record(
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "sec",
        {"secretId": "s", "role": "roles/secretmanager.secretAccessor", "member": "group:d@example.com"},
    )
    return [
        Case("program-stack", rule, full_stack()),
        Case("program-stack-preview", rule, full_stack(preview=True)),
        Case("billing-account-grant", rule, [billing], (("bill", "gcp:billing/accountIamMember"),)),
        Case("secret-grant", rule, [secret], (("sec", "grants IAM on a resource"),)),
        Case(
            "pool-grant",
            rule,
            [
                record(
                    POOL_MEMBER_T,
                    "pm",
                    {
                        "workloadIdentityPoolId": "p",
                        "role": "roles/iam.workloadIdentityPoolAdmin",
                        "member": "group:d@example.com",
                    },
                )
            ],
            (("pm", "workloadIdentityPoolIamMember"),),
        ),
        Case(
            "account-admin-on-account",
            rule,
            [sa_member("s", "roles/iam.serviceAccountAdmin", "group:d@example.com")],
            (("s", "roles/iam.serviceAccountAdmin"),),
        ),
        Case(
            "security-admin-on-account",
            rule,
            [sa_member("s", "roles/iam.securityAdmin", "group:d@example.com")],
            (("s", "on a service account a team stack grants only"),),
        ),
        Case(
            "account-user-allowed-by-platform",
            rule,
            [sa_member("s", "roles/iam.serviceAccountUser", "group:d@example.com")],
            config={"serviceAccountRoles": ["roles/iam.serviceAccountTokenCreator", "roles/iam.serviceAccountUser"]},
        ),
    ]


def cases_credentials() -> list[Case]:
    rule = "no-service-account-keys"
    api_key = "gcp:projects/apiKey:ApiKey"
    return [
        Case(
            "api-key-without-account", rule, [record(api_key, "ak", {"project": TEAM_PROJECT, "displayName": "maps"})]
        ),
        Case(
            "api-key-bound-to-account",
            rule,
            [
                record(
                    api_key,
                    "ak",
                    {"project": TEAM_PROJECT, "serviceAccountEmail": "claude-agent@p.iam.gserviceaccount.com"},
                )
            ],
            (("ak", "API key bound to claude-agent@p.iam.gserviceaccount.com"),),
        ),
        Case(
            "oauth-client-credential",
            rule,
            [
                record(
                    "gcp:iam/oauthClientCredential:OauthClientCredential",
                    "oc",
                    {"oauthclient": "c", "location": "global"},
                )
            ],
            (("oc", "OAuth client credentials"),),
        ),
        Case(
            "oauth-client",
            rule,
            [
                record(
                    "gcp:iam/oauthClient:OauthClient",
                    "cl",
                    {"location": "global", "allowedGrantTypes": ["AUTHORIZATION_CODE_GRANT"]},
                )
            ],
            (("cl", "client secret"),),
        ),
    ]


def cases_governance() -> list[Case]:
    audit, org, quotas, required = (
        "no-audit-log-exemptions",
        "org-policies-restrict-only",
        "quota-preferences-vertex-only",
        "required-guardrails",
    )
    exempt = [{"logType": "DATA_READ", "exemptedMembers": ["user:mallory@example.com"]}]
    return [
        Case("program-audit-config", audit, [audit_config("a", [{"logType": "DATA_READ"}])]),
        Case(
            "other-service-no-exemption", audit, [audit_config("a", [{"logType": "ADMIN_READ"}], "iam.googleapis.com")]
        ),
        Case(
            "exemption", audit, [audit_config("a", exempt)], (("a", "exempts user:mallory@example.com from DATA_READ"),)
        ),
        Case(
            "exemption-on-other-service",
            audit,
            [audit_config("a", exempt, "storage.googleapis.com")],
            (("a", "Audit config for storage.googleapis.com exempts"),),
        ),
        Case("unknown-at-preview", audit, [audit_config("a", UNKNOWN)], (("a", "unknown at preview"),)),
        Case(
            "folder-level",
            audit,
            [audit_config("f", [{"logType": "DATA_READ"}], type_="gcp:folder/iamAuditConfig:IamAuditConfig")],
            (("f", "at folder level"),),
        ),
        Case(
            "organization-level",
            audit,
            [audit_config("o", [{"logType": "DATA_READ"}], type_="gcp:organizations/iamAuditConfig:IamAuditConfig")],
            (("o", "at organization level"),),
        ),
        Case("allowed-models-pinned", org, [allowed_models("m", MODEL_VALUES)]),
        Case(
            "allowed-models-beyond-the-platforms-list",
            org,
            [allowed_models("m", MODEL_VALUES)],
            (("m", "claude-haiku-4-5@20251001:predict, which is not"),),
            config={"allowedModelValues": ["publishers/anthropic/models/claude-sonnet-*:predict"]},
        ),
        Case(
            "allowed-models-deny-all",
            org,
            [org_policy("m", "vertexai.allowedModels", {"rules": [{"denyAll": "TRUE"}]})],
        ),
        Case(
            "skip-default-network",
            org,
            [org_policy("n", "compute.skipDefaultNetworkCreation", {"rules": [{"enforce": True}]})],
        ),
        Case(
            "allowed-models-allow-all",
            org,
            [org_policy("m", "vertexai.allowedModels", {"rules": [{"allowAll": "TRUE"}]})],
            (("m", "allows all values"),),
        ),
        Case(
            "allowed-models-denylist",
            org,
            [
                org_policy(
                    "m",
                    "vertexai.allowedModels",
                    {"rules": [{"values": {"deniedValues": ["publishers/google/models/x:predict"]}}]},
                )
            ],
            (("m", "allows everything else"),),
        ),
        Case(
            "allowed-models-other-publisher",
            org,
            [allowed_models("m", [*MODEL_VALUES, "publishers/google/models/gemini-2.5-pro:predict"])],
            (("m", "publishers/google/models/gemini-2.5-pro:predict, which is not"),),
        ),
        Case("allowed-models-reset", org, [allowed_models("m", MODEL_VALUES, reset=True)], (("m", "resets"),)),
        Case(
            "allowed-models-inherit",
            org,
            [allowed_models("m", MODEL_VALUES, inheritFromParent=True)],
            (("m", "inherits"),),
        ),
        Case(
            "network-not-enforced",
            org,
            [org_policy("n", "compute.skipDefaultNetworkCreation", {"rules": [{"enforce": "FALSE"}]})],
            (("n", "does not enforce"),),
        ),
        Case(
            "other-constraint",
            org,
            [org_policy("k", "iam.disableServiceAccountKeyCreation", {"rules": [{"enforce": "FALSE"}]})],
            (("k", "iam.disableServiceAccountKeyCreation is not one a team stack sets"),),
        ),
        Case(
            "folder-policy",
            org,
            [org_policy("f", "vertexai.allowedModels", {"rules": [{"allowAll": "TRUE"}]}, "folders/7")],
            (("f", "on folders/7"),),
        ),
        Case(
            "name-unknown-at-preview",
            org,
            [record(ORG_POLICY_T, "u", {"parent": f"projects/{TEAM_PROJECT}", "name": UNKNOWN, "spec": {"rules": []}})],
            (("u", "unknown at preview"),),
        ),
        Case(
            "legacy-api",
            org,
            [
                record(
                    "gcp:projects/organizationPolicy:OrganizationPolicy",
                    "v1",
                    {"project": TEAM_PROJECT, "constraint": "x", "listPolicy": {"allow": {"all": True}}},
                )
            ],
            (("v1", "v1 API"),),
        ),
        Case("vertex-quota", quotas, [quota("q")]),
        Case("compute-quota", quotas, [quota("q", "compute.googleapis.com")], (("q", "compute.googleapis.com"),)),
        Case("service-unknown", quotas, [quota("q", UNKNOWN)], (("q", "<unknown until apply>"),)),
        Case(
            "compute-quota-allowed-by-platform",
            quotas,
            [quota("q", "compute.googleapis.com")],
            config={"quotaServices": ["aiplatform.googleapis.com", "compute.googleapis.com"]},
        ),
        Case("not-required", required, program_stack()),
        Case(
            "all-required-and-present",
            required,
            full_stack(),
            config={"requireBudget": True, "requireAuditLogs": True, "requireQuotaCaps": True},
        ),
        Case(
            "budget-required",
            required,
            program_stack(),
            (("claude-vertex-dev", "requires a budget"),),
            config={"requireBudget": True},
        ),
        Case(
            "audit-logs-with-exemption-do-not-count",
            required,
            [stack_root(), audit_config("a", exempt), quota("q", "compute.googleapis.com")],
            (("claude-vertex-dev", "Data Access audit logs"), ("claude-vertex-dev", "quota caps")),
            config={"requireAuditLogs": True, "requireQuotaCaps": True},
        ),
    ]


def cases_spoofing() -> list[Case]:
    provider_rule, grants = "workload-identity-provider-pinned", "federated-grants-pinned-by-provider"
    spoofed_map = {"google.subject": "assertion.sub", "attribute.repository": "assertion.ref"}
    pool = record(
        POOL_T, "pool", {"project": TEAM_PROJECT, "workloadIdentityPoolId": "claude-platform"}, outputs={"name": POOL}
    )
    token = "roles/iam.workloadIdentityUser"

    def grant(name: str, selector: str) -> dict[str, Any]:
        return sa_member(name, token, f"principalSet://{WIF}/{selector}")

    return [
        Case(
            "pinned-but-attribute-spoofed",
            provider_rule,
            [provider("gh", "assertion.repository == 'acme/app'", mapping=spoofed_map)],
            (("gh", "maps attribute.repository from `assertion.ref`"),),
        ),
        Case(
            "subject-built-from-numeric-claims",
            provider_rule,
            [
                provider(
                    "gh",
                    "assertion.repository == 'acme/app'",
                    mapping={"google.subject": "'github:' + assertion.repository_id + ':' + assertion.run_id"},
                )
            ],
        ),
        Case(
            "subject-grant-through-another-claim",
            grants,
            [
                pool,
                provider("gh", "assertion.repository == 'acme/app'", mapping={"google.subject": "assertion.actor"}),
                sa_member("g", token, f"principal://{WIF}/subject/repo:acme/app:ref:refs/heads/main"),
            ],
            (("g", "maps google.subject from `assertion.actor`, not from assertion.sub"),),
        ),
        Case("program-stack", grants, full_stack()),
        Case("program-stack-preview", grants, full_stack(preview=True)),
        Case(
            "grant-through-spoofed-mapping",
            grants,
            [
                pool,
                provider("gh", "assertion.repository == 'acme/app'", mapping=spoofed_map),
                grant("g", "attribute.repository/acme/app"),
            ],
            (("g", "maps attribute.repository from `assertion.ref`"),),
        ),
        Case(
            "attribute-mapped-but-not-pinned",
            grants,
            [pool, provider("gh", "assertion.repository == 'acme/app'"), grant("g", "attribute.repository_owner/acme")],
            (("g", "does not pin repository_owner"),),
        ),
        Case(
            "attribute-no-provider-maps",
            grants,
            [
                pool,
                provider("gh", "assertion.repository == 'acme/app'", mapping={"google.subject": "assertion.sub"}),
                grant("g", "attribute.repository/acme/app"),
            ],
            (("g", f"no provider of pool {POOL} maps"),),
        ),
        Case(
            "pool-from-elsewhere",
            grants,
            [grant("g", "attribute.repository/acme/app")],
            (("g", "has no provider in this stack"),),
        ),
        Case(
            "pool-group",
            "known-principals-only",
            [pool, grant("g", "group/admins")],
            (("g", "selects a group of a workload identity pool"),),
        ),
        Case(
            "unknown-member-from-unpinned-pool",
            grants,
            [
                pool,
                record(
                    PROVIDER_T,
                    "gh",
                    {
                        "workloadIdentityPoolId": UNKNOWN,
                        "attributeMapping": {"google.subject": "assertion.sub"},
                        "attributeCondition": "assertion.ref == 'refs/heads/main'",
                        "oidc": {"issuerUri": "https://token.actions.githubusercontent.com"},
                    },
                    property_dependencies={"workloadIdentityPoolId": [pool]},
                ),
                sa_member("g", token, UNKNOWN, property_dependencies={"member": [pool]}),
            ],
            (("g", "does not pin repositories"),),
        ),
    ]


def cases_ownership() -> list[Case]:
    rule = "service-account-grants-on-own-accounts"
    secret = record("gcp:secretmanager/secretVersion:SecretVersion", "who", {"secretData": "x"})
    token = "roles/iam.serviceAccountTokenCreator"
    return [
        Case("program-stack", rule, full_stack()),
        Case("program-stack-preview", rule, full_stack(preview=True)),
        Case(
            "deployer-account",
            rule,
            [*program_stack(), sa_member("x", token, "group:platform-devs@example.com", account="claude-deployer")],
            (
                (
                    "x",
                    "claude-deployer@claude-platform-dev.iam.gserviceaccount.com) is not a service account this stack",
                ),
            ),
        ),
        Case(
            "other-teams-account",
            rule,
            [
                *program_stack(),
                record(
                    "gcp:serviceaccount/iAMMember:IAMMember",
                    "x",
                    {
                        "serviceAccountId": "projects/claude-payments-prod/serviceAccounts/"
                        "claude-agent@claude-payments-prod.iam.gserviceaccount.com",
                        "role": "roles/iam.workloadIdentityUser",
                        "member": "group:platform-devs@example.com",
                    },
                ),
            ],
            (("x", "roles/iam.workloadIdentityUser on a service account"),),
        ),
        Case(
            "account-from-a-secret",
            rule,
            [
                secret,
                record(
                    SA_MEMBER_T,
                    "x",
                    {"serviceAccountId": UNKNOWN, "role": token, "member": "group:d@example.com"},
                    property_dependencies={"serviceAccountId": [secret]},
                ),
            ],
            (("x", "does not come from a service account of this stack"),),
        ),
    ]


def cases_unknown_members() -> list[Case]:
    rule = "grant-members-verified"
    build = record(ACCOUNT_T, "sa", {"member": "serviceAccount:123456789012@cloudbuild.gserviceaccount.com"})
    return [
        Case(
            "member-resolves-to-an-unrecognised-account",
            rule,
            [build, project_member("g", CUSTOM, UNKNOWN, property_dependencies={"member": [build]})],
            (("g", "legacy Cloud Build account"),),
        ),
    ]


def cases_tenancy() -> list[Case]:
    """The team is the stack name the engine sends (one stack per team), whatever the stack's labels and names say."""
    rule = "team-projects-allowed"
    allowed = {"teamProjects": {STACK: ["claude-platform-*"]}, "teamFolders": {STACK: ["123456789012"]}}
    payments_folder = {"teamFolders": {"payments": ["123456789012"]}}
    payments_projects = {"teamProjects": {"payments": ["claude-payments-*"]}}
    # The real program for team `payments`: its project is labelled team=payments and its component is named
    # `payments-project`; only the engine's stack name says whose stack it really is.
    claims_payments = program_stack(team="payments", project_id="claude-payments-prod")
    labelled = [
        stack_root(),
        component("TeamProject", "payments-project"),
        record(
            PROJECT_T,
            "payments-project",
            {"projectId": "claude-payments-prod", "folderId": "123456789012", "labels": {"team": "payments"}},
        ),
    ]

    def adopting(team: str) -> list[dict[str, Any]]:
        return [
            stack_root(),
            component("TeamProject", f"{team}-project"),
            project_member("g", CUSTOM, "group:d@example.com", project="claude-payments-prod"),
        ]

    return [
        Case("not-configured", rule, adopting("mallory")),
        Case("own-project", rule, full_stack(), config=allowed),
        Case("own-project-preview", rule, full_stack(preview=True), config=allowed),
        Case("payments-stack", rule, claims_payments, config=payments_folder, stack="payments"),
        Case(
            "program-names-claim-another-team",
            rule,
            claims_payments,
            (("payments-project", "not in teamFolders['mallory']"),),
            config=payments_folder,
            stack="mallory",
        ),
        Case("labelled-payments-stack", rule, labelled, config=payments_projects, stack="payments"),
        Case(
            "label-claims-another-team",
            rule,
            labelled,
            (("payments-project", "claude-payments-prod (projectId), and stack 'mallory' has no entry"),),
            config=payments_projects,
            stack="mallory",
        ),
        Case(
            "adopts-another-teams-project",
            rule,
            adopting(STACK),
            (("g", f"claude-payments-prod (project), not in teamProjects['{STACK}']"),),
            config={"teamProjects": {STACK: ["claude-platform-*"]}},
        ),
        Case(
            "stack-not-listed",
            rule,
            adopting("payments"),
            (("g", f"stack '{STACK}' has no entry"),),
            config={"teamProjects": {"payments": ["claude-payments-*"]}},
        ),
        Case(
            "project-in-another-folder",
            rule,
            program_stack(),
            (("platform-project", f"folder 123456789012, not in teamFolders['{STACK}']"),),
            config={"teamFolders": {STACK: ["999"]}},
        ),
        Case(
            "engine-names-no-stack",
            rule,
            program_stack(),
            (("claude-vertex-dev", "the engine did not say which stack this is"),),
            config=allowed,
            stack="",
        ),
    ]


# --- deny by default, round 3: booleans as the provider reads them, the engine's stack name, trust and spend -----

SKIP_NETWORK = "platform-skip-default-network"
ENFORCED = {"rules": [{"enforce": "TRUE"}]}


def cases_booleans() -> list[Case]:
    """Every spelling the provider reads as true is true, and an unreadable value on a loosening setting is set.

    (`with_boolean_spellings` also runs every case that carries a JSON boolean with "TRUE"/"FALSE" and 1/0.)
    """
    hardening, org = "project-hardening", "org-policies-restrict-only"
    stack = program_stack()
    restricted = program_stack(vertex={"restrictModels": True})
    models = named(restricted, "platform-allowed-models")["inputs"]["spec"]
    allow_all = {"rules": [{**models["rules"][0], "allowAll": 1}]}
    return [
        Case("program-services", hardening, stack),
        Case(
            "program-service-disabled-on-destroy-as-string",
            hardening,
            with_inputs(stack, "platform-iam-api", disableOnDestroy="TRUE"),
            (("platform-iam-api", "disableOnDestroy is true: destroying this stack switches iam.googleapis.com"),),
        ),
        Case(
            "program-service-disabled-on-destroy-as-number",
            hardening,
            with_inputs(stack, "platform-iam-api", disableOnDestroy=1),
            (("platform-iam-api", "disableOnDestroy is true"),),
        ),
        Case(
            "disable-on-destroy-unreadable",
            hardening,
            with_inputs(stack, "platform-iam-api", disableOnDestroy="yes"),
            (("platform-iam-api", "disableOnDestroy is 'yes', which the provider does not read as a boolean"),),
        ),
        Case(
            "disable-on-destroy-unknown",
            hardening,
            with_inputs(stack, "platform-iam-api", disableOnDestroy=UNKNOWN),
            (("platform-iam-api", "disableOnDestroy is unknown until apply"),),
        ),
        Case("disable-on-destroy-false-as-f", hardening, with_inputs(stack, "platform-iam-api", disableOnDestroy="f")),
        Case("program-org-policies", org, restricted),
        Case(
            "program-network-policy-reset-as-string",
            org,
            with_inputs(stack, SKIP_NETWORK, spec={**ENFORCED, "reset": "true"}),
            ((SKIP_NETWORK, "resets the constraint to Google's default (reset is true)"),),
        ),
        Case(
            "network-policy-reset-unreadable",
            org,
            with_inputs(stack, SKIP_NETWORK, spec={**ENFORCED, "reset": "yes"}),
            ((SKIP_NETWORK, "reset is 'yes', which the provider does not read as a boolean"),),
        ),
        Case("network-policy-not-reset", org, with_inputs(stack, SKIP_NETWORK, spec={**ENFORCED, "reset": "FALSE"})),
        Case("network-enforced-as-t", org, with_inputs(stack, SKIP_NETWORK, spec={"rules": [{"enforce": "t"}]})),
        Case(
            "network-enforce-unreadable",
            org,
            with_inputs(stack, SKIP_NETWORK, spec={"rules": [{"enforce": "yes"}]}),
            ((SKIP_NETWORK, "does not enforce the constraint (enforce is yes)"),),
        ),
        Case(
            "program-allowed-models-allow-all-as-number",
            org,
            with_inputs(restricted, "platform-allowed-models", spec=allow_all),
            (("platform-allowed-models", "allows all values (allowAll is true)"),),
        ),
        Case(
            "allow-all-unreadable",
            org,
            [org_policy("m", "vertexai.allowedModels", {"rules": [{"allowAll": "on"}]})],
            (("m", "allowAll is 'on'"),),
        ),
        Case(
            "inherit-unreadable",
            org,
            [allowed_models("m", MODEL_VALUES, inheritFromParent="sometimes")],
            (("m", "inheritFromParent is 'sometimes'"),),
        ),
        Case("deny-all-as-number", org, [org_policy("m", "vertexai.allowedModels", {"rules": [{"denyAll": 1}]})]),
        Case(
            "deny-all-unreadable-denies-nothing",
            org,
            [org_policy("m", "vertexai.allowedModels", {"rules": [{"denyAll": "on"}]})],
            (("m", "has a rule with no allowedValues"),),
        ),
    ]


def cases_default_network() -> list[Case]:
    rule = "no-default-network"
    folder_mode = program_stack(project={"defaultNetworkPolicy": "folder"})
    declared = {"foldersEnforcingSkipDefaultNetwork": ["123456789012"]}
    stack = program_stack()
    uncovered = ("platform-project", "claude-platform-dev has no compute.skipDefaultNetworkCreation policy")
    elsewhere = "projects/claude-other/policies/compute.skipDefaultNetworkCreation"
    return [
        Case("program-project-policy", rule, stack),
        Case("program-project-policy-preview", rule, program_stack(preview=True)),
        Case(
            "policy-parent-from-the-project",
            rule,
            with_inputs(stack, SKIP_NETWORK, parent=UNKNOWN),
        ),
        Case("adopted-project", rule, [stack_root(), project_member("g", CUSTOM, "group:d@example.com")]),
        Case(
            "program-folder-mode-undeclared",
            rule,
            folder_mode,
            (("platform-project", "folder 123456789012 is not in foldersEnforcingSkipDefaultNetwork: the first time"),),
        ),
        Case("program-folder-mode-declared", rule, folder_mode, config=declared),
        Case(
            "program-folder-mode-declared-as-path",
            rule,
            folder_mode,
            config={"foldersEnforcingSkipDefaultNetwork": ["folders/123456789012"]},
        ),
        Case(
            "program-folder-mode-another-folder-declared",
            rule,
            folder_mode,
            (uncovered,),
            config={"foldersEnforcingSkipDefaultNetwork": ["999"]},
        ),
        Case("policy-removed", rule, [r for r in stack if r["name"] != SKIP_NETWORK], (uncovered,)),
        Case(
            "policy-not-enforced",
            rule,
            with_inputs(stack, SKIP_NETWORK, spec={"rules": [{"enforce": "FALSE"}]}),
            (uncovered,),
        ),
        Case(
            "policy-on-another-project",
            rule,
            with_inputs(stack, SKIP_NETWORK, parent="projects/claude-other", name=elsewhere),
            (uncovered,),
        ),
        Case(
            "no-policy-and-no-auto-network",
            rule,
            with_inputs(folder_mode, "platform-project", autoCreateNetwork=False),
            (("platform-project", "enable Compute Engine just to delete the default network"),),
        ),
        Case(
            "no-folder",
            rule,
            [stack_root(), record(PROJECT_T, "pr", {"projectId": "p", "orgId": "1", "autoCreateNetwork": True})],
            (("pr", "it is not created in a folder"),),
            config=declared,
        ),
    ]


def cases_tags() -> list[Case]:
    rule = "no-resource-manager-tags"
    stack = program_stack()
    tagged = with_inputs(stack, "platform-project", tags={"tagKeys/281": "tagValues/8241"})
    binding_ = record(
        "gcp:tags/tagBinding:TagBinding",
        "tb",
        {"parent": "//cloudresourcemanager.googleapis.com/projects/123456789012", "tagValue": "tagValues/8241"},
    )
    return [
        Case("program-project", rule, stack),
        Case("program-project-no-tags", rule, with_inputs(stack, "platform-project", tags={})),
        Case(
            "program-project-tagged",
            rule,
            tagged,
            (("platform-project", "created with tags tagKeys/281=tagValues/8241, not in allowedTagValues []"),),
        ),
        Case("program-project-tag-allowed", rule, tagged, config={"allowedTagValues": ["tagValues/8241"]}),
        Case(
            "program-project-another-tag",
            rule,
            tagged,
            (("platform-project", "tagKeys/281=tagValues/8241"),),
            config={"allowedTagValues": ["tagValues/9"]},
        ),
        Case(
            "project-tags-unknown",
            rule,
            with_inputs(stack, "platform-project", tags=UNKNOWN),
            (("platform-project", "tags that cannot be read"),),
        ),
        Case(
            "tag-binding",
            rule,
            [binding_],
            (("tb", "gcp:tags/tagBinding:TagBinding defines or binds resource-manager tags"),),
            config={"allowedTagValues": ["tagValues/8241"]},
        ),
        Case(
            "tag-value",
            rule,
            [record("gcp:tags/tagValue:TagValue", "tv", {"parent": "tagKeys/281", "shortName": "sandbox"})],
            (("tv", "conditional IAM grants"),),
        ),
        Case(
            "tag-binding-type-refused",
            "allowed-resource-types",
            [binding_],
            (("tb", "Tags decide which of the organization's conditional IAM grants"),),
        ),
    ]


def cases_model_garden() -> list[Case]:
    rule = "model-garden-claude-only"
    enabled = program_stack(vertex={"enableModels": True})
    opus = "platform-enable-claude-opus-5-5"

    def enabling(model: Any) -> list[dict[str, Any]]:
        return with_inputs(enabled, opus, publisherModelName=model)

    return [
        Case("program-enables-its-pins", rule, enabled),
        Case("program-enables-its-pins-preview", rule, program_stack(vertex={"enableModels": True}, preview=True)),
        Case(
            "gemini",
            rule,
            enabling("publishers/google/models/gemini-2.5-pro"),
            ((opus, "Enables publishers/google/models/gemini-2.5-pro in Model Garden, which is not a model in"),),
        ),
        Case(
            "partner-model",
            rule,
            enabling("publishers/meta/models/llama-4-maverick-17b-128e-instruct-maas"),
            ((opus, "accepts that publisher's terms"),),
        ),
        Case("anthropic-non-claude", rule, enabling("publishers/anthropic/models/other"), ((opus, "other"),)),
        Case(
            "path-smuggled-past-the-glob",
            rule,
            enabling("publishers/anthropic/models/claude-x/../../../google/models/gemini-2.5-pro"),
            ((opus, "claude-x/../../../google"),),
        ),
        Case("name-unknown", rule, enabling(UNKNOWN), ((opus, "Enables <unknown until apply>"),)),
        Case(
            "platform-allows-gemini",
            rule,
            enabling("publishers/google/models/gemini-2.5-pro"),
            config={"allowedModels": ["publishers/anthropic/models/claude-*", "publishers/google/models/gemini-*"]},
        ),
    ]


def cases_notifications() -> list[Case]:
    rule, personal, domains = (
        "notifications-stay-in-organization",
        "no-personal-email-members",
        "members-in-allowed-domains",
    )
    budget = {"monthlyAmount": 100, "notify": ["platform-alerts@example.com"]}
    notified = program_stack(guardrails={"budget": budget})
    channel = "platform-notify-platform-alerts@example.com"
    rules = named(notified, "platform-budget")["inputs"]["allUpdatesRule"]
    company = {"allowedMemberDomains": ["example.com"]}

    def notifying(address: str) -> list[dict[str, Any]]:
        return program_stack(guardrails={"budget": {**budget, "notify": [address]}})

    return [
        Case("program-email-channel", rule, notified),
        Case("program-email-channel-preview", rule, program_stack(guardrails={"budget": budget}, preview=True)),
        Case(
            "webhook",
            rule,
            with_inputs(notified, channel, type="webhook_tokenauth", labels={"url": "https://hooks.example.net/x"}),
            ((channel, "is a webhook_tokenauth channel, not one of allowedChannelTypes ['email']"),),
        ),
        Case("slack", rule, with_inputs(notified, channel, type="slack"), ((channel, "is a slack channel"),)),
        Case("type-unknown", rule, with_inputs(notified, channel, type=UNKNOWN), ((channel, "<unknown until"),)),
        Case(
            "email-address-unreadable",
            rule,
            with_inputs(notified, channel, labels={"email_address": "platform alerts"}),
            ((channel, "address cannot be read (platform alerts)"),),
        ),
        Case(
            "webhook-allowed-by-platform",
            rule,
            with_inputs(notified, channel, type="webhook_tokenauth", labels={"url": "https://hooks.example.com/x"}),
            config={"allowedChannelTypes": ["email", "webhook_tokenauth"]},
        ),
        Case(
            "budget-to-pubsub",
            rule,
            with_inputs(
                notified, "platform-budget", allUpdatesRule={**rules, "pubsubTopic": "projects/x/topics/spend"}
            ),
            (("platform-budget", "Pub/Sub topic projects/x/topics/spend"),),
        ),
        Case("program-recipient-in-company-domain", domains, notified, config=company),
        Case(
            "program-recipient-outside-company-domains",
            domains,
            notifying("ops@partner.example.net"),
            (
                (
                    "platform-notify-ops@partner.example.net",
                    "Sends alerts and budget notices to ops@partner.example.net, outside allowedMemberDomains",
                ),
            ),
            config=company,
        ),
        Case("recipient-domains-not-configured", domains, notifying("ops@partner.example.net")),
        Case("program-company-recipient", personal, notified),
        Case(
            "program-personal-recipient",
            personal,
            notifying("platform.alerts@gmail.com"),
            (("platform-notify-platform.alerts@gmail.com", "an address in the personal email domain gmail.com"),),
        ),
    ]


def all_cases() -> list[Case]:
    return [
        *cases_resource_types(),
        *cases_default_providers(),
        *cases_provider_settings(),
        *cases_canonical_members(),
        *cases_design(),
        *cases_credentials(),
        *cases_governance(),
        *cases_spoofing(),
        *cases_ownership(),
        *cases_tenancy(),
        *cases_unknown_members(),
        *cases_custom_roles(),
        *cases_roles(),
        *cases_members(),
        *cases_impersonation(),
        *cases_resources(),
        *cases_workload_identity(),
        *cases_project(),
        *cases_stack(),
        *cases_trust(),
        *cases_booleans(),
        *cases_default_network(),
        *cases_tags(),
        *cases_model_garden(),
        *cases_notifications(),
        *cases_dynamic_resources(),
        *cases_component_provider(),
        *cases_gateway(),
    ]


# --- issue 17, round 3: trust (each class with the real program, an edit of it, and a look-alike that stays clean) --

GUARDRAILS = {
    "budget": {"monthlyAmount": 2000, "notify": ["platform-alerts@example.com"]},
    "quotas": {"sonnet": {"requestsPerMinute": 10}},
}
CI_GRANT = "platform-ci-github-acme/payments-app"
AGENT = "platform-sa-claude-agent"
AGENT_GRANT = "platform-sa-claude-agent-impersonator-group:platform-devs@example.com"
OTHER_POOL = "projects/999999999999/locations/global/workloadIdentityPools/claude-platform"


def ci_stack(preview: bool = False, **kwargs: Any) -> list[dict[str, Any]]:
    return program_stack(github=["acme/payments-app"], preview=preview, **kwargs)


def guarded_stack(preview: bool = False, **kwargs: Any) -> list[dict[str, Any]]:
    budget = {**GUARDRAILS["budget"], "billingAccount": "012345-6789AB-CDEF01"}
    return program_stack(guardrails={**GUARDRAILS, "budget": budget}, preview=preview, **kwargs)


def added(records: list[dict[str, Any]], like: str, name: str, **inputs: Any) -> list[dict[str, Any]]:
    """The records plus a copy of the record `like`, renamed, with some inputs changed (its outputs follow)."""
    (template,) = [r for r in records if r["name"] == like]
    copy = {**template, "name": name, "urn": template["urn"].rsplit("::", 1)[0] + f"::{name}"}
    copy["inputs"] = {**template["inputs"], **inputs}
    if template.get("outputs") is not None:
        copy["outputs"] = {**template["outputs"], **inputs}
    return [*records, copy]


def cases_workload_identity_inputs() -> list[Case]:
    rule = "workload-identity-inputs-known"
    oidc = {"issuerUri": "https://token.actions.githubusercontent.com"}
    jwks = '{"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "mine", "n": "AQAB", "e": "AQAB"}]}'
    provider_, pool = "platform-ci-github", "platform-ci-pool"
    return [
        Case("program-stack", rule, full_stack()),
        Case("program-stack-preview", rule, full_stack(preview=True)),
        Case(
            "stack-supplied-keys",
            rule,
            with_inputs(ci_stack(), provider_, oidc={**oidc, "jwksJson": jwks}),
            ((provider_, "sets oidc.jwksJson, which supplies the token-signing keys itself"),),
        ),
        Case(
            "stack-supplied-keys-at-preview",
            rule,
            with_inputs(ci_stack(preview=True), provider_, oidc={**oidc, "jwksJson": UNKNOWN}),
            ((provider_, "oidc.jwksJson"),),
        ),
        Case(
            "other-audiences",
            rule,
            with_inputs(ci_stack(), provider_, oidc={**oidc, "allowedAudiences": ["https://github.com/acme"]}),
            ((provider_, "accepts tokens minted for other audiences"),),
        ),
        Case(
            "saml-beside-oidc",
            rule,
            with_inputs(ci_stack(), provider_, saml={"idpMetadataXml": "<x/>"}),
            ((provider_, "sets saml, which trusts a SAML identity provider"),),
        ),
        Case(
            "x509-trust",
            rule,
            with_inputs(ci_stack(), provider_, x509={"trustStore": {"trustAnchors": [{"pemCertificate": "x"}]}}),
            ((provider_, "trusts a certificate authority"),),
        ),
        Case(
            "trust-domain-pool",
            rule,
            with_inputs(ci_stack(), pool, mode="TRUST_DOMAIN"),
            ((pool, "sets mode TRUST_DOMAIN"),),
        ),
        Case(
            "pool-trusts-other-domains",
            rule,
            with_inputs(ci_stack(), pool, inlineTrustConfig={"additionalTrustBundles": [{"trustDomain": "x"}]}),
            ((pool, "trusts certificates of other trust domains"),),
        ),
        Case(
            "pool-attestation-rules",
            rule,
            with_inputs(ci_stack(), pool, attestationRules=[{"googleCloudResource": "//x"}]),
            ((pool, "decides which Google Cloud workloads receive an identity"),),
        ),
        Case(
            "unknown-input",
            rule,
            with_inputs(ci_stack(), provider_, trustEverything=True),
            ((provider_, "trustEverything, which is not an input whose effect"),),
        ),
        Case(
            "federation-only-disabled-and-abandoned-stay-clean",
            rule,
            with_inputs(
                with_inputs(ci_stack(), pool, mode="FEDERATION_ONLY", deletionPolicy="ABANDON"),
                provider_,
                disabled=True,
            ),
        ),
    ]


def cases_pool_full_names() -> list[Case]:
    rule, wide = "federated-grants-pinned-by-provider", "no-pool-wide-federated-principals"
    own_pool = f"projects/{project_number(TEAM_PROJECT)}/locations/global/workloadIdentityPools/claude-platform"
    other = f"principalSet://iam.googleapis.com/{OTHER_POOL}/attribute.repository/acme/payments-app"
    mine = f"principalSet://iam.googleapis.com/{own_pool}/attribute.repository/acme/payments-app"
    return [
        Case(
            "same-pool-id-in-another-project",
            rule,
            added(ci_stack(), CI_GRANT, "borrowed", member=other),
            (("borrowed", f"pool {OTHER_POOL} has no provider in this stack"),),
        ),
        Case(
            "same-pool-id-in-another-project-at-preview",
            rule,
            added(ci_stack(preview=True), CI_GRANT, "borrowed", member=other),
            (("borrowed", f"pool {OTHER_POOL} has no provider in this stack"),),
        ),
        Case("own-pool-by-full-name", rule, added(ci_stack(), CI_GRANT, "mine", member=mine)),
        Case(
            "whole-pool-named-by-full-name",
            wide,
            added(ci_stack(), CI_GRANT, "everyone", member=f"principalSet://iam.googleapis.com/{own_pool}/*"),
            (("everyone", f"every identity of pool {own_pool} "),),
        ),
    ]


def cases_own_accounts() -> list[Case]:
    grants, adoption = "service-account-grants-on-own-accounts", "foreign-accounts-untouched"
    return [
        Case("program-accounts", adoption, full_stack()),
        Case(
            "adopted-account-grant",
            grants,
            with_inputs(program_stack(), AGENT, createIgnoreAlreadyExists="TRUE"),
            ((AGENT_GRANT, "not a service account this stack creates in its own project"),),
        ),
        Case(
            "adopted-account-grant-at-preview",
            grants,
            with_inputs(program_stack(preview=True), AGENT, createIgnoreAlreadyExists=1),
            ((AGENT_GRANT, "adopts an existing account (createIgnoreAlreadyExists)"),),
        ),
        Case(
            "account-in-another-project",
            grants,
            with_inputs(program_stack(), AGENT, project="claude-payments-prod"),
            ((AGENT_GRANT, "not a service account this stack creates in its own project"),),
        ),
        Case(
            "account-in-another-project-at-preview",
            grants,
            with_inputs(program_stack(preview=True), AGENT, project="claude-payments-prod"),
            ((AGENT_GRANT, "is in project claude-payments-prod, not this stack's own project"),),
        ),
        Case(
            "create-ignore-false-is-own",
            grants,
            with_inputs(program_stack(), AGENT, createIgnoreAlreadyExists="false"),
        ),
        Case(
            "adopting-deletes-on-destroy",
            adoption,
            with_inputs(program_stack(), AGENT, createIgnoreAlreadyExists="t"),
            ((AGENT, "with deletionPolicy DELETE (the default)"),),
        ),
        Case(
            "adopting-and-disabling",
            adoption,
            with_inputs(
                program_stack(), AGENT, createIgnoreAlreadyExists=True, deletionPolicy="ABANDON", disabled="TRUE"
            ),
            ((AGENT, "sets disabled to TRUE"),),
        ),
        Case(
            "adopting-unknown-at-preview",
            adoption,
            with_inputs(program_stack(preview=True), AGENT, createIgnoreAlreadyExists=UNKNOWN),
            ((AGENT, "`pulumi destroy`, or a replacement, deletes an account"),),
        ),
        Case(
            "adopting-but-abandoned-on-destroy",
            adoption,
            with_inputs(program_stack(), AGENT, createIgnoreAlreadyExists=True, deletionPolicy="ABANDON"),
        ),
    ]


def cases_service_agents() -> list[Case]:
    rule = "known-principals-only"
    agents = [
        "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com",
        "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com",
        "serviceAccount:service-org-123456789012@gcp-sa-logging.iam.gserviceaccount.com",
        "serviceAccount:p123456789012-123456@gcp-sa-logging.iam.gserviceaccount.com",
        "serviceAccount:claude-agent@gcp-sa-aiplatform.iam.gserviceaccount.com",
    ]
    return [
        *(
            Case(
                f"service-agent-{i}",
                rule,
                [project_member("g", CUSTOM, agent)],
                (("g", "Google-managed service agent"),),
            )
            for i, agent in enumerate(agents)
        ),
        Case(
            "service-agent-granted-by-the-program",
            rule,
            with_grant(program_stack(), agents[0], like="platform-grant-group:platform-devs@example.com"),
            ((f"platform-grant-{agents[0]}", "Google-managed service agent"),),
        ),
        Case(
            "user-managed-account-of-another-project",
            rule,
            [project_member("g", CUSTOM, "serviceAccount:claude-ci@claude-payments-prod.iam.gserviceaccount.com")],
        ),
    ]


def cases_member_allow_lists() -> list[Case]:
    rule = "members-in-allowed-domains"
    domains = {"allowedMemberDomains": ["example.com"]}
    workforce = f"principalSet://{WORKFORCE}/group/platform-devs"
    other_sa = "serviceAccount:claude-ci@claude-payments-prod.iam.gserviceaccount.com"
    own_sa = "serviceAccount:claude-ci@claude-platform-dev.iam.gserviceaccount.com"
    return [
        Case("program-stack", rule, full_stack(), config=domains),
        Case(
            "program-grants-a-workforce-group",
            rule,
            with_grant(program_stack(), workforce, like="platform-grant-group:platform-devs@example.com"),
            ((f"platform-grant-{workforce}", "outside allowedWorkforcePools []"),),
            config=domains,
        ),
        Case(
            "program-grants-a-listed-workforce-group",
            rule,
            with_grant(program_stack(preview=True), workforce, like="platform-grant-group:platform-devs@example.com"),
            config={**domains, "allowedWorkforcePools": ["acme-okta"]},
        ),
        Case(
            "program-impersonator-of-another-project",
            rule,
            program_stack(accounts=(("claude-agent", (other_sa,)),)),
            ((f"platform-sa-claude-agent-impersonator-{other_sa}", "outside allowedServiceAccountProjects []"),),
            config=domains,
        ),
        Case(
            "workforce-pool-not-listed",
            rule,
            [project_member("g", CUSTOM, workforce)],
            (("g", "a principal of workforce pool acme-okta, which is outside allowedWorkforcePools []"),),
            config=domains,
        ),
        Case(
            "workforce-pool-listed",
            rule,
            [project_member("g", CUSTOM, workforce)],
            config={**domains, "allowedWorkforcePools": ["acme-*"]},
        ),
        Case(
            "other-projects-account",
            rule,
            [project_member("g", CUSTOM, other_sa)],
            (("g", "a service account of project claude-payments-prod (the grant is in claude-platform-dev)"),),
            config=domains,
        ),
        Case(
            "other-projects-account-as-impersonator",
            rule,
            [sa_member("s", "roles/iam.serviceAccountTokenCreator", other_sa)],
            (("s", "outside allowedServiceAccountProjects []"),),
            config={"allowedWorkforcePools": ["acme-okta"]},
        ),
        Case(
            "other-project-listed",
            rule,
            [project_member("g", CUSTOM, other_sa)],
            config={**domains, "allowedServiceAccountProjects": ["claude-payments-*"]},
        ),
        Case("own-projects-account", rule, [project_member("g", CUSTOM, own_sa)], config=domains),
        Case(
            "nothing-configured-nothing-judged",
            rule,
            [project_member("g", CUSTOM, workforce), project_member("h", CUSTOM, other_sa)],
        ),
    ]


def cases_data_access() -> list[Case]:
    rule = "audit-configs-keep-data-access"
    return [
        Case("program-audit-config", rule, program_stack()),
        Case(
            "all-services-admin-only",
            rule,
            [audit_config("a", [{"logType": "ADMIN_READ"}], "allServices")],
            (("a", "replaces the project's audit configuration for every service of the project"),),
        ),
        Case(
            "vertex-writes-only",
            rule,
            with_inputs(program_stack(), "platform-vertex-data-access", auditLogConfigs=[{"logType": "DATA_WRITE"}]),
            (("platform-vertex-data-access", "logs DATA_WRITE without DATA_READ"),),
        ),
        Case(
            "vertex-nothing",
            rule,
            with_inputs(program_stack(), "platform-vertex-data-access", auditLogConfigs=[]),
            (("platform-vertex-data-access", "logs nothing without DATA_READ"),),
        ),
        Case(
            "other-service-with-data-read",
            rule,
            [audit_config("a", [{"logType": "ADMIN_READ"}, {"logType": "DATA_READ"}], "storage.googleapis.com")],
        ),
    ]


def cases_guardrail_targets() -> list[Case]:
    rule = "guardrails-on-own-project"
    audit = "platform-vertex-data-access"

    def cap(records: list[dict[str, Any]]) -> str:
        return next(r["name"] for r in records if r["type"] == QUOTA_T)

    def without_project(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        inputs = {k: v for k, v in named(records, audit)["inputs"].items() if k != "project"}
        return [r if r["name"] != audit else {**r, "inputs": inputs} for r in records]

    stack = guarded_stack()
    return [
        Case("program-guardrails", rule, stack),
        Case("program-guardrails-preview", rule, guarded_stack(preview=True)),
        Case("adopted-project-guardrails", rule, guarded_stack(create=False, project_id="shared-ml-research")),
        Case(
            "quota-on-another-project",
            rule,
            with_inputs(stack, cap(stack), parent="projects/claude-payments-prod"),
            ((cap(stack), "is set on projects/claude-payments-prod, not on this stack's own project"),),
        ),
        Case(
            "quota-on-a-folder",
            rule,
            with_inputs(stack, cap(stack), parent="folders/123456789012"),
            ((cap(stack), "reaches every project under it"),),
        ),
        Case(
            "audit-on-another-project",
            rule,
            with_inputs(stack, audit, project="claude-payments-prod"),
            ((audit, "Audit config for aiplatform.googleapis.com is set on claude-payments-prod"),),
        ),
        Case(
            "audit-on-the-provider-default-project",
            rule,
            without_project(guarded_stack(preview=True)),
            ((audit, "the provider's default project"),),
        ),
        Case(
            "own-project-cannot-be-told",
            rule,
            [stack_root(), quota("q")],
            (("q", "cannot be tied to this stack's own project"),),
        ),
    ]


def caps_elsewhere(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for cap in [r["name"] for r in records if r["type"] == QUOTA_T]:
        records = with_inputs(records, cap, parent="projects/other-team-prod")
    return records


def cases_required_guardrails() -> list[Case]:
    rule = "required-guardrails"
    every = {"requireBudget": True, "requireAuditLogs": True, "requireQuotaCaps": True}
    budget = {"requireBudget": True}
    stack = guarded_stack()
    root = "claude-vertex-dev"
    return [
        Case("program-guardrails", rule, stack, config=every),
        Case("program-guardrails-preview", rule, guarded_stack(preview=True), config=every),
        Case(
            "budget-of-another-project",
            rule,
            with_inputs(stack, "platform-budget", budgetFilter={"projects": ["projects/999999999999"]}),
            ((root, "its filter names projects/999999999999, not only this stack's own project"),),
            config=budget,
        ),
        Case(
            "budget-of-the-whole-account",
            rule,
            with_inputs(stack, "platform-budget", budgetFilter={"calendarPeriod": "MONTH"}),
            ((root, "watches the whole billing account"),),
            config=budget,
        ),
        Case(
            "budget-of-nothing",
            rule,
            with_inputs(stack, "platform-budget", amount={"specifiedAmount": {"units": "0"}}),
            ((root, "no positive specifiedAmount"),),
            config=budget,
        ),
        Case(
            "budget-of-last-month",
            rule,
            with_inputs(stack, "platform-budget", amount={"lastPeriodAmount": {}}),
            ((root, "no positive specifiedAmount"),),
            config=budget,
        ),
        Case(
            "budget-nobody-hears-of",
            rule,
            with_inputs(
                stack,
                "platform-budget",
                allUpdatesRule={"disableDefaultIamRecipients": "true", "monitoringNotificationChannels": []},
            ),
            ((root, "it notifies nobody"),),
            config=budget,
        ),
        Case(
            "budget-with-default-recipients-only",
            rule,
            with_inputs(stack, "platform-budget", allUpdatesRule={"monitoringNotificationChannels": []}),
            config=budget,
        ),
        Case(
            "audit-logs-on-another-project",
            rule,
            with_inputs(stack, "platform-vertex-data-access", project="claude-payments-prod"),
            ((root, "platform-vertex-data-access does not count: it is not on this stack's own project"),),
            config={"requireAuditLogs": True},
        ),
        Case(
            "caps-on-another-project",
            rule,
            caps_elsewhere(stack),
            ((root, "is not on this stack's own project"),),
            config={"requireQuotaCaps": True},
        ),
        Case(
            "adopted-project-budget-cannot-be-tied",
            rule,
            guarded_stack(create=False, project_id="shared-ml-research"),
            ((root, "not only this stack's own project (by number: not known to this stack)"),),
            config=budget,
        ),
    ]


def cases_trust() -> list[Case]:
    return [
        *cases_workload_identity_inputs(),
        *cases_pool_full_names(),
        *cases_own_accounts(),
        *cases_service_agents(),
        *cases_member_allow_lists(),
        *cases_data_access(),
        *cases_guardrail_targets(),
        *cases_required_guardrails(),
    ]


# --- issue 18: no dynamic resources (the engine hides their code from every pack) -----------------------------------

OLD_GATE = "platform-iam-ready"


def old_gate(**inputs: Any) -> dict[str, Any]:
    """The readiness gate as the program registered it before the package: a dynamic resource, exactly pinned."""
    pinned = {"project": TEAM_PROJECT, "service": "iam.googleapis.com", "endpoint": "https://iam.googleapis.com"}
    return record("pulumi-python:dynamic/readiness:IamReady", OLD_GATE, {**pinned, **inputs})


def cases_dynamic_resources() -> list[Case]:
    rule = "no-dynamic-resources"
    hidden = "the engine hides a dynamic resource's code from every policy pack"
    return [
        Case("program-stack", rule, full_stack()),
        Case("program-stack-preview", rule, full_stack(preview=True)),
        Case("program-stack-adopting", rule, program_stack(create=False, project_id="shared-ml-research")),
        # The gate the pack used to allow, inputs pinned to the letter: what runs is still invisible.
        Case(
            "the-old-gate-exactly-pinned",
            rule,
            [*program_stack(), old_gate()],
            ((OLD_GATE, f"pulumi-python:dynamic/readiness:IamReady is a dynamic resource: {hidden}"),),
        ),
        Case(
            "the-old-gate-unknown-at-preview",
            rule,
            [*program_stack(preview=True), old_gate(endpoint=UNKNOWN)],
            ((OLD_GATE, "is a dynamic resource"),),
        ),
        Case(
            "untyped-dynamic-resource",
            rule,
            [record("pulumi-python:dynamic:Resource", "dyn", {"project": TEAM_PROJECT})],
            (("dyn", "pulumi-python:dynamic:Resource is a dynamic resource"),),
        ),
        Case(
            "nodejs-dynamic-resource",
            rule,
            [record("pulumi-nodejs:dynamic:Resource", "js", {})],
            (("js", "pulumi-nodejs:dynamic:Resource is a dynamic resource"),),
        ),
        Case(
            "another-module-of-the-dynamic-package",
            rule,
            [record("pulumi-python:other/x:Y", "other", {})],
            (("other", "is a dynamic resource"),),
        ),
        Case(
            "another-languages-dynamic-resource",
            rule,
            [record("pulumi-java:dynamic/things:Thing", "java", {})],
            (("java", "pulumi-java:dynamic/things:Thing is a dynamic resource"),),
        ),
        Case(
            "the-engines-dynamic-provider",
            rule,
            [default_provider("pulumi-python", STACK_CONFIG)],
            (("default", "pulumi:providers:pulumi-python is the engine's dynamic provider"),),
        ),
        Case(
            "the-engines-nodejs-dynamic-provider",
            rule,
            [default_provider("pulumi-nodejs")],
            (("default", "pulumi:providers:pulumi-nodejs is the engine's dynamic provider"),),
        ),
        Case(
            "an-explicit-dynamic-provider",
            rule,
            [explicit_provider(DYNAMIC_PROVIDER_T, "mine", {})],
            (("mine", "is the engine's dynamic provider"),),
        ),
        # Look-alikes: dynamic in a name or a value, a package whose name starts like one, other providers.
        Case(
            "dynamic-in-names-and-values-only",
            rule,
            [
                record(ACCOUNT_T, "pulumi-python-dynamic", {"project": TEAM_PROJECT, "accountId": "pulumi-python"}),
                record(SERVICE_T, "dynamic-api", {"project": TEAM_PROJECT, "service": "pulumi-python.googleapis.com"}),
            ],
        ),
        Case(
            "packages-that-only-look-alike",
            rule,
            [
                record("pulumiservice:index:Webhook", "hook", {}),
                record("gcp:dynamic/thing:Thing", "gcp-dynamic", {}),
                record("pulumi-gcp:index/thing:Thing", "pulumi-prefixed", {}),
                record("python:dynamic/x:Y", "no-pulumi-prefix", {}),
            ],
        ),
        Case(
            "other-providers",
            rule,
            [
                gcp_default(project=TEAM_PROJECT),
                default_provider("pulumiservice", version="0.30.0"),
                explicit_provider("pulumi:providers:command", "cmd", {}),
            ],
        ),
    ]


# --- issue 19: the component package's provider, which the engine registers for a program in another language ------

COMPONENT_PROVIDER_T = "pulumi:providers:claude-vertex"
RELEASE_SOURCE = "git://github.com/acme/claude-vertex/components"
"""The platform's own release, as `pulumi package add github.com/acme/claude-vertex/components@v0.1.0` records it."""


def renamed(provider: dict[str, Any], name: str) -> dict[str, Any]:
    """A provider record under another name (its URN follows)."""
    return {**provider, "name": name, "urn": provider["urn"].rsplit("::", 1)[0] + "::" + name}


def cases_component_provider() -> list[Case]:
    """A YAML, TypeScript or Go program creates `ClaudeVertexTeam` through the package's plugin: the engine registers
    the package's default provider (`default`, or `default_<version>` with a version from `pulumi package add`'s lock
    file) before the team, as `pulumi preview` under the real engine shows (tests/e2e/test_consumer_programs.py)."""
    rule = "allowed-resource-types"
    unversioned = default_provider("claude-vertex")
    versioned = default_provider("claude-vertex", version="0.1.0")
    with_url = renamed(versioned, "default_0_1_0_git_/github.com/evil/claude-vertex/components")
    # What the engine registered under `pulumi preview` for a release added from git (the name it gives, checked
    # with a remote ClaudeVertexTeam carrying the plugin URL `pulumi package add` records).
    platform_release = renamed(versioned, "default_0_1_0_git_/github.com/acme/claude-vertex/components")
    gcp = gcp_default()
    gcp_from_release = renamed(gcp, "default_10_2_0_git_/github.com/acme/claude-vertex/components")
    return [
        Case("component-default-provider", rule, [unversioned]),
        Case("component-default-provider-of-a-version", rule, [versioned]),
        Case(
            "component-default-provider-given-the-stack-config",
            rule,
            [default_provider("claude-vertex", {"team": "payments"}, version="0.1.0")],
            (("default_0_1_0", "team (claude-vertex:team in the stack's config)"),),
        ),
        Case(
            "component-provider-the-program-registers",
            rule,
            [explicit_provider(COMPONENT_PROVIDER_T, "mine", {})],
            (("mine", "is not the engine's default provider"),),
        ),
        Case(
            "component-default-provider-with-a-plugin-url",
            rule,
            [with_url],
            ((with_url["name"], "plugin download URL"),),
        ),
        Case(
            "component-default-provider-from-the-platform-s-release",
            rule,
            [platform_release],
            config={"componentSources": [RELEASE_SOURCE]},
        ),
        Case(
            "component-default-provider-from-the-platform-s-release-unlisted",
            rule,
            [platform_release],
            ((platform_release["name"], "plugin download URL"),),
        ),
        Case(
            "component-default-provider-from-another-owner-s-release",
            rule,
            [with_url],
            ((with_url["name"], "plugin download URL"),),
            config={"componentSources": [RELEASE_SOURCE]},
        ),
        Case(
            "gcp-default-provider-named-after-a-listed-source",
            rule,
            [gcp_from_release],
            ((gcp_from_release["name"], "plugin download URL"),),
            config={"componentSources": [RELEASE_SOURCE]},
        ),
        Case(
            "an-explicit-component-provider-named-after-a-listed-source",
            rule,
            [explicit_provider(COMPONENT_PROVIDER_T, platform_release["name"], {"version": "0.1.0"})],
            ((platform_release["name"], "is not the engine's default provider"),),
            config={"componentSources": [RELEASE_SOURCE]},
        ),
        Case(
            "a-look-alike-package-provider",
            rule,
            [default_provider("claude-vertex-extras")],
            (("default", "pulumi:providers:claude-vertex-extras is not a resource type"),),
        ),
    ]


# --- issue 20: the gateway stack (the real gateway program, edits of it, and look-alikes that stay clean) ----------

GW_PROJECT = "acme-claude-gateway"
GW_ACCOUNT = f"serviceAccount:acme-gateway@{GW_PROJECT}.iam.gserviceaccount.com"
GW_ROLE_GRANT = "acme-gateway-payments-role"
TEAM_ROLE = "projects/claude-payments-prod/roles/claudeVertexPayments"
CLOUD_RUN_T = "gcp:cloudrunv2/service:Service"
CLOUD_RUN_JOB_T = "gcp:cloudrunv2/job:Job"
SQL_T = "gcp:sql/databaseInstance:DatabaseInstance"
SQL_USER_T = "gcp:sql/user:User"
SECRET_T = "gcp:secretmanager/secret:Secret"
SECRET_VERSION_T = "gcp:secretmanager/secretVersion:SecretVersion"
SECRET_MEMBER_T = "gcp:secretmanager/secretIamMember:SecretIamMember"
RUN_MEMBER_T = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
DIGEST = "europe-west1-docker.pkg.dev/acme/claude/gateway@sha256:" + "4f1c" * 16
GOOD_GATEWAY_YAML = """\
listen: {host: 0.0.0.0, port: 8080, public_url: https://claude-gateway.corp.acme.example}
oidc: {issuer: https://login.acme.example/, client_id: claude-gateway, client_secret: "${OIDC_CLIENT_SECRET}"}
session: {jwt_secret: ["${JWT_SECRET}", "${file:/run/secrets/previous-jwt}"]}
store: {postgres_url: "postgres://gateway:${DB_PASSWORD}@${DB_HOST}:5432/gateway?sslmode=require"}
upstreams:
  - {name: payments, provider: vertex, region: global, project_id: claude-payments-prod, auth: {}}
admin: {write_keys: [{id: deploy, key: "${ADMIN_WRITE_KEY}"}]}
oidc_note: token_endpoint_auth_method is not a credential
"""


def gw(preview: bool = False, **changes: Any) -> list[dict[str, Any]]:
    return gateway_program_stack(preview=preview, **changes)


def of(records: list[dict[str, Any]], type_: str, name: str) -> dict[str, Any]:
    (found,) = [r for r in records if r["type"] == type_ and r["name"] == name]
    return found


def edited(records: list[dict[str, Any]], type_: str, name: str, /, **inputs: Any) -> list[dict[str, Any]]:
    """The records with one resource's inputs changed (and its outputs, as applied), found by type and name."""
    changed = []
    for rec in records:
        if rec["type"] == type_ and rec["name"] == name:
            rec = {**rec, "inputs": {**rec["inputs"], **inputs}}
            if rec.get("outputs") is not None:
                rec["outputs"] = {**rec["outputs"], **inputs}
        changed.append(rec)
    return changed


def without(records: list[dict[str, Any]], type_: str, name: str, *keys: str) -> list[dict[str, Any]]:
    """The records with inputs `keys` of one resource removed (as if the program never set them)."""
    changed = []
    for rec in records:
        if rec["type"] == type_ and rec["name"] == name:
            rec = {**rec, "inputs": {k: v for k, v in rec["inputs"].items() if k not in keys}}
            if rec.get("outputs") is not None:
                rec["outputs"] = {k: v for k, v in rec["outputs"].items() if k not in keys}
        changed.append(rec)
    return changed


def added_like(
    records: list[dict[str, Any]], type_: str, like: str, name: str, /, **inputs: Any
) -> list[dict[str, Any]]:
    """The records plus a copy of one resource (same parent, dependencies and outputs), renamed, inputs changed."""
    template = of(records, type_, like)
    copy_ = {**template, "name": name, "urn": template["urn"].rsplit("::", 1)[0] + f"::{name}"}
    copy_["inputs"] = {**template["inputs"], **inputs}
    if template.get("outputs") is not None:
        copy_["outputs"] = {**template["outputs"], **inputs}
    return [*records, copy_]


def service(**inputs: Any) -> dict[str, Any]:
    base = {
        "name": "gw",
        "ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY",
        "invokerIamDisabled": True,
        "template": {"serviceAccount": "gw@p-gateway.iam.gserviceaccount.com", "containers": [{"image": DIGEST}]},
    }
    return record(CLOUD_RUN_T, "svc", {k: v for k, v in {**base, **inputs}.items() if v is not None})


def job(containers: Any, name: str = "job") -> dict[str, Any]:
    return record(CLOUD_RUN_JOB_T, name, {"name": name, "template": {"template": {"containers": containers}}})


def sql(settings: Any = None, name: str = "db", **inputs: Any) -> dict[str, Any]:
    good = {
        "deletionProtectionEnabled": True,
        "ipConfiguration": {
            "ipv4Enabled": False,
            "privateNetwork": "projects/p/global/networks/n",
            "sslMode": "ENCRYPTED_ONLY",
        },
        "backupConfiguration": {"enabled": True, "pointInTimeRecoveryEnabled": True},
    }
    return record(
        SQL_T,
        name,
        {"name": name, "deletionProtection": True, "settings": good if settings is None else settings, **inputs},
    )


def ip_config(**changes: Any) -> dict[str, Any]:
    config = {"ipv4Enabled": False, "privateNetwork": "projects/p/global/networks/n", "sslMode": "ENCRYPTED_ONLY"}
    return {
        "deletionProtectionEnabled": True,
        "backupConfiguration": {"enabled": True, "pointInTimeRecoveryEnabled": True},
        "ipConfiguration": {k: v for k, v in {**config, **changes}.items() if v is not None},
    }


def version(data: Any, name: str = "ver", **inputs: Any) -> dict[str, Any]:
    return record(SECRET_VERSION_T, name, {"secret": "projects/p/secrets/cfg", "secretData": data, **inputs})


def yaml_with(old: str, new: str) -> str:
    assert old in GOOD_GATEWAY_YAML
    return GOOD_GATEWAY_YAML.replace(old, new)


@functools.cache
def _team_stack() -> tuple[dict[str, Any], ...]:
    return tuple(program_stack())


def team_stack() -> list[dict[str, Any]]:
    """The suite's team stack (`program_stack()`), rendered once for the gateway cases that compare against it (its
    records shared, as `gateway_program_stack`'s are)."""
    return list(_team_stack())


def cases_gateway_resources() -> list[Case]:
    """The resource rules a gateway's types meet: ingress, invokers, images, endpoints, database, credentials."""
    ingress, invoker, image = "gateway-ingress-internal", "gateway-no-public-invoker", "gateway-image-by-digest"
    endpoints, private_db, recoverable = "gateway-endpoints-private", "database-private-ip-only", "database-recoverable"
    state, public = "no-credentials-in-state", "no-public-principals"
    run_member = {"name": "projects/p/locations/r/services/gw", "role": "roles/run.invoker"}
    secret_env = {"name": "JWT_SECRET", "valueSource": {"secretKeyRef": {"secret": "jwt", "version": "latest"}}}
    backups = {"enabled": True, "pointInTimeRecoveryEnabled": True}
    return [
        Case("job-has-no-ingress", ingress, [job([{"image": DIGEST}])]),
        Case(
            "ingress-absent-is-all",
            ingress,
            [service(ingress=None)],
            (
                ("svc", "absent, which is Google's default INGRESS_TRAFFIC_ALL"),
                ("svc", "turns the IAM invoker check off"),
            ),
        ),
        Case(
            "ingress-all-with-iap",
            ingress,
            [service(ingress="INGRESS_TRAFFIC_ALL", invokerIamDisabled=False, iapEnabled=True)],
            (("svc", "INGRESS_TRAFFIC_ALL, which is not internal-only"),),
        ),
        Case(
            "internal-load-balancer-admits-external-ones",
            ingress,
            [service(ingress="INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", iapEnabled=True)],
            (("svc", "Google's external load balancers reach it too"), ("svc", "IAP (iapEnabled is")),
        ),
        Case(
            "ingress-unknown-at-preview",
            ingress,
            [service(ingress=UNKNOWN)],
            (("svc", "<unknown until apply>"),),
        ),
        Case(
            "invoker-to-a-service-account",
            invoker,
            [record(RUN_MEMBER_T, "inv", {**run_member, "member": GW_ACCOUNT})],
        ),
        Case(
            "invoker-to-all-users",
            invoker,
            [record(RUN_MEMBER_T, "inv", {**run_member, "member": "allUsers"})],
            (("inv", "to allUsers: anyone could invoke"),),
        ),
        Case(
            "job-runner-to-all-authenticated-users",
            invoker,
            [
                record(
                    "gcp:cloudrunv2/jobIamMember:JobIamMember",
                    "inv",
                    {"name": "j", "role": "roles/run.developer", "member": "allAuthenticatedUsers"},
                )
            ],
            (("inv", "to allAuthenticatedUsers"),),
        ),
        Case(
            "v1-binding-and-v2-policy",
            invoker,
            [
                record(
                    "gcp:cloudrun/iamBinding:IamBinding",
                    "v1",
                    {"service": "s", "role": "roles/run.invoker", "members": ["allUsers"]},
                ),
                record(
                    "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
                    "pol",
                    {
                        "name": "s",
                        "policyData": json.dumps(
                            {"bindings": [{"role": "roles/run.invoker", "members": ["allUsers"]}]}
                        ),
                    },
                ),
            ],
            (("v1", "allUsers"), ("pol", "allUsers")),
        ),
        Case(
            "invoker-role-on-the-project",
            invoker,
            [project_member("g", "roles/run.invoker", "allUsers")],
            (("g", "roles/run.invoker on project 'claude-platform-dev' to allUsers"),),
        ),
        Case(
            "public-secret-reader-is-not-an-invoker",
            invoker,
            [
                record(
                    SECRET_MEMBER_T,
                    "s",
                    {"secretId": "x", "role": "roles/secretmanager.secretAccessor", "member": "allUsers"},
                )
            ],
        ),
        Case(
            "public-secret-reader",
            public,
            [
                record(
                    SECRET_MEMBER_T,
                    "s",
                    {"secretId": "x", "role": "roles/secretmanager.secretAccessor", "member": "allUsers"},
                )
            ],
            (("s", "anyone on the internet"),),
        ),
        Case(
            "public-invoker",
            public,
            [record(RUN_MEMBER_T, "inv", {**run_member, "member": "allAuthenticatedUsers"})],
            (("inv", "anyone with any Google account"),),
        ),
        Case("job-by-digest", image, [job([{"image": DIGEST}])]),
        Case(
            "service-by-tag",
            image,
            [service(template={"containers": [{"image": "europe-west1-docker.pkg.dev/acme/claude/gateway:2.1.331"}]})],
            (("svc", "gateway:2.1.331, not one named by digest"),),
        ),
        Case(
            "tag-and-digest-look-alikes",
            image,
            [
                job([{"image": DIGEST.replace("4f1c", "4F1C")}], "upper"),
                job([{"image": DIGEST[:-2]}], "short"),
                job([{"image": "@sha256:" + "a" * 64}], "nameless"),
            ],
            (("upper", "not one named by digest"), ("short", "not one named by digest"), ("nameless", "not one named")),
        ),
        Case(
            "base-image-updates",
            image,
            [job([{"image": DIGEST, "baseImageUri": "us-central1-docker.pkg.dev/serverless-runtimes/nodejs22"}])],
            (("job", "Google then replaces the base image"),),
        ),
        Case(
            "containers-unknown", image, [service(template=UNKNOWN)], (("svc", "has no containers the pack can read"),)
        ),
        Case(
            "internal-defaults-and-values",
            endpoints,
            [
                record("gcp:compute/regionBackendService:RegionBackendService", "be", {"name": "be"}),
                record("gcp:compute/forwardingRule:ForwardingRule", "fr", {"loadBalancingScheme": "INTERNAL"}),
                record("gcp:compute/address:Address", "ad", {"addressType": "INTERNAL"}),
                record("gcp:dns/managedZone:ManagedZone", "zone", {"visibility": "private"}),
            ],
        ),
        Case(
            "external-by-default",
            endpoints,
            [
                record("gcp:compute/forwardingRule:ForwardingRule", "fr", {"name": "fr", "target": "proxy"}),
                record("gcp:compute/address:Address", "ad", {"name": "ad"}),
                record("gcp:compute/globalAddress:GlobalAddress", "ga", {"purpose": "VPC_PEERING"}),
                record("gcp:dns/managedZone:ManagedZone", "zone", {"dnsName": "corp.acme.example."}),
            ],
            (
                ("fr", "loadBalancingScheme absent, which the provider reads as EXTERNAL"),
                ("ad", "addressType absent, which the provider reads as EXTERNAL"),
                ("ga", "addressType absent"),
                ("zone", "visibility absent, which the provider reads as public"),
            ),
        ),
        Case(
            "external-managed",
            endpoints,
            [
                record("gcp:compute/forwardingRule:ForwardingRule", "fr", {"loadBalancingScheme": "EXTERNAL_MANAGED"}),
                record(
                    "gcp:compute/regionBackendService:RegionBackendService", "be", {"loadBalancingScheme": "EXTERNAL"}
                ),
                record("gcp:compute/address:Address", "ad", {"addressType": UNKNOWN}),
            ],
            (
                ("fr", "EXTERNAL_MANAGED, not INTERNAL"),
                ("be", "loadBalancingScheme EXTERNAL"),
                ("ad", "<unknown until apply>"),
            ),
        ),
        Case(
            "trusted-client-certificates", private_db, [sql(ip_config(sslMode="TRUSTED_CLIENT_CERTIFICATE_REQUIRED"))]
        ),
        Case(
            "public-ip-by-default",
            private_db,
            [sql(ip_config(ipv4Enabled=None))],
            (("db", "ipv4Enabled is absent, which Google reads as true"),),
        ),
        Case(
            "public-ip-and-open-networks",
            private_db,
            [sql(ip_config(ipv4Enabled=True, authorizedNetworks=[{"value": "0.0.0.0/0"}], privateNetwork=None))],
            (
                ("db", "public IP address (ipv4Enabled is"),
                ("db", "admits authorizedNetworks"),
                ("db", "names no privateNetwork"),
            ),
        ),
        Case(
            "unencrypted-allowed",
            private_db,
            [sql(ip_config(sslMode=None)), sql(ip_config(sslMode="ALLOW_UNENCRYPTED_AND_ENCRYPTED"), name="db2")],
            (("db", "sslMode is absent"), ("db2", "sslMode is ALLOW_UNENCRYPTED_AND_ENCRYPTED")),
        ),
        Case(
            "private-service-connect",
            private_db,
            [sql(ip_config(pscConfigs=[{"pscEnabled": True, "allowedConsumerProjects": ["other"]}]))],
            (("db", "Private Service Connect"),),
        ),
        Case("psc-off", private_db, [sql(ip_config(pscConfigs=[{"pscEnabled": False}]))]),
        Case(
            "no-settings",
            private_db,
            [sql({})],
            (("db", "ipv4Enabled is absent"), ("db", "sslMode is absent"), ("db", "no privateNetwork")),
        ),
        Case("settings-unknown", private_db, [sql(UNKNOWN)], (("db", "cannot be read"),)),
        Case(
            "pulumi-protection-by-default",
            recoverable,
            [record(SQL_T, "db", {"settings": {"deletionProtectionEnabled": True, "backupConfiguration": backups}})],
        ),
        Case(
            "no-backups",
            recoverable,
            [sql({"deletionProtectionEnabled": True, "backupConfiguration": {"enabled": False}})],
            (("db", "takes no automated backups"), ("db", "pointInTimeRecoveryEnabled is absent")),
        ),
        Case(
            "deletable",
            recoverable,
            [sql({"backupConfiguration": backups}, deletionProtection=False)],
            (("db", "`pulumi destroy` or a replacement deletes it"), ("db", "deletionProtectionEnabled is absent")),
        ),
        Case(
            "database-passwords",
            state,
            [
                record(SQL_USER_T, "user", {"name": "gateway", "password": secret("hunter2")}),
                record(SQL_USER_T, "wo", {"name": "gateway", "passwordWo": "hunter2", "passwordWoVersion": 1}),
                sql(rootPassword="hunter2"),
            ],
            (("user", "password is set"), ("wo", "passwordWo is set"), ("db", "rootPassword is set")),
        ),
        Case("iam-database-user", state, [record(SQL_USER_T, "user", {"name": "gateway", "type": "BUILT_IN"})]),
        Case(
            "self-managed-certificate",
            state,
            [
                record(
                    "gcp:certificatemanager/certificate:Certificate",
                    "cert",
                    {"selfManaged": {"pemPrivateKey": "-----BEGIN"}},
                )
            ],
            (("cert", "selfManaged is set"),),
        ),
        Case(
            "plain-credential-env",
            state,
            [
                service(
                    template={
                        "containers": [{"image": DIGEST, "envs": [secret_env, {"name": "DB_PASSWORD", "value": "x"}]}]
                    }
                ),
                job([{"image": DIGEST, "envs": [{"name": "GATEWAY_ADMIN_WRITE_KEY", "value": secret("k")}]}]),
            ],
            (("svc", "DB_PASSWORD is given a value"), ("job", "GATEWAY_ADMIN_WRITE_KEY is given a value")),
        ),
        Case(
            "plain-settings-env",
            state,
            [
                job(
                    [
                        {
                            "image": DIGEST,
                            "envs": [
                                secret_env,
                                {"name": "SPEND_LIMITS", "value": "[]"},
                                {"name": "GATEWAY_URL", "value": "https://x"},
                            ],
                        }
                    ]
                )
            ],
        ),
    ]


def cases_gateway_config() -> list[Case]:
    """The one secret version a gateway stack writes: its gateway.yaml, with references in every credential field."""
    rule = "secret-versions-hold-references-only"
    return [
        Case("references", rule, [version(GOOD_GATEWAY_YAML)]),
        Case("references-as-a-pulumi-secret", rule, [version(secret(GOOD_GATEWAY_YAML))]),
        Case(
            "jwt-secret-in-a-list",
            rule,
            [version(yaml_with('"${file:/run/secrets/previous-jwt}"', "0123456789abcdef0123456789abcdef"))],
            (("ver", "session.jwt_secret[1] holds a value"),),
        ),
        Case(
            "oidc-client-secret",
            rule,
            [version(secret(yaml_with('"${OIDC_CLIENT_SECRET}"', "s3cr3t")))],
            (("ver", "oidc.client_secret holds a value"),),
        ),
        Case(
            "database-password-in-the-url",
            rule,
            [version(yaml_with("${DB_PASSWORD}", "hunter2"))],
            (("ver", "store.postgres_url carries a password"),),
        ),
        Case(
            "database-password-parameter",
            rule,
            [version(yaml_with("sslmode=require", "sslmode=require&password=hunter2"))],
            (("ver", "carries a password parameter"),),
        ),
        Case(
            "admin-key-and-upstream-credentials",
            rule,
            [
                version(
                    yaml_with('"${ADMIN_WRITE_KEY}"', "k" * 40).replace(
                        "auth: {}", 'auth: {access_token: "ya29.token"}, headers: {x-proxy-key: abc}'
                    )
                )
            ],
            (
                ("ver", "admin.write_keys[0].key holds a value"),
                ("ver", "upstreams[0].auth.access_token holds a value"),
                ("ver", "upstreams[0].headers.x-proxy-key holds a value"),
            ),
        ),
        Case(
            "a-later-field-named-like-a-credential",
            rule,
            [version(GOOD_GATEWAY_YAML + "telemetry: {forward_to: [{url: https://otel, api_token: t0k3n}]}\n")],
            (("ver", "telemetry.forward_to[0].api_token holds a value"),),
        ),
        Case(
            "no-value-in-any-message",
            rule,
            [version(yaml_with('"${OIDC_CLIENT_SECRET}"', "tell-no-one"))],
            (("ver", "oidc.client_secret holds a value, not a ${VAR}"),),
        ),
        Case(
            "not-a-gateway-yaml", rule, [version("hunter2")], (("ver", "it is not a mapping of gateway.yaml sections"),)
        ),
        Case("not-yaml", rule, [version("listen: [")], (("ver", "it is not YAML"),)),
        Case(
            "aliases-and-duplicates",
            rule,
            [
                version(GOOD_GATEWAY_YAML + "x: &a {b: 1}\ny: *a\n"),
                version(GOOD_GATEWAY_YAML + "session: {jwt_secret: plaintext}\n", name="dup"),
            ],
            (("ver", "anchors or aliases"), ("dup", "repeats the key 'session'")),
        ),
        Case("too-large", rule, [version(GOOD_GATEWAY_YAML + "#" * 65536)], (("ver", "larger than 65536 bytes"),)),
        Case("unknown-at-preview", rule, [version(UNKNOWN)], (("ver", "unknown until apply"),)),
        Case("secret-with-a-null-value", rule, [version(secret(None))], (("ver", "it holds no secretData"),)),
        Case(
            "write-only-and-base64",
            rule,
            [
                version(None, secretDataWo="hunter2"),
                version("bGlzdGVu", name="b64", isSecretDataBase64=True),
            ],
            (("ver", "secretDataWo"), ("b64", "isSecretDataBase64 is true")),
        ),
    ]


def cases_gateway_graph() -> list[Case]:
    """The stack rules on a gateway stack: its secrets, its workloads' accounts, its grants, and the teams behind it."""
    readers, runs_as = "secrets-read-by-own-accounts", "gateway-runs-as-own-account"
    minimal, humans = "gateway-account-minimal-role", "gateway-teams-grant-no-humans"
    reader = "acme-gateway-jwt-secret-gateway-reads"
    behind = {"teamsBehindGateway": ["payments", "research-*"]}
    return [
        Case("program-stack", readers, gw()),
        Case("program-stack-preview", readers, gw(preview=True)),
        Case(
            "adopted-gateway-project",
            readers,
            [r for r in gw() if r["type"] != PROJECT_T],
        ),
        Case(
            "reader-is-a-group",
            readers,
            edited(gw(), SECRET_MEMBER_T, reader, member="group:platform@acme.example"),
            ((reader, "it goes to group:platform@acme.example, which is not a service account"),),
        ),
        Case(
            "reader-is-another-projects-account",
            readers,
            edited(gw(), SECRET_MEMBER_T, reader, member="serviceAccount:ci@acme-platform.iam.gserviceaccount.com"),
            ((reader, "ci@acme-platform.iam.gserviceaccount.com, which is not a service account this stack creates"),),
        ),
        Case(
            "reader-of-another-stacks-secret",
            readers,
            added_like(
                gw(),
                SECRET_MEMBER_T,
                reader,
                "reads-payments-key",
                secretId="projects/acme-payments/secrets/deploy-key",
            ),
            (
                (
                    "reads-payments-key",
                    "it is on secret projects/acme-payments/secrets/deploy-key, which this stack does not",
                ),
            ),
        ),
        Case(
            "reader-unknown-from-elsewhere",
            readers,
            [
                secret_ := record(SECRET_T, "s", {"project": "p", "secretId": "s"}),
                record(
                    SECRET_MEMBER_T,
                    "r",
                    {"secretId": UNKNOWN, "role": "roles/secretmanager.secretAccessor", "member": UNKNOWN},
                    property_dependencies={"secretId": [secret_]},
                ),
            ],
            (("r", "a member unknown at preview that comes from no service account of this stack"),),
        ),
        Case(
            "project-wide-secret-roles",
            readers,
            [
                project_member("g", "roles/secretmanager.secretAccessor", GW_ACCOUNT),
                record(
                    FOLDER_MEMBER_T,
                    "f",
                    {"folder": "folders/1", "role": "roles/secretmanager.admin", "member": "group:x@example.com"},
                ),
            ],
            (("g", "on a project it reaches every secret there"), ("f", "on a folder it reaches every secret")),
        ),
        Case("team-stack", readers, team_stack()),
        Case("program-stack", runs_as, gw()),
        Case("program-stack-preview", runs_as, gw(preview=True)),
        Case(
            "default-compute-account",
            runs_as,
            edited(
                gw(),
                CLOUD_RUN_T,
                "acme-gateway",
                template={**of(gw(), CLOUD_RUN_T, "acme-gateway")["inputs"]["template"], "serviceAccount": None},
            ),
            (("acme-gateway", "runs as the Compute Engine default service account"),),
        ),
        Case(
            "another-projects-account",
            runs_as,
            edited(
                gw(),
                CLOUD_RUN_JOB_T,
                "acme-gateway-spend-caps",
                template={
                    "template": {"serviceAccount": "deployer@acme-platform.iam.gserviceaccount.com", "containers": []}
                },
            ),
            (("acme-gateway-spend-caps", "runs as deployer@acme-platform.iam.gserviceaccount.com, which is not"),),
        ),
        Case("program-stack", minimal, gw()),
        Case("program-stack-preview", minimal, gw(preview=True)),
        Case("team-stack", minimal, team_stack()),
        Case(
            "aiplatform-user",
            minimal,
            edited(gw(), PROJECT_MEMBER_T, GW_ROLE_GRANT, role="roles/aiplatform.user"),
            ((GW_ROLE_GRANT, "roles/aiplatform.user, hundreds of Vertex AI permissions"),),
        ),
        Case(
            "aiplatform-user-at-preview",
            minimal,
            edited(gw(preview=True), PROJECT_MEMBER_T, GW_ROLE_GRANT, role="roles/aiplatform.user"),
            ((GW_ROLE_GRANT, "roles/aiplatform.user"),),
        ),
        Case(
            "team-role-in-the-gateways-own-project",
            minimal,
            added_like(
                gw(),
                PROJECT_MEMBER_T,
                GW_ROLE_GRANT,
                "own",
                project=GW_PROJECT,
                role=f"projects/{GW_PROJECT}/roles/claudeVertexAcme",
            ),
            (("own", f"it is granted in {GW_PROJECT}, the gateway's own project"),),
        ),
        Case(
            "own-project-at-preview",
            minimal,
            [
                *(records := gw(preview=True)),
                project_member(
                    "own",
                    TEAM_ROLE,
                    GW_ACCOUNT,
                    project=UNKNOWN,
                    property_dependencies={"project": [of(records, PROJECT_T, "acme-project")]},
                ),
            ],
            (("own", "it is granted in the gateway's own project"),),
        ),
        Case(
            "project-unknown-from-nowhere",
            minimal,
            added_like(gw(preview=True), PROJECT_MEMBER_T, GW_ROLE_GRANT, "own", project=UNKNOWN),
            (("own", "its project is unknown at preview"),),
        ),
        Case(
            "role-of-another-project",
            minimal,
            edited(
                gw(), PROJECT_MEMBER_T, GW_ROLE_GRANT, role="projects/shared-ml-research/roles/claudeVertexResearch"
            ),
            ((GW_ROLE_GRANT, "a custom role of another project"),),
        ),
        Case(
            "not-a-teams-role",
            minimal,
            edited(gw(), PROJECT_MEMBER_T, GW_ROLE_GRANT, role="projects/claude-payments-prod/roles/deployer"),
            ((GW_ROLE_GRANT, "whose ID is not a team's role ID (claudeVertex*)"),),
        ),
        Case(
            "renamed-team-role-allowed-by-platform",
            minimal,
            edited(gw(), PROJECT_MEMBER_T, GW_ROLE_GRANT, role="projects/claude-payments-prod/roles/paymentsClaudeV2"),
            config={"teamRoleIds": ["claudeVertex*", "paymentsClaudeV2"]},
        ),
        Case(
            "team-role-to-a-person",
            minimal,
            added_like(gw(), PROJECT_MEMBER_T, GW_ROLE_GRANT, "dev", member="user:dev@acme.example"),
            (("dev", "it goes to user:dev@acme.example, which is not a service account this stack creates"),),
        ),
        Case("not-configured", humans, team_stack(), stack="payments"),
        Case("not-listed", humans, team_stack(), config=behind, stack="platform"),
        Case(
            "listed",
            humans,
            program_stack(team="payments", members=("group:payments-devs@example.com",)),
            (
                ("payments-grant-group:payments-devs@example.com", "a group of people"),
                ("payments-sa-claude-agent-impersonator-group:platform-devs@example.com", "a group of people"),
            ),
            config=behind,
            stack="payments",
        ),
        Case(
            "listed-by-glob-workforce-and-users",
            humans,
            [
                *program_stack(team="research", members=("user:lead@example.com", "domain:example.com"), accounts=()),
                project_member("wf", CUSTOM, f"principalSet://{WORKFORCE}/group/research"),
            ],
            (
                ("wf", "workforce (corporate IdP) identities"),
                ("research-grant-user:lead@example.com", "a person"),
                ("research-grant-domain:example.com", "everyone in a domain"),
            ),
            config=behind,
            stack="research-eu",
        ),
        Case(
            "listed-with-accounts-and-ci-only",
            humans,
            program_stack(team="payments", members=(), accounts=(("claude-agent", ()),), github=["acme/payments-app"]),
            config=behind,
            stack="payments",
        ),
        Case(
            "engine-names-no-stack",
            humans,
            team_stack(),
            (("claude-vertex-dev", "the engine did not say which stack this is"),),
            config=behind,
            stack="",
        ),
    ]


def cases_gateway_and_team_rules() -> list[Case]:
    """What the team rules make of a gateway stack: the same rules, told by the engine's types what it is."""
    types, design = "allowed-resource-types", "iam-grants-match-design"
    bindings, guardrails, services = "custom-role-bindings-in-stack", "required-guardrails", "allowed-services-only"
    require = {"requireBudget": True, "requireAuditLogs": True, "requireQuotaCaps": True}
    run_api = record(SERVICE_T, "run", {"project": TEAM_PROJECT, "service": "run.googleapis.com"})
    reader = record(
        SECRET_MEMBER_T, "r", {"secretId": "s", "role": "roles/secretmanager.secretAccessor", "member": GW_ACCOUNT}
    )
    return [
        Case(
            "cloud-run-invoker-types",
            types,
            [
                record(RUN_MEMBER_T, "inv", {"member": GW_ACCOUNT}),
                record("gcp:cloudrunv2/jobIamBinding:JobIamBinding", "jb", {}),
            ],
            (
                ("inv", "An invoker grant on Cloud Run decides who may call"),
                ("jb", "is not a resource type this pack allows"),
            ),
        ),
        Case("secret-reader", design, [reader]),
        Case(
            "secret-admin",
            design,
            [reader | {"inputs": {**reader["inputs"], "role": "roles/secretmanager.admin"}}],
            (("r", "the role is roles/secretmanager.admin"),),
        ),
        Case(
            "secret-binding",
            design,
            [
                record(
                    "gcp:secretmanager/secretIamBinding:SecretIamBinding",
                    "b",
                    {"secretId": "s", "role": "roles/secretmanager.secretAccessor", "members": [GW_ACCOUNT]},
                )
            ],
            (("b", "grants IAM on a resource (binding)"),),
        ),
        Case("gateway-binds-teams-roles", bindings, gw()),
        Case("gateway-binds-teams-roles-preview", bindings, gw(preview=True)),
        Case(
            "gateway-binds-a-foreign-role-on-a-secret",
            bindings,
            added_like(gw(), SECRET_MEMBER_T, "acme-gateway-jwt-secret-gateway-reads", "x", role=TEAM_ROLE),
            (("x", "not defined in this stack"),),
        ),
        Case(
            "team-stack-binds-another-teams-role",
            bindings,
            [
                *team_stack(),
                project_member("g", TEAM_ROLE, "group:platform-devs@example.com", project="claude-payments-prod"),
            ],
            (("g", "not defined in this stack"),),
        ),
        Case("gateway-has-no-team-guardrails", guardrails, gw(), config=require),
        Case(
            "gateway-that-defines-a-team-role",
            guardrails,
            [*gw(), *[r for r in team_stack() if r["type"] == ROLE_T]],
            (("claude-vertex-gateway", "this stack has none"),),
            config={"requireBudget": True},
        ),
        Case(
            "team-stack-still-required",
            guardrails,
            team_stack(),
            (("claude-vertex-dev", "this stack has none"),),
            config={"requireBudget": True},
        ),
        Case(
            "gateway-entry-lists-its-teams-projects",
            "team-projects-allowed",
            gw(),
            config={"teamProjects": {"gateway": [GW_PROJECT, "claude-payments-*", "shared-ml-research"]}},
            stack="gateway",
        ),
        Case(
            "gateway-entry-misses-a-team",
            "team-projects-allowed",
            gw(preview=True),
            (("acme-gateway-research-role", "Acts in project shared-ml-research (project), not in teamProjects"),),
            config={"teamProjects": {"gateway": [GW_PROJECT, "claude-payments-*"]}},
            stack="gateway",
        ),
        Case("gateway-apis", services, gw()),
        Case(
            "team-stack-enables-cloud-run",
            services,
            [*team_stack(), run_api],
            (("run", "Enables run.googleapis.com"),),
        ),
        Case(
            "gateway-enables-bigquery",
            services,
            added_like(gw(), SERVICE_T, "acme-run-api", "bq", service="bigquery.googleapis.com"),
            (("bq", "Enables bigquery.googleapis.com"),),
        ),
        Case(
            "gateway-apis-narrowed-by-platform",
            services,
            gw(),
            (("acme-dns-api", "Enables dns.googleapis.com"),),
            config={"gatewayServices": [s for s in GATEWAY_SERVICES if s != "dns.googleapis.com"]},
        ),
    ]


def cases_gateway() -> list[Case]:
    return [
        *cases_gateway_resources(),
        *cases_gateway_config(),
        *cases_gateway_graph(),
        *cases_gateway_and_team_rules(),
    ]


CASES = all_cases()

# How the provider also spells a JSON true / false (values.flag): a rule that reads a boolean as the JSON value
# only (`is True`, truthiness of a string) passes a fixture and fails its respelled twin. The twins run on the
# direct layer (pure functions, milliseconds); the protocol layer runs the explicit spellings of
# `cases_booleans`, which is where "TRUE" and 1 cross the wire as a string and a float.
SPELLINGS = {"string": ("TRUE", "FALSE"), "number": (1, 0)}


def respelled(value: Any, spelling: tuple[Any, Any]) -> Any:
    """The value with every JSON boolean in it written the other way the provider reads."""
    if isinstance(value, bool):
        return spelling[0] if value else spelling[1]
    if isinstance(value, dict):
        return {k: respelled(v, spelling) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(respelled(v, spelling) for v in value)
    return value


def carries_boolean(value: Any) -> bool:
    """Is there a JSON boolean anywhere in the value (the tuples and lists of a record included)?"""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, bool):
            return True
        if isinstance(item, dict):
            pending += item.values()
        elif isinstance(item, list | tuple):
            pending += item
    return False


@dataclass(frozen=True)
class Twin:
    """A case with every JSON boolean of its resources (inputs and outputs: stack rules read a resource's outputs once
    it is applied) written in another spelling, same expectations. Its records are made when a test asks for them:
    held for every case at once they would double the memory of the test session, which every process the suite
    starts inherits."""

    case: Case
    spelling: str

    @property
    def id(self) -> str:
        return f"{self.case.id}-booleans-as-{self.spelling}"

    @property
    def rule(self) -> str:
        return self.case.rule

    @property
    def expect(self) -> tuple[tuple[str, str], ...]:
        return self.case.expect

    @property
    def config(self) -> dict[str, Any]:
        return self.case.config

    @property
    def stack(self) -> str:
        return self.case.stack

    @property
    def records(self) -> list[dict[str, Any]]:
        spelling = SPELLINGS[self.spelling]
        return [
            {k: respelled(v, spelling) if k in ("inputs", "outputs") else v for k, v in r.items()}
            for r in self.case.records
        ]


def boolean_twins(cases: list[Case]) -> list[Twin]:
    """For each case whose resources carry a JSON boolean (in inputs or outputs), its twin in each other spelling."""
    return [
        Twin(case, name)
        for case in cases
        if carries_boolean([(r["inputs"], r.get("outputs")) for r in case.records])
        for name in SPELLINGS
    ]


BOOLEAN_TWINS = boolean_twins(CASES)
