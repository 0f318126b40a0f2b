"""Pass and fail fixtures for every rule, in one table both test layers run.

Each `Case` names a rule, the records it sees, optional config for that rule, and the violations
expected *from that rule*: `(record name, message fragment)`. An empty `expect` is a passing fixture.
`test_policy_rules.py` evaluates the pure checks directly; `test_policy_protocol.py` runs the same
cases through the real pack over gRPC, so the two can never drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

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
    PROJECT_BINDING_T,
    PROJECT_POLICY_T,
    PROJECT_T,
    ROLE_T,
    SA_POLICY_T,
    SERVICE_T,
    VERTEX_PERMISSIONS,
    program_stack,
    project_member,
    provider,
    record,
    sa_member,
    with_inputs,
)

from tools.analyzer import UNKNOWN

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
            (("s", "every identity of pool claude-platform"),),
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
            "default-network",
            hardening,
            [record(PROJECT_T, "pr", {"projectId": "p", "deletionPolicy": "PREVENT"})],
            (("pr", "autoCreateNetwork is not false"),),
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


def all_cases() -> list[Case]:
    return [
        *cases_custom_roles(),
        *cases_roles(),
        *cases_members(),
        *cases_impersonation(),
        *cases_resources(),
        *cases_workload_identity(),
        *cases_project(),
        *cases_stack(),
    ]


CASES = all_cases()
