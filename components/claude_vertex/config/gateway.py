"""`claude-vertex:gateway`: the platform's Claude apps gateway stack (one per company, not per team).

A gateway stack serves team stacks: the teams it names (`teams`, stack names) each say in their own stack file who
their developers are (`behindGateway`); this section says where and how the gateway runs. Declared once here; the
JSON Schema, docs/configuration.md and the error lines derive from these declarations as for a team stack.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Strict, ValidationInfo, field_validator, model_validator

from claude_vertex.config.base import Flag, Refusal, Section, Text, key, refuse_duplicates, validate_section
from claude_vertex.config.behind_gateway import IDP_GROUP_RE, IDP_GROUP_RULE, Dollars
from claude_vertex.config.project import ProjectConfig

NAME_RULE = "2-20 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen"
STACK_RULE = "a stack name: 1-100 letters, digits, '-', '_' or '.'"
STACK_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
CLOUD_REGION = r"^[a-z]+-[a-z]+[0-9]{1,2}$"
IMAGE_RE = r"^[a-z0-9][a-z0-9.-]*(?::[0-9]{1,5})?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$"
HOSTNAME_RE = r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){2,}[a-z][a-z0-9-]{0,61}[a-z0-9]$"
CA_POOL_RE = r"^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z]+-[a-z]+[0-9]{1,2}/caPools/[a-zA-Z0-9_-]{1,63}$"
NETWORK_RE = r"^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
HTTPS_URL_RE = r"^https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?$"
EMAIL_RE = re.compile(r"^[a-z0-9._%+-]{1,64}@[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
SQL_TIER_RE = r"^db-(?:custom-[1-9][0-9]?-[0-9]{3,6}|perf-optimized-N-[0-9]{1,2}|g1-small|f1-micro)$"

Count = Annotated[int, Strict()]


def _group(key_path: str, group: str) -> str:
    if not IDP_GROUP_RE.match(group):
        raise Refusal(key_path, group, IDP_GROUP_RULE)
    return group


class GatewayNetworkConfig(Section):
    """The gateway's private network: where Cloud Run, Cloud SQL and the internal load balancer live."""

    subnet_range: Text = key(
        "10.60.0.0/24",
        allowed="a private IPv4 CIDR of /16 to /28 (RFC 1918)",
        doc="The gateway subnet: the load balancer's address and Cloud Run's direct VPC egress. Must not overlap the "
        "networks clients come from.",
    )
    proxy_subnet_range: Text = key(
        "10.60.1.0/24",
        allowed="a private IPv4 CIDR of /16 to /26 (RFC 1918)",
        doc="The proxy-only subnet the internal Application Load Balancer needs (/26 or larger).",
    )
    client_networks: tuple[Text, ...] = key(
        (),
        allowed="a list of VPC networks as projects/<project>/global/networks/<name>",
        doc="Networks whose clients resolve the gateway's private DNS name (the corporate VPC peered or connected "
        "to the gateway's). The gateway's own network always does.",
        max_length=10,
    )

    @field_validator("subnet_range", "proxy_subnet_range")
    @classmethod
    def _private(cls, text: str, info: ValidationInfo) -> str:
        largest = 26 if info.field_name == "proxy_subnet_range" else 28
        try:
            network = ipaddress.IPv4Network(text, strict=True)
        except ValueError:
            raise Refusal("", text, f"a private IPv4 CIDR of /16 to /{largest} (RFC 1918)") from None
        if not network.is_private or not 16 <= network.prefixlen <= largest:
            raise Refusal("", text, f"a private IPv4 CIDR of /16 to /{largest} (RFC 1918)")
        return text

    @field_validator("client_networks")
    @classmethod
    def _networks(cls, networks: tuple[str, ...]) -> tuple[str, ...]:
        for index, network in enumerate(networks):
            if not re.match(NETWORK_RE, network):
                raise Refusal(f"[{index}]", network, "a VPC network as projects/<project>/global/networks/<name>")
        refuse_duplicates("", networks)
        return networks

    @model_validator(mode="after")
    def _apart(self) -> GatewayNetworkConfig:
        if ipaddress.IPv4Network(self.subnet_range).overlaps(ipaddress.IPv4Network(self.proxy_subnet_range)):
            raise Refusal(
                "proxySubnetRange", self.proxy_subnet_range, f"must not overlap subnetRange {self.subnet_range}"
            )
        return self


