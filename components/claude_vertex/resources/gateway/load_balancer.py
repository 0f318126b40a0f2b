"""The private path developers reach the gateway by: an internal Application Load Balancer in front of the service
(serverless NEG), a certificate Certificate Manager has the company's private CA issue (the key never leaves
Google), an internal address in the gateway subnet, and a private DNS name for it."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.resources.gateway.network import GatewayNetwork

HTTPS_PORT = "443"
CERTIFICATE_LIFETIME = "2592000s"
"""30 days: short-lived, renewed by Certificate Manager from two thirds of its life."""


class GatewayLoadBalancer(pulumi.ComponentResource):
    address: gcp.compute.Address

    def __init__(
        self,
        config: GatewayConfig,
        project_id: pulumi.Input[str],
        network: GatewayNetwork,
        service: gcp.cloudrunv2.Service,
        certificate_api: pulumi.Resource,
        dns_api: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        name = config.name
        region = config.region
        super().__init__("claude-vertex:index:GatewayLoadBalancer", f"{name}-gateway-load-balancer", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        endpoints = gcp.compute.RegionNetworkEndpointGroup(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            region=region,
            network_endpoint_type="SERVERLESS",
            cloud_run={"service": service.name},
            opts=child,
        )
        backend = gcp.compute.RegionBackendService(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            region=region,
            load_balancing_scheme="INTERNAL_MANAGED",
            protocol="HTTPS",
            backends=[{"group": endpoints.id, "balancing_mode": "UTILIZATION", "capacity_scaler": 1.0}],
            opts=child,
        )
        url_map = gcp.compute.RegionUrlMap(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            region=region,
            default_service=backend.id,
            opts=child,
        )
        issuance = gcp.certificatemanager.CertificateIssuanceConfig(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            location=region,
            certificate_authority_config={
                "certificate_authority_service_config": {"ca_pool": config.certificate_authority_pool}
            },
            lifetime=CERTIFICATE_LIFETIME,
            rotation_window_percentage=66,
            key_algorithm="ECDSA_P256",
            opts=child.merge(pulumi.ResourceOptions(depends_on=[certificate_api])),
        )
        certificate = gcp.certificatemanager.Certificate(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            location=region,
            managed={"domains": [config.hostname], "issuance_config": issuance.id},
            opts=child,
        )
        proxy = gcp.compute.RegionTargetHttpsProxy(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            region=region,
            url_map=url_map.id,
            certificate_manager_certificates=[certificate.id],
            opts=child,
        )
        self.address = gcp.compute.Address(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            region=region,
            subnetwork=network.subnet.id,
            address_type="INTERNAL",
            opts=child,
        )
        gcp.compute.ForwardingRule(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            region=region,
            load_balancing_scheme="INTERNAL_MANAGED",
            network=network.network.id,
            subnetwork=network.subnet.id,
            ip_address=self.address.id,
            ip_protocol="TCP",
            port_range=HTTPS_PORT,
            target=proxy.id,
            network_tier="PREMIUM",
            opts=child.merge(pulumi.ResourceOptions(depends_on=[network.proxy_subnet])),
        )
        zone = gcp.dns.ManagedZone(
            f"{name}-gateway",
            name=f"{name}-gateway",
            project=project_id,
            dns_name=f"{config.dns_domain}.",
            description=f"Private name of the {name} Claude apps gateway",
            visibility="private",
            private_visibility_config={
                "networks": [
                    {"network_url": network.network.id},
                    *({"network_url": client} for client in config.network.client_networks),
                ]
            },
            opts=child.merge(pulumi.ResourceOptions(depends_on=[dns_api])),
        )
        gcp.dns.RecordSet(
            f"{name}-gateway",
            name=f"{config.hostname}.",
            project=project_id,
            managed_zone=zone.name,
            type="A",
            ttl=300,
            rrdatas=[self.address.address],
            opts=child,
        )
        self.register_outputs({"address": self.address.address})
