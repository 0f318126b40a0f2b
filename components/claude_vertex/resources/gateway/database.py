"""The gateway's PostgreSQL: Cloud SQL on a private address only, TLS required, backups with point-in-time recovery,
deletion protected and kept by `pulumi destroy`; HA a setting. Its user is created without a password: the password
is set outside the stack (`make gateway-secrets`), so it is never in state."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.render.gateway import DATABASE, DATABASE_USER

POSTGRES_VERSION = "POSTGRES_16"
"""The gateway needs PostgreSQL 14 or later."""
TRANSACTION_LOG_DAYS = 7
"""Point-in-time recovery window (the most Cloud SQL Enterprise keeps)."""
BACKUP_START = "03:00"


def instance_name(gateway: str) -> str:
    """`acme-gateway`: the Cloud SQL instance's name (`make gateway-secrets` sets its user's password there)."""
    return f"{gateway}-gateway"


class GatewayDatabase(pulumi.ComponentResource):
    instance: gcp.sql.DatabaseInstance

    def __init__(
        self,
        config: GatewayConfig,
        project_id: pulumi.Input[str],
        network: gcp.compute.Network,
        private_services: pulumi.Resource,
        sql_api: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        name = config.name
        super().__init__("claude-vertex:index:GatewayDatabase", f"{name}-gateway-database", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        database = config.database
        self.instance = gcp.sql.DatabaseInstance(
            instance_name(name),
            name=instance_name(name),
            project=project_id,
            region=config.region,
            database_version=POSTGRES_VERSION,
            deletion_protection=True,
            settings={
                "tier": database.tier,
                "edition": "ENTERPRISE",
                "availability_type": "REGIONAL" if database.high_availability else "ZONAL",
                "deletion_protection_enabled": True,
                "ip_configuration": {
                    "ipv4_enabled": False,
                    "private_network": network.id,
                    "ssl_mode": "ENCRYPTED_ONLY",
                },
                "backup_configuration": {
                    "enabled": True,
                    "point_in_time_recovery_enabled": True,
                    "start_time": BACKUP_START,
                    "transaction_log_retention_days": TRANSACTION_LOG_DAYS,
                    "backup_retention_settings": {
                        "retained_backups": database.backups_retained,
                        "retention_unit": "COUNT",
                    },
                },
                "user_labels": {"gateway": name, "managed-by": "pulumi"},
            },
            opts=child.merge(pulumi.ResourceOptions(depends_on=[private_services, sql_api], retain_on_delete=True)),
        )
        gcp.sql.Database(
            f"{name}-gateway",
            name=DATABASE,
            project=project_id,
            instance=self.instance.name,
            opts=child,
        )
        gcp.sql.User(
            f"{name}-gateway",
            name=DATABASE_USER,
            project=project_id,
            instance=self.instance.name,
            type="BUILT_IN",
            opts=child,
        )
        self.private_ip = self.instance.private_ip_address
        self.register_outputs({"instance": self.instance.name})
