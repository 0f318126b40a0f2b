"""The minimal custom role, the team's service accounts, and who may use them.

Grants are `IAMMember` only: non-authoritative, so one team's stack can never wipe another's grants
in a shared project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.iam import PREDICT, TOKEN_CREATOR
from claude_vertex_gcp.names import project_parent, resource_manager_name
from claude_vertex_gcp.resource_types import GET_TESTABLE_PERMISSIONS
from pulumi_gcp import _utilities as gcp_sdk

from claude_vertex.config import AccessConfig, DeployTimeConfigError

# The Google provider's function behind `gcp.iam.get_testable_permissions` (GET_TESTABLE_PERMISSIONS) is invoked
# here by its token: the SDK's wrapper lives in `pulumi_gcp.iam`, whose import loads every IAM resource of the SDK
# (as long as the rest of the program's imports together) for this one read, on every preview and `pulumi up`.
# The request is the wrapper's own, default options included (tests/test_program.py compares the two).


def testable_permissions(resource: str, *, parent: pulumi.Resource | None = None) -> pulumi.Output[list[str]]:
    """The names of the permissions custom roles may hold under `resource` (GA or BETA, custom support SUPPORTED)."""
    result = pulumi.runtime.invoke_output(
        GET_TESTABLE_PERMISSIONS,
        {"customSupportLevel": "SUPPORTED", "fullResourceName": resource, "stages": ["GA", "BETA"]},
        opts=pulumi.InvokeOutputOptions.merge(
            gcp_sdk.get_invoke_opts_defaults(), pulumi.InvokeOutputOptions(parent=parent)
        ),
    )

    def names(value: Mapping[str, Any]) -> list[str]:
        return [permission["name"] for permission in value.get("permissions") or ()]

    return result.apply(names)


def permission_check_resource(project_id: str, create: bool, folder_id: str | None) -> str | None:
    """Where to ask which permissions custom roles may hold, before the project exists.

    An adopted project answers for itself; a new one inherits what its folder supports.
    """
    if not create:
        return resource_manager_name(project_parent(project_id))
    if folder_id:
        return resource_manager_name(f"folders/{folder_id}")
    return None


def supported_permissions(requested: Sequence[str], supported: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split the requested permissions into (kept, dropped) by what the organization supports.

    Some organizations reject `aiplatform.endpoints.computeTokens` in custom roles; dropping it keeps
    Claude Code working (it only loses exact token counting). Losing predict is fatal: without it the
    role is useless, so that is an error instead of a quiet empty role.
    """
    available = set(supported)
    kept = [p for p in requested if p in available]
    dropped = [p for p in requested if p not in available]
    if PREDICT in dropped:
        raise DeployTimeConfigError(
            "access.permissions",
            PREDICT,
            "this organization does not support it in custom roles, so Claude Code cannot be granted access here",
        )
    return kept, dropped


def member_resource_suffix(member: str) -> str:
    """A member as it reads in a resource name; URNs take it verbatim except for `::`."""
    return member.replace("::", ":")


class VertexAccess(pulumi.ComponentResource):
    """Custom role with only the Vertex permissions, bound to people and to the team's service accounts."""

    role: gcp.projects.IAMCustomRole
    role_name: pulumi.Output[str]
    service_accounts: dict[str, gcp.serviceaccount.Account]
    service_account_emails: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        team: str,
        config: AccessConfig,
        project_id: pulumi.Input[str],
        iam_project_id: pulumi.Input[str],
        vertex_api: pulumi.Resource,
        permission_resource: str | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("claude-vertex:index:VertexAccess", f"{team}-access", None, opts)
        # Custom roles and service accounts are IAM API calls: they take their project from `iam_project_id`, which
        # resolves once IAM serves the project (the readiness gate, claude_vertex/resources/readiness_gate.py);
        # nothing else waits for it. The role also waits for the Vertex AI API: a permission may not be available
        # to custom roles until its service is enabled.
        child = pulumi.ResourceOptions(parent=self)
        role_needs = child.merge(pulumi.ResourceOptions(depends_on=[vertex_api]))

        self.role = gcp.projects.IAMCustomRole(
            f"{team}-role",
            project=iam_project_id,
            role_id=config.role_id,
            title=f"Claude Code on Vertex AI ({team})"[:100],
            description=(
                f"Lets team {team} call Claude models on Vertex AI and nothing else. "
                "Managed by claude-vertex (Pulumi); changes made elsewhere are reverted."
            ),
            permissions=self._permissions(team, config, permission_resource),
            stage="GA",
            # A deleted role is soft-deleted and its ID held: never create the replacement first.
            opts=role_needs.merge(pulumi.ResourceOptions(delete_before_replace=True)),
        )
        self.role_name = self.role.name

        for member in config.members:
            gcp.projects.IAMMember(
                f"{team}-grant-{member_resource_suffix(member)}",
                project=project_id,
                role=self.role.name,
                member=member,
                opts=child,
            )

        self.service_accounts = {}
        for account in config.service_accounts:
            sa = gcp.serviceaccount.Account(
                f"{team}-sa-{account.id}",
                project=iam_project_id,
                account_id=account.id,
                display_name=account.display_name,
                description=account.description,
                opts=child.merge(pulumi.ResourceOptions(delete_before_replace=True)),
            )
            self.service_accounts[account.id] = sa
            gcp.projects.IAMMember(
                f"{team}-grant-sa-{account.id}",
                project=project_id,
                role=self.role.name,
                member=sa.member,
                opts=child,
            )
            for impersonator in account.impersonators:
                # Token creator on this one account, never on the project: it would cover every account.
                gcp.serviceaccount.IAMMember(
                    f"{team}-sa-{account.id}-impersonator-{member_resource_suffix(impersonator)}",
                    service_account_id=sa.name,
                    role=TOKEN_CREATOR,
                    member=impersonator,
                    opts=child,
                )

        self.service_account_emails = {sa_id: sa.email for sa_id, sa in self.service_accounts.items()}
        self.register_outputs({"roleName": self.role_name, "serviceAccountEmails": self.service_account_emails})

    def _permissions(
        self, team: str, config: AccessConfig, permission_resource: str | None
    ) -> pulumi.Input[Sequence[str]]:
        requested = list(config.permissions)
        if not config.verify_permissions or permission_resource is None:
            return requested

        def keep(supported: list[str]) -> list[str]:
            kept, dropped = supported_permissions(requested, supported)
            for permission in dropped:
                pulumi.log.warn(
                    f"{permission} is not supported in custom roles under {permission_resource}; "
                    f"role {config.role_id} for team {team} is created without it. Remove it from "
                    "claude-vertex:access.permissions to silence this warning.",
                    resource=self,
                )
            return kept

        return testable_permissions(permission_resource, parent=self).apply(keep)
