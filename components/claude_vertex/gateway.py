"""`ClaudeGateway`: the platform's Claude apps gateway on GCP, serving the teams behind it.

The facade of the gateway's data flow: the gateway's config and the served teams' validated configs -> the plan
(upstreams, models, policies, spend limits, grants: worked out once, `claude_vertex.plan.gateway`) -> gateway.yaml
(`claude_vertex.render.gateway`) -> the resources -> the outputs. Developers sign in with the company's IdP; the
gateway's account holds each served team's own minimal role in that team's project and nothing else; every
credential lives in Secret Manager, outside state.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.services import (
    CERTIFICATE_MANAGER,
    CLOUD_RUN,
    COMPUTE,
    DNS,
    GATEWAY_SERVICES,
    SECRET_MANAGER,
    SERVICE_NETWORKING,
    SQL_ADMIN,
)

from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.plan.gateway import GatewayPlan
from claude_vertex.render.gateway import (
    GATEWAY_SECRETS,
    developer_managed_settings,
    gateway_yaml,
)
from claude_vertex.resources.gateway.database import GatewayDatabase
from claude_vertex.resources.gateway.load_balancer import GatewayLoadBalancer
from claude_vertex.resources.gateway.network import GatewayNetwork
from claude_vertex.resources.gateway.secrets import GatewaySecrets
from claude_vertex.resources.gateway.service import GatewayService
from claude_vertex.resources.gateway.spend_caps import GatewaySpendCaps
from claude_vertex.resources.project import TeamProject

TYPE_TOKEN = "claude-vertex:index:ClaudeGateway"


def gateway_account_id(gateway: str) -> str:
    """`acme-gateway`: the account the gateway runs as (6-30 characters: the name rule keeps it in range)."""
    return f"{gateway}-gateway"


class ClaudeGateway(pulumi.ComponentResource):
    """The Claude apps gateway on Cloud Run behind an internal load balancer, with its database, secrets, private
    DNS name and spend-cap job, serving the teams of `plan`."""

    outputs: dict[str, Any]

    def __init__(
        self, name: str, config: GatewayConfig, plan: GatewayPlan, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        gateway = config.name
        project = TeamProject(
            gateway,
            config.project,
            base_services=GATEWAY_SERVICES,
            skip_default_network_policy=config.project.default_network_policy == "project",
            opts=child,
        )
        apis = project.services
        account = gcp.serviceaccount.Account(
            gateway_account_id(gateway),
            account_id=gateway_account_id(gateway),
            project=project.iam_project_id,
            display_name=f"{gateway} Claude apps gateway",
            description="Runs the Claude apps gateway; holds each served team's minimal role in its project only.",
            opts=child,
        )
        for grant in plan.grants:
            gcp.projects.IAMMember(
                f"{gateway}-gateway-{grant.team}-role",
                project=grant.project_id,
                role=grant.role_name,
                member=account.member,
                opts=child,
            )
        network = GatewayNetwork(config, project.project_id, apis[COMPUTE], apis[SERVICE_NETWORKING], opts=child)
        database = GatewayDatabase(
            config, project.project_id, network.network, network.private_services, apis[SQL_ADMIN], opts=child
        )
        rendered = gateway_yaml(config, plan)
        secrets = GatewaySecrets(config, project.project_id, account.member, rendered, apis[SECRET_MANAGER], opts=child)
        service = GatewayService(
            config,
            project.project_id,
            account.email,
            network,
            secrets,
            database.private_ip,
            apis[CLOUD_RUN],
            opts=child,
        )
        load_balancer = GatewayLoadBalancer(
            config, project.project_id, network, service.service, apis[CERTIFICATE_MANAGER], apis[DNS], opts=child
        )
        if plan.spend_limits:
            GatewaySpendCaps(
                config,
                plan,
                project.project_id,
                project.iam_project_id,
                network,
                secrets,
                service.service,
                opts=child,
            )

        self.outputs = {
            "gatewayUrl": config.public_url,
            "gatewayProjectId": project.project_id,
            "gatewayServiceAccountEmail": account.email,
            "gatewayAddress": load_balancer.address.address,
            "gatewayConfig": rendered,
            "developerManagedSettings": developer_managed_settings(config),
            "servedTeams": {
                policy.team: {
                    "groups": list(policy.groups),
                    "models": {
                        model.alias: {
                            "id": model.id,
                            "vertexModel": model.vertex_model,
                            "upstreams": list(model.upstreams),
                        }
                        for model in plan.models
                        if model.team == policy.team
                    },
                }
                for policy in plan.policies
            },
            # What the spend-cap job sets, one flat record per scope: the text plan shows each on a line.
            "spendLimits": {
                f"{limit.scope_type}:{limit.scope_id}": {"usdPerMonth": limit.amount, "applies": limit.why}
                for limit in plan.spend_limits
            },
            "secrets": {
                secret.env: {"secretId": secrets.of(secret).secret_id, "holds": secret.what}
                for secret in GATEWAY_SECRETS
            },
        }
        self.register_outputs(self.outputs)
