"""Keyless CI identity for a team's own Claude Code jobs: workload identity federation, no keys.

One pool per team, one OIDC provider per platform whose attribute condition admits exactly the
listed repositories or projects, and one CI service account that holds only the team's custom role.
Each repository gets `roles/iam.workloadIdentityUser` on that one account through a principalSet for
that repository alone, never the whole pool.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.iam import WORKLOAD_IDENTITY_USER
from claude_vertex_gcp.names import principal_set

from claude_vertex.ci_platforms import PLATFORMS, CiPlatform, provider_args
from claude_vertex.config import CiConfig


def selected_platforms(config: CiConfig) -> list[tuple[CiPlatform, str, tuple[str, ...]]]:
    """(platform, issuer, allowed values) for each platform the CI section asks for, in PLATFORMS order."""
    found = []
    for platform in PLATFORMS:
        selection = platform.selection(config)
        if selection is not None:
            found.append((platform, *selection))
    return found


class CiIdentity(pulumi.ComponentResource):
    """Pool, providers and CI service account; `provider_names` are what CI authenticates against."""

    service_account: gcp.serviceaccount.Account
    service_account_email: pulumi.Output[str]
    provider_names: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        team: str,
        config: CiConfig,
        project_id: pulumi.Input[str],
        iam_project_id: pulumi.Input[str],
        role_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("claude-vertex:index:CiIdentity", f"{team}-ci", None, opts)
        # Pools, providers and the CI account are IAM API calls: their project is `iam_project_id`, the project ID
        # once IAM serves it (claude_vertex/resources/readiness_gate.py). The grant is Resource Manager's.
        child = pulumi.ResourceOptions(parent=self)

        # Pools and providers are soft-deleted for 30 days with their IDs held; a stack re-created in
        # that window undeletes them (`gcloud iam workload-identity-pools undelete`) or sets ci.poolId.
        pool = gcp.iam.WorkloadIdentityPool(
            f"{team}-ci-pool",
            project=iam_project_id,
            workload_identity_pool_id=config.pool_id,
            display_name=f"Claude Code CI {team}"[:32],
            description=f"CI systems that run Claude Code for team {team}. Managed by claude-vertex.",
            opts=child,
        )

        self.service_account = gcp.serviceaccount.Account(
            f"{team}-ci-sa",
            project=iam_project_id,
            account_id=config.service_account_id,
            display_name=f"Claude Code CI ({team})",
            description="Used only by the CI jobs admitted by the team's workload identity providers.",
            opts=child.merge(pulumi.ResourceOptions(delete_before_replace=True)),
        )
        self.service_account_email = self.service_account.email
        gcp.projects.IAMMember(
            f"{team}-grant-ci-sa",
            project=project_id,
            role=role_name,
            member=self.service_account.member,
            opts=child,
        )

        self.provider_names = {}
        for platform, issuer, allowed in selected_platforms(config):
            provider = gcp.iam.WorkloadIdentityPoolProvider(
                f"{team}-ci-{platform.id}",
                project=iam_project_id,
                workload_identity_pool_id=pool.workload_identity_pool_id,
                workload_identity_pool_provider_id=platform.id,
                oidc={"issuer_uri": issuer},
                **provider_args(platform, team, allowed),
                opts=child,
            )
            self.provider_names[platform.id] = provider.name
            for value in allowed:
                self._allow(team, platform.id, pool.name, platform.pinned_claim, value)

        self.register_outputs({"serviceAccountEmail": self.service_account_email, "providerNames": self.provider_names})

    def _allow(self, team: str, platform: str, pool_name: pulumi.Output[str], attribute: str, value: str) -> None:
        """workloadIdentityUser on the CI account for one repository's identities only."""
        gcp.serviceaccount.IAMMember(
            f"{team}-ci-{platform}-{value}",
            service_account_id=self.service_account.name,
            role=WORKLOAD_IDENTITY_USER,
            member=pool_name.apply(lambda name: principal_set(name, attribute, value)),
            opts=pulumi.ResourceOptions(parent=self),
        )
