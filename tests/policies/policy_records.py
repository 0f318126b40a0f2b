"""Resource records in the exact shape `tools.preview` captures them, and the stacks the program emits.

A record is `{urn, type, name, parent, dependencies, propertyDependencies, protect, inputs}` with wire
(camelCase) input names. `team_stack()` reproduces what the claude-vertex program registers for a team
(see components/project.py, access.py, ci_identity.py): passing fixtures must look like real output, or a
rule that breaks the real program would still pass its tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tools.analyzer import UNKNOWN

PROJECT = "claude-vertex"
STACK = "dev"

PROJECT_T = "gcp:organizations/project:Project"
SERVICE_T = "gcp:projects/service:Service"
ROLE_T = "gcp:projects/iAMCustomRole:IAMCustomRole"
ORG_ROLE_T = "gcp:organizations/iAMCustomRole:IAMCustomRole"
ACCOUNT_T = "gcp:serviceaccount/account:Account"
PROJECT_MEMBER_T = "gcp:projects/iAMMember:IAMMember"
PROJECT_BINDING_T = "gcp:projects/iAMBinding:IAMBinding"
PROJECT_POLICY_T = "gcp:projects/iAMPolicy:IAMPolicy"
SA_MEMBER_T = "gcp:serviceaccount/iAMMember:IAMMember"
SA_BINDING_T = "gcp:serviceaccount/iAMBinding:IAMBinding"
SA_POLICY_T = "gcp:serviceaccount/iAMPolicy:IAMPolicy"
ORG_MEMBER_T = "gcp:organizations/iAMMember:IAMMember"
FOLDER_MEMBER_T = "gcp:folder/iAMMember:IAMMember"
FOLDER_BINDING_T = "gcp:folder/iAMBinding:IAMBinding"
KEY_T = "gcp:serviceaccount/key:Key"
HMAC_T = "gcp:storage/hmacKey:HmacKey"
POOL_T = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool"
PROVIDER_T = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
POOL_MEMBER_T = "gcp:iam/workloadIdentityPoolIamMember:WorkloadIdentityPoolIamMember"
BUCKET_MEMBER_T = "gcp:storage/bucketIAMMember:BucketIAMMember"
STACK_T = "pulumi:pulumi:Stack"

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
VERTEX_PERMISSIONS = ["aiplatform.endpoints.predict", "aiplatform.endpoints.computeTokens"]


def urn(type_: str, name: str, parent_types: Sequence[str] = ()) -> str:
    """`urn:pulumi:dev::claude-vertex::<parent types joined by $>$<type>::<name>`."""
    qualified = "$".join([*parent_types, type_])
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


def record(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    parent: dict[str, Any] | None = None,
    depends_on: Iterable[dict[str, Any]] = (),
    property_dependencies: dict[str, list[dict[str, Any]]] | None = None,
    protect: bool = False,
) -> dict[str, Any]:
    """One record; `parent` / `depends_on` / `property_dependencies` take other records."""
    parent_types = _type_chain(parent) if parent else ()
    prop_deps = {k: [r["urn"] for r in v] for k, v in (property_dependencies or {}).items()}
    dependencies = list(dict.fromkeys([*(r["urn"] for r in depends_on), *(u for v in prop_deps.values() for u in v)]))
    return {
        "urn": urn(type_, name, parent_types),
        "type": type_,
        "name": name,
        "parent": parent["urn"] if parent else urn(STACK_T, f"{PROJECT}-{STACK}"),
        "dependencies": dependencies,
        "propertyDependencies": prop_deps,
        "protect": protect,
        "inputs": dict(inputs or {}),
    }


def _type_chain(rec: dict[str, Any]) -> tuple[str, ...]:
    qualified = rec["urn"].split("::")[2]
    return tuple(qualified.split("$"))


def stack_root() -> dict[str, Any]:
    return {
        "urn": urn(STACK_T, f"{PROJECT}-{STACK}"),
        "type": STACK_T,
        "name": f"{PROJECT}-{STACK}",
        "parent": "",
        "dependencies": [],
        "propertyDependencies": {},
        "protect": False,
        "inputs": {},
    }


def component(kind: str, name: str) -> dict[str, Any]:
    return record(f"claude-vertex:index:{kind}", name)


def project_member(name: str, role: str, member: str, project: str = "claude-platform-dev", **extra: Any) -> dict:
    return record(PROJECT_MEMBER_T, name, {"project": project, "role": role, "member": member}, **extra)


def sa_member(name: str, role: str, member: str, account: str = "claude-agent", **extra: Any) -> dict:
    sa = f"projects/claude-platform-dev/serviceAccounts/{account}@claude-platform-dev.iam.gserviceaccount.com"
    return record(SA_MEMBER_T, name, {"serviceAccountId": sa, "role": role, "member": member}, **extra)


def provider(name: str, condition: Any, *, issuer: str = GITHUB_ISSUER, mapping: dict | None = None) -> dict:
    inputs: dict[str, Any] = {
        "project": "claude-platform-dev",
        "workloadIdentityPoolId": "claude-platform",
        "workloadIdentityPoolProviderId": name,
        "attributeMapping": mapping
        if mapping is not None
        else {
            "google.subject": "assertion.sub",
            "attribute.repository": "assertion.repository",
            "attribute.repository_owner": "assertion.repository_owner",
            "attribute.project_path": "assertion.project_path",
            "attribute.ref": "assertion.ref",
        },
        "oidc": {"issuerUri": issuer},
    }
    if condition is not None:
        inputs["attributeCondition"] = condition
    return record(PROVIDER_T, name, inputs)


def team_stack(
    *,
    team: str = "platform",
    project_id: str = "claude-platform-dev",
    members: Sequence[str] = ("group:platform-devs@example.com",),
    accounts: Sequence[tuple[str, Sequence[str]]] = (("claude-agent", ("group:platform-devs@example.com",)),),
    permissions: Sequence[str] = VERTEX_PERMISSIONS,
    github: Sequence[str] = (),
    gitlab: Sequence[str] = (),
    gitlab_issuer: str = "https://gitlab.com",
    deletion_protection: bool = True,
    preview: bool = False,
    project_number: str = "123456789012",
) -> list[dict[str, Any]]:
    """The records the program registers for one team stack.

    `preview=True` models a real `pulumi preview` of a new stack: every value that is a resource output
    (the role's `name`, an account's `member`/`name`, the pool's `name`) is unknown, and only the
    property dependencies say where it comes from.
    """
    out = lambda value: UNKNOWN if preview else value  # noqa: E731 - reads better than a def here
    records: list[dict[str, Any]] = [stack_root()]
    project_c = component("TeamProject", f"{team}-project")
    access_c = component("VertexAccess", f"{team}-access")
    records += [project_c, access_c]
    project = record(
        PROJECT_T,
        f"{team}-project",
        {
            "projectId": project_id,
            "name": f"Claude Code {team}",
            "billingAccount": "012345-6789AB-CDEF01",
            "folderId": "123456789012",
            "labels": {"team": team, "managed-by": "pulumi", "environment": "dev"},
            "autoCreateNetwork": False,
            "deletionPolicy": "PREVENT" if deletion_protection else "DELETE",
        },
        parent=project_c,
    )
    records.append(project)
    services = ["aiplatform.googleapis.com", "iam.googleapis.com"]
    if github or gitlab:
        services += ["sts.googleapis.com", "iamcredentials.googleapis.com"]
    service_records = {}
    for service in services:
        service_records[service] = record(
            SERVICE_T,
            f"{team}-{service.split('.')[0]}-api",
            {"project": project_id, "service": service, "disableOnDestroy": False, "disableDependentServices": False},
            parent=project_c,
            property_dependencies={"project": [project]},
        )
    records += service_records.values()
    iam_api = service_records["iam.googleapis.com"]
    role_id = f"claudeVertex{team.title().replace('-', '')}"
    role = record(
        ROLE_T,
        f"{team}-role",
        {
            "project": project_id,
            "roleId": role_id,
            "title": f"Claude Code on Vertex AI ({team})",
            "description": f"Lets team {team} call Claude models on Vertex AI and nothing else.",
            "permissions": list(permissions),
            "stage": "GA",
        },
        parent=access_c,
        depends_on=[iam_api],
        property_dependencies={"project": [project]},
    )
    records.append(role)
    role_name = out(f"projects/{project_id}/roles/{role_id}")
    for member in members:
        records.append(
            record(
                PROJECT_MEMBER_T,
                f"{team}-grant-{member}",
                {"project": project_id, "role": role_name, "member": member},
                parent=access_c,
                property_dependencies={"project": [project], "role": [role]},
            )
        )

    def account(account_id: str, parent: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
        sa = record(
            ACCOUNT_T,
            f"{team}-sa-{account_id}" if parent is access_c else f"{team}-ci-sa",
            {"project": project_id, "accountId": account_id, "displayName": account_id, "description": "x"},
            parent=parent,
            depends_on=[iam_api],
            property_dependencies={"project": [project]},
        )
        email = f"{account_id}@{project_id}.iam.gserviceaccount.com"
        return sa, out(f"serviceAccount:{email}"), out(f"projects/{project_id}/serviceAccounts/{email}")

    for account_id, impersonators in accounts:
        sa, sa_member_value, sa_name = account(account_id, access_c)
        records.append(sa)
        records.append(
            record(
                PROJECT_MEMBER_T,
                f"{team}-grant-sa-{account_id}",
                {"project": project_id, "role": role_name, "member": sa_member_value},
                parent=access_c,
                property_dependencies={"project": [project], "role": [role], "member": [sa]},
            )
        )
        for impersonator in impersonators:
            records.append(
                record(
                    SA_MEMBER_T,
                    f"{team}-sa-{account_id}-impersonator-{impersonator}",
                    {
                        "serviceAccountId": sa_name,
                        "role": "roles/iam.serviceAccountTokenCreator",
                        "member": impersonator,
                    },
                    parent=access_c,
                    property_dependencies={"serviceAccountId": [sa]},
                )
            )

    if github or gitlab:
        ci_c = component("CiIdentity", f"{team}-ci")
        records.append(ci_c)
        pool = record(
            POOL_T,
            f"{team}-ci-pool",
            {
                "project": project_id,
                "workloadIdentityPoolId": f"claude-{team}",
                "displayName": f"Claude Code CI {team}",
                "description": "CI",
            },
            parent=ci_c,
            depends_on=[iam_api],
            property_dependencies={"project": [project]},
        )
        ci_sa, ci_member, ci_name = account(f"claude-ci-{team}", ci_c)
        records += [pool, ci_sa]
        records.append(
            record(
                PROJECT_MEMBER_T,
                f"{team}-grant-ci-sa",
                {"project": project_id, "role": role_name, "member": ci_member},
                parent=ci_c,
                property_dependencies={"project": [project], "role": [role], "member": [ci_sa]},
            )
        )
        pool_name = f"projects/{project_number}/locations/global/workloadIdentityPools/claude-{team}"
        for platform, values, attribute, issuer, mapping in (
            (
                "github",
                github,
                "repository",
                GITHUB_ISSUER,
                {
                    "google.subject": "assertion.sub",
                    "attribute.repository": "assertion.repository",
                    "attribute.repository_owner": "assertion.repository_owner",
                    "attribute.ref": "assertion.ref",
                },
            ),
            (
                "gitlab",
                gitlab,
                "project_path",
                gitlab_issuer,
                {
                    "google.subject": "assertion.sub",
                    "attribute.project_path": "assertion.project_path",
                    "attribute.namespace_path": "assertion.namespace_path",
                    "attribute.ref": "assertion.ref",
                },
            ),
        ):
            if not values:
                continue
            listed = ", ".join(f"'{v}'" for v in values)
            records.append(
                record(
                    PROVIDER_T,
                    f"{team}-ci-{platform}",
                    {
                        "project": project_id,
                        "workloadIdentityPoolId": out(f"claude-{team}"),
                        "workloadIdentityPoolProviderId": platform,
                        "displayName": platform,
                        "description": "CI",
                        "attributeMapping": mapping,
                        "attributeCondition": f"assertion.{attribute} in [{listed}]",
                        "oidc": {"issuerUri": issuer},
                    },
                    parent=ci_c,
                    property_dependencies={"project": [project], "workloadIdentityPoolId": [pool]},
                )
            )
            for value in values:
                records.append(
                    record(
                        SA_MEMBER_T,
                        f"{team}-ci-{platform}-{value}",
                        {
                            "serviceAccountId": ci_name,
                            "role": "roles/iam.workloadIdentityUser",
                            "member": out(
                                f"principalSet://iam.googleapis.com/{pool_name}/attribute.{attribute}/{value}"
                            ),
                        },
                        parent=ci_c,
                        property_dependencies={"serviceAccountId": [ci_sa], "member": [pool]},
                    )
                )
    return records


def named(records: Iterable[dict[str, Any]], name: str) -> dict[str, Any]:
    """The record with this logical name (tests read better with names than URNs)."""
    matches = [r for r in records if r["name"] == name]
    assert len(matches) == 1, f"{len(matches)} records named {name!r}"
    return matches[0]
