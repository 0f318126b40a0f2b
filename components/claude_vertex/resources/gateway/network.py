"""The gateway's private network: a VPC of its own, the gateway subnet, the proxy-only subnet the internal load
balancer needs, and private services access, so that Cloud SQL gets a private address and no public one."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from claude_vertex.config.gateway import GatewayConfig

PRIVATE_SERVICES_PREFIX = 20
"""The range Google's service producers (Cloud SQL) take addresses from: /20 is what Google recommends at least."""


class GatewayNetwork(pulumi.ComponentResource):
    """The VPC the gateway's Cloud Run egress, its database and its load balancer share."""

    network: gcp.compute.Network
    subnet: gcp.compute.Subnetwork
    private_services: gcp.servicenetworking.Connection

    def __init__(
        self,
        config: GatewayConfig,
        project_id: pulumi.Input[str],
        compute_api: pulumi.Resource,
        networking_api: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        name = config.name
        super().__init__("claude-vertex:index:GatewayNetwork", f"{name}-gateway-network", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.network = gcp.compute.Network(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=child.merge(pulumi.ResourceOptions(depends_on=[compute_api])),
        )
        self.subnet = gcp.compute.Subnetwork(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            region=config.region,
            network=self.network.id,
            ip_cidr_range=config.network.subnet_range,
            private_ip_google_access=True,
            opts=child,
        )
        self.proxy_subnet = gcp.compute.Subnetwork(
            f"{name}-gateway-proxies",
            name=f"{name}-gateway-proxies",
            project=project_id,
            region=config.region,
            network=self.network.id,
            ip_cidr_range=config.network.proxy_subnet_range,
            purpose="REGIONAL_MANAGED_PROXY",
            role="ACTIVE",
            opts=child,
        )
        services_range = gcp.compute.GlobalAddress(
            f"{name}-gateway-private-services",
            name=f"{name}-gateway-private-services",
            project=project_id,
            network=self.network.id,
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=PRIVATE_SERVICES_PREFIX,
            opts=child,
        )
        self.private_services = gcp.servicenetworking.Connection(
            f"{name}-gateway-private-services",
            network=self.network.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[services_range.name],
            opts=child.merge(pulumi.ResourceOptions(depends_on=[networking_api])),
        )
        self.register_outputs({"network": self.network.id, "subnet": self.subnet.id})
