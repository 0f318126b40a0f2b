"""The gateway on Cloud Run: internal ingress only, no IAM invoker, warm, the image by digest, its secrets from
Secret Manager and its gateway.yaml mounted from the config secret's exact version.

Why no IAM invoker: clients send the gateway's own session token, never a Google identity token, so Cloud Run's
invoker check could only pass with `allUsers`, which is what Anthropic's example grants. Instead the check is off
(`invoker_iam_disabled`) and ingress admits only the VPC and its internal load balancer: nothing on the internet
reaches the service, and the gateway authenticates every request itself (its SSO sign-in and session JWT).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.render.gateway import CONFIG_DIR, CONFIG_FILE, DATABASE_HOST_ENV, GATEWAY_SECRETS, PORT
from claude_vertex.resources.gateway.network import GatewayNetwork
from claude_vertex.resources.gateway.secrets import CONFIG_SLUG, GatewaySecrets

INGRESS = "INGRESS_TRAFFIC_INTERNAL_ONLY"
"""The VPC and internal load balancers only (`INTERNAL_LOAD_BALANCER` would admit external load balancers too)."""


def service_name(gateway: str) -> str:
    """`acme-gateway`: the Cloud Run service's name (a secret's new version reaches it with its next revision)."""
    return f"{gateway}-gateway"


def secret_env(name: str, secret: gcp.secretmanager.Secret) -> dict[str, object]:
    """An environment variable Cloud Run reads from the secret's newest version when an instance starts."""
    return {"name": name, "value_source": {"secret_key_ref": {"secret": secret.secret_id, "version": "latest"}}}


def vpc_access(network: GatewayNetwork, egress: str) -> dict[str, object]:
    """Direct VPC egress into the gateway subnet (no connector to run or pay for)."""
    return {"network_interfaces": [{"network": network.network.id, "subnetwork": network.subnet.id}], "egress": egress}


class GatewayService(pulumi.ComponentResource):
    service: gcp.cloudrunv2.Service

    def __init__(
        self,
        config: GatewayConfig,
        project_id: pulumi.Input[str],
        service_account_email: pulumi.Input[str],
        network: GatewayNetwork,
        secrets: GatewaySecrets,
        database_host: pulumi.Input[str],
        run_api: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        name = config.name
        super().__init__("claude-vertex:index:GatewayService", f"{name}-gateway-service", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        envs = [secret_env(secret.env, secrets.of(secret)) for secret in GATEWAY_SECRETS]
        envs.append({"name": DATABASE_HOST_ENV, "value": database_host})
        self.service = gcp.cloudrunv2.Service(
            service_name(name),
            name=service_name(name),
            project=project_id,
            location=config.region,
            ingress=INGRESS,
            invoker_iam_disabled=True,
            # Stateless: `pulumi destroy` may remove it (the database and the project are what is kept).
            deletion_protection=False,
            labels={"gateway": name, "managed-by": "pulumi"},
            template={
                "service_account": service_account_email,
                "scaling": {"min_instance_count": config.min_instances, "max_instance_count": config.max_instances},
                # Private ranges (Cloud SQL) through the VPC; the IdP and Vertex AI directly.
                "vpc_access": vpc_access(network, "PRIVATE_RANGES_ONLY"),
                "containers": [
                    {
                        "image": config.image,
                        "args": ["gateway", "--config", f"{CONFIG_DIR}/{CONFIG_FILE}"],
                        "ports": {"container_port": PORT},
                        "envs": envs,
                        "volume_mounts": [{"name": "config", "mount_path": CONFIG_DIR}],
                        "startup_probe": {
                            "http_get": {"path": "/readyz"},
                            "period_seconds": 5,
                            "failure_threshold": 24,
                        },
                        "liveness_probe": {"http_get": {"path": "/healthz"}, "period_seconds": 30},
                    }
                ],
                "volumes": [
                    {
                        "name": "config",
                        "secret": {
                            "secret": secrets.secrets[CONFIG_SLUG].secret_id,
                            # The exact version: a new gateway.yaml is a new revision, rolled out by `pulumi up`.
                            "items": [{"path": CONFIG_FILE, "version": secrets.config_version.version}],
                        },
                    }
                ],
            },
            opts=child.merge(pulumi.ResourceOptions(depends_on=[run_api, *secrets.grants.values()])),
        )
        self.register_outputs({"uri": self.service.uri})
