"""Spend caps as code: a Cloud Run job in the gateway's network that upserts every declared limit through the
gateway's admin API, run by `pulumi up` whenever the limits change (`run_execution_token`: the apply waits for the
run and fails when it fails), so no person ever types a cap into the admin API.

The job has an account of its own that can read one secret, the admin write key, and nothing else; it reaches the
service's own URL through the VPC (internal ingress). Its limits are in the plan in plain text (`SPEND_LIMITS`, and
the script itself): a reviewer sees every cap a pull request changes.
"""

from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.iam import SECRET_ACCESSOR

from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.plan.gateway import GatewayPlan
from claude_vertex.render.gateway import ADMIN_WRITE_KEY, spend_cap_script, spend_limit_bodies
from claude_vertex.resources.gateway.network import GatewayNetwork
from claude_vertex.resources.gateway.secrets import GatewaySecrets
from claude_vertex.resources.gateway.service import secret_env, vpc_access


def caps_account_id(gateway: str) -> str:
    return f"{gateway}-gw-caps"


def execution_token(script: str) -> str:
    """Changes exactly when the script (the limits) changes: a new token is a new run of the job."""
    return "caps-" + hashlib.sha256(script.encode()).hexdigest()[:20]


class GatewaySpendCaps(pulumi.ComponentResource):
    def __init__(
        self,
        config: GatewayConfig,
        plan: GatewayPlan,
        project_id: pulumi.Input[str],
        iam_project_id: pulumi.Input[str],
        network: GatewayNetwork,
        secrets: GatewaySecrets,
        service: gcp.cloudrunv2.Service,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        name = config.name
        super().__init__("claude-vertex:index:GatewaySpendCaps", f"{name}-gateway-spend-caps", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = gcp.serviceaccount.Account(
            caps_account_id(name),
            account_id=caps_account_id(name),
            project=iam_project_id,
            display_name=f"{name} gateway spend caps",
            description="Sets the gateway's spend limits after each deploy; reads the admin write key only.",
            opts=child,
        )
        grant = gcp.secretmanager.SecretIamMember(
            f"{name}-gateway-{ADMIN_WRITE_KEY.slug}-caps-reads",
            project=project_id,
            secret_id=secrets.of(ADMIN_WRITE_KEY).secret_id,
            role=SECRET_ACCESSOR,
            member=account.member,
            opts=child,
        )
        script = spend_cap_script(plan)
        self.job = gcp.cloudrunv2.Job(
            f"{name}-gateway-spend-caps",
            name=f"{name}-gateway-spend-caps",
            project=project_id,
            location=config.region,
            deletion_protection=False,
            run_execution_token=execution_token(script),
            labels={"gateway": name, "managed-by": "pulumi"},
            template={
                "task_count": 1,
                "template": {
                    "service_account": account.email,
                    "max_retries": 2,
                    "timeout": "600s",
                    "vpc_access": vpc_access(network, "ALL_TRAFFIC"),
                    "containers": [
                        {
                            "image": config.image,
                            "commands": ["/bin/sh", "-c"],
                            "args": [script],
                            "envs": [
                                {"name": "GATEWAY_URL", "value": service.uri},
                                {"name": "SPEND_LIMITS", "value": json.dumps(spend_limit_bodies(plan), sort_keys=True)},
                                secret_env(ADMIN_WRITE_KEY.env, secrets.of(ADMIN_WRITE_KEY)),
                            ],
                        }
                    ],
                },
            },
            opts=child.merge(pulumi.ResourceOptions(depends_on=[service, grant])),
        )
        self.register_outputs({"job": self.job.name})
