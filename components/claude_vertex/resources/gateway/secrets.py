"""The gateway's secrets: a Secret Manager secret per credential, readable by the gateway's account alone.

Their values are never in the stack: it creates the secrets and their grants, and `make gateway-secrets` (run once
by a platform engineer, and again to rotate) adds versions from the engineer's machine. A value created by the
program would be in state (encrypted, but readable by whoever can read the state and its passphrase or KMS key);
one added outside is readable only through Secret Manager's IAM, which this stack keeps to the gateway's account.
The one version the stack writes is gateway.yaml itself, which holds references, never a value.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.iam import SECRET_ACCESSOR

from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.render.gateway import GATEWAY_SECRETS, GatewaySecret

CONFIG_SLUG = "config"


def secret_id(gateway: str, slug: str) -> str:
    """`acme-gateway-jwt-secret`: the secret's ID in the gateway's project."""
    return f"{gateway}-gateway-{slug}"


class GatewaySecrets(pulumi.ComponentResource):
    """The credentials' secrets, and gateway.yaml's, each granted to the gateway's account only."""

    secrets: dict[str, gcp.secretmanager.Secret]
    config_version: gcp.secretmanager.SecretVersion

    def __init__(
        self,
        config: GatewayConfig,
        project_id: pulumi.Input[str],
        gateway_member: pulumi.Input[str],
        rendered_config: str,
        secret_api: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        name = config.name
        super().__init__("claude-vertex:index:GatewaySecrets", f"{name}-gateway-secrets", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.secrets = {}
        self.grants: dict[str, gcp.secretmanager.SecretIamMember] = {}
        for slug in (*(secret.slug for secret in GATEWAY_SECRETS), CONFIG_SLUG):
            resource_name = secret_id(name, slug)
            secret = gcp.secretmanager.Secret(
                resource_name,
                secret_id=resource_name,
                project=project_id,
                replication={"user_managed": {"replicas": [{"location": config.region}]}},
                labels={"gateway": name, "managed-by": "pulumi"},
                opts=child.merge(pulumi.ResourceOptions(depends_on=[secret_api])),
            )
            self.secrets[slug] = secret
            self.grants[slug] = gcp.secretmanager.SecretIamMember(
                f"{resource_name}-gateway-reads",
                project=project_id,
                secret_id=secret.secret_id,
                role=SECRET_ACCESSOR,
                member=gateway_member,
                opts=child,
            )
        self.config_version = gcp.secretmanager.SecretVersion(
            secret_id(name, CONFIG_SLUG),
            secret=self.secrets[CONFIG_SLUG].id,
            secret_data=rendered_config,
            opts=child,
        )
        self.register_outputs({"secrets": {slug: s.secret_id for slug, s in self.secrets.items()}})

    def of(self, secret: GatewaySecret) -> gcp.secretmanager.Secret:
        return self.secrets[secret.slug]