class GatewayOidcConfig(Section):
    """The company's OIDC identity provider, where developers sign in."""

    issuer: Text = key(
        allowed="required: the IdP's https issuer URL, e.g. https://login.example.com/",
        doc="The IdP's issuer (its discovery document is `<issuer>/.well-known/openid-configuration`). The gateway "
        "cannot boot while it is unreachable.",
        pattern=HTTPS_URL_RE,
    )
    client_id: Text = key(
        allowed="required: the OAuth client ID registered for the gateway (1-256 printable characters)",
        doc="The OAuth client registered at the IdP for the gateway (redirect URI `https://<hostname>/oauth/callback`)."
        " Its secret goes into Secret Manager, never into this file (docs/gateway.md).",
        pattern=r"^[\x21-\x7e]{1,256}$",
    )
    groups_claim: Text = key(
        "groups",
        allowed="a claim name: 1-64 letters, digits, '_', '-', ':', '/' or '.'",
        doc="The ID token claim that lists the user's groups (the names `behindGateway.groups` uses).",
        pattern=r"^[A-Za-z0-9_:/.-]{1,64}$",
    )
    email_domains: tuple[Text, ...] = key(
        (),
        allowed="a list of email domains such as example.com",
        doc="Only users with an email in these domains may sign in (the gateway's `allowed_email_domains`).",
        max_length=20,
    )

    @field_validator("email_domains")
    @classmethod
    def _domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        for index, domain in enumerate(domains):
            if not re.match(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", domain):
                raise Refusal(f"[{index}]", domain, "an email domain such as example.com (lowercase, no @)")
        refuse_duplicates("", domains)
        return domains


class GatewayDatabaseConfig(Section):
    """The gateway's PostgreSQL: sessions, spend and audit (Cloud SQL, private IP only)."""

    tier: Text = key(
        "db-custom-1-3840",
        allowed="a Cloud SQL tier such as db-custom-1-3840 or db-custom-2-7680",
        doc="Cloud SQL machine tier.",
        pattern=SQL_TIER_RE,
    )
    high_availability: Flag = key(
        True,
        allowed="must be true or false",
        doc="`true`: a regional instance with a standby in a second zone (`REGIONAL`); `false`: one zone (`ZONAL`), "
        "about half the cost, down while its zone is.",
    )
    backups_retained: Count = key(
        14,
        allowed="a whole number of daily backups from 7 to 365",
        doc="Daily automated backups kept; point-in-time recovery is always on (7 days of logs).",
        ge=7,
        le=365,
    )


class GatewaySpendCapsConfig(Section):
    """Spend caps the gateway enforces beyond each team's per-developer cap (`behindGateway.developerMonthlyCap`)."""

    developers: dict[Text, Dollars] = key(
        {},
        allowed="an object of developer email to US dollars a month (0 or more, at most two decimals)",
        doc="A developer's own monthly cap, in US dollars, overriding their team's (0 blocks them).",
    )

    @field_validator("developers")
    @classmethod
    def _emails(cls, developers: dict[str, float]) -> dict[str, float]:
        if len(developers) > 1000:
            raise Refusal("", len(developers), "at most 1000 developers")
        for email in developers:
            if not EMAIL_RE.match(email):
                raise Refusal(email, email, "a developer's email address in lowercase, e.g. alice@example.com")
        return developers


class GatewayConfig(Section):
    """The whole `claude-vertex:gateway` object of a gateway stack."""

    name: Text = key(
        allowed=f"required: the gateway's short name, e.g. acme; {NAME_RULE}",
        doc=f"The gateway's short name: {NAME_RULE}. It prefixes every resource name.",
        pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$",
    )
    project: ProjectConfig = key(
        allowed="required; at least project.id", doc="The gateway's own GCP project, created or adopted as a team's."
    )
    region: Text = key(
        allowed="required: a Cloud Run and Cloud SQL region such as europe-west1",
        doc="Where the gateway, its database and its load balancer run (one region).",
        pattern=CLOUD_REGION,
    )
    image: Text = key(
        allowed="required: a container image by digest, <registry>/<path>@sha256:<64 hex>",
        doc="The gateway's container image (the pinned `claude` binary; docs/gateway.md shows the Dockerfile), by "
        "digest: a tag can be moved under a running service.",
        pattern=IMAGE_RE,
    )
    hostname: Text = key(
        allowed="required: a private DNS name such as claude-gateway.corp.example.com (lowercase, 3+ labels)",
        doc="The name developers reach the gateway by (`https://<hostname>`): a private DNS zone for its parent "
        "domain is created in the gateway's network (and `network.clientNetworks`).",
        pattern=HOSTNAME_RE,
        max_length=253,
    )
    certificate_authority_pool: Text = key(
        allowed="required: projects/<project>/locations/<region>/caPools/<pool>",
        doc="The company's private CA pool (Certificate Authority Service) that issues the load balancer's "
        "certificate; Certificate Manager renews it. The private key never leaves Google. The pool must be in "
        "`region`.",
        pattern=CA_POOL_RE,
    )
    oidc: GatewayOidcConfig = key(allowed="required; at least oidc.issuer and oidc.clientId", doc="Developer sign-in.")
    admin_groups: tuple[Text, ...] = key(
        (),
        allowed=f"a list of IdP group names, {IDP_GROUP_RULE}",
        doc="IdP groups whose members may use the gateway's admin API with their own sign-in (spend limits, audit).",
        max_length=10,
    )
    teams: tuple[Text, ...] = key(
        allowed=f"required: a list of the team stacks served, each {STACK_RULE}",
        doc="The team stacks (`Pulumi.<stack>.yaml` beside this one) whose developers use the gateway. Each must "
        "have `behindGateway`; its project, region and pinned models are read from its stack file.",
        min_length=1,
        max_length=200,
    )
    network: GatewayNetworkConfig = key(
        {}, allowed="an object", doc="The gateway's private network.", validate_default=True
    )
    database: GatewayDatabaseConfig = key(
        {}, allowed="an object", doc="Cloud SQL for PostgreSQL.", validate_default=True
    )
    min_instances: Count = key(
        1,
        allowed="a whole number from 1 to 100",
        doc="Instances kept warm (at least one: a cold start would time out a developer's first request).",
        ge=1,
        le=100,
    )
    max_instances: Count = key(
        10, allowed="a whole number from 1 to 1000", doc="The most instances Cloud Run may start.", ge=1, le=1000
    )
    telemetry_collector: Text | None = key(
        None,
        allowed="an https URL of an OTLP/HTTP collector",
        doc="Where the gateway forwards the clients' OpenTelemetry metrics (`telemetry.forward_to`).",
        pattern=HTTPS_URL_RE,
    )
    spend_caps: GatewaySpendCapsConfig = key(
        {}, allowed="an object", doc="Spend caps beyond the teams' own.", validate_default=True
    )

    @field_validator("teams")
    @classmethod
    def _teams(cls, teams: tuple[str, ...]) -> tuple[str, ...]:
        for index, stack in enumerate(teams):
            if not STACK_RE.match(stack):
                raise Refusal(f"[{index}]", stack, STACK_RULE)
        refuse_duplicates("", teams)
        return teams

    @field_validator("admin_groups")
    @classmethod
    def _admin_groups(cls, groups: tuple[str, ...]) -> tuple[str, ...]:
        for index, group in enumerate(groups):
            _group(f"[{index}]", group)
        refuse_duplicates("", groups)
        return groups

    @model_validator(mode="after")
    def _consistent(self) -> GatewayConfig:
        if self.max_instances < self.min_instances:
            raise Refusal("maxInstances", self.max_instances, f"must be at least minInstances ({self.min_instances})")
        pool_region = self.certificate_authority_pool.split("/")[3]
        if pool_region != self.region:
            raise Refusal(
                "certificateAuthorityPool",
                self.certificate_authority_pool,
                f"must be in the gateway's region {self.region} (a regional certificate is issued from a pool in the "
                "same region)",
            )
        return self

    @property
    def public_url(self) -> str:
        """The origin developers and the IdP's redirect use."""
        return f"https://{self.hostname}"

    @property
    def dns_domain(self) -> str:
        """The private zone's domain: the hostname's parent."""
        return self.hostname.split(".", 1)[1]


class GatewayStackConfig(Section):
    """Everything under the `claude-vertex:` namespace of a gateway stack: the one `gateway` object."""

    gateway: GatewayConfig = key(allowed="required: an object", doc="The platform's Claude apps gateway.")


def parse_gateway_stack(raw: Mapping[str, Any]) -> GatewayConfig:
    """Validate a gateway stack's config (keys without the namespace): one `gateway` object and nothing else."""
    name = raw.get("gateway", {}).get("name") if isinstance(raw.get("gateway"), dict) else None
    return validate_section(GatewayStackConfig, raw, {"team": name}).gateway
