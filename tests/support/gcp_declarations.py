"""What GCP answers, declared once: IDs, computed outputs and invoke results in the Google provider's formats.

Two consumers read these and nothing else: the mocks the offline preview and the fast suite run the program under
(`tests.support.gcp_mocks`), and the stand-in `gcp` provider plugin the real Pulumi engine runs it against
(`tests.support.gcp_provider`). So a stack rendered offline and a stack applied by the engine get the same project
number, the same account emails, the same role and pool names: a difference between the two is a difference in the
emulation, never in the data. Dependency-free beyond the GCP facts (`claude_vertex_gcp`), so that the stand-in
starts fast.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote_plus

from claude_vertex_gcp import resource_types as gcp_types
from claude_vertex_gcp.iam import COMPUTE_TOKENS, PREDICT, SERVICE_USAGE_USE
from claude_vertex_gcp.names import (
    custom_role_name,
    project_parent,
    provider_name,
    service_account_email,
    service_account_name,
    workload_pool_name,
)

TESTABLE_PERMISSIONS = (
    COMPUTE_TOKENS,
    "aiplatform.endpoints.get",
    "aiplatform.endpoints.list",
    PREDICT,
    "aiplatform.models.get",
    SERVICE_USAGE_USE,
)
"""Permissions an organization typically offers for custom roles around the ones the program asks for."""


def _digits(seed: str, length: int) -> str:
    """Stable pseudo-random digits: the same config always yields the same project number."""
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    first = str(1 + value % 9)
    return first + str(value // 9)[-(length - 1) :].rjust(length - 1, "0")


def project_number(project_id: str) -> str:
    """A 12-digit project number, as GCP assigns them, derived from the project ID."""
    return _digits(f"project:{project_id}", 12)


def _service_account(inputs: Mapping[str, Any]) -> dict[str, Any]:
    project = inputs["project"]
    email = service_account_email(inputs["accountId"], project)
    return {
        "email": email,
        "name": service_account_name(project, email),
        "member": f"serviceAccount:{email}",
        "uniqueId": _digits(f"sa:{email}", 21),
    }


def _pool_name(inputs: Mapping[str, Any]) -> str:
    return workload_pool_name(project_number(inputs["project"]), inputs["workloadIdentityPoolId"])


def _project(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    pid = inputs["projectId"]
    labels = {**inputs.get("labels", {}), "goog-pulumi-provisioned": "true"}
    return project_parent(pid), {"number": project_number(pid), "effectiveLabels": labels}


def _role(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    name = custom_role_name(inputs["project"], inputs["roleId"])
    return name, {"name": name, "deleted": False}


def _account(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    state = _service_account(inputs)
    return state["name"], state


def _pool(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    name = _pool_name(inputs)
    return name, {"name": name, "state": "ACTIVE"}


def _pool_provider(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    name = provider_name(_pool_name(inputs), inputs["workloadIdentityPoolProviderId"])
    return name, {"name": name, "state": "ACTIVE"}


class CloudView(Protocol):
    """What GCP already holds, as far as computing a new resource's ID and outputs needs it."""

    def get(self, type_token: str, resource_id: str) -> Mapping[str, Any] | None:
        """The live resource's properties, or None."""

    def ids(self, type_token: str) -> Iterable[str]:
        """Every ID of this type GCP knows, live or deleted (a destroyed secret version keeps its number)."""


class NoCloud:
    """A cloud that holds nothing (a resource computed on its own)."""

    def get(self, type_token: str, resource_id: str) -> Mapping[str, Any] | None:
        return None

    def ids(self, type_token: str) -> Iterable[str]:
        return ()


@dataclass(frozen=True)
class Known:
    """What a computation may look at besides the inputs: the cloud, and the resource's own ID when GCP already has
    it (an update: IDs and numbers GCP assigned stay as they are)."""

    cloud: CloudView = field(default_factory=NoCloud)
    resource_id: str | None = None


class GcpRefusal(Exception):
    """GCP cannot carry out the create: a resource it names does not exist. The message is the provider's."""


COMPUTE = "https://www.googleapis.com/compute/v1/"
SQL_ADMIN = "https://sqladmin.googleapis.com/sql/v1beta4/"
_NETWORK_ID = re.compile(r"^projects/(?P<project>[^/]+)/global/networks/(?P<name>[^/]+)$")
_SECRET_ID = re.compile(r"^projects/(?P<project>[^/]+)/secrets/(?P<secret>[^/]+)$")
SERVICE_NETWORKING = "servicenetworking.googleapis.com"


def _compute(scope: str, collection: str) -> ComputedState:
    """A Compute Engine resource: ID `projects/<p>/<scope>/<collection>/<name>` (scope `global` or `regions/<r>`),
    `selfLink` the same under the v1 API's URL."""

    def computed(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
        where = scope.format(**inputs)
        resource_id = f"projects/{inputs['project']}/{where}/{collection}/{inputs['name']}"
        return resource_id, {"selfLink": COMPUTE + resource_id}

    return computed


def _located(collection: str) -> ComputedState:
    """A resource of the newer APIs (Cloud Run, Certificate Manager): `projects/<p>/locations/<l>/<collection>/<n>`."""

    def computed(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
        return f"projects/{inputs['project']}/locations/{inputs['location']}/{collection}/{inputs['name']}", {}

    return computed


def _range(seed: str, prefix_length: int) -> ipaddress.IPv4Network:
    """A /`prefix_length` inside 10.0.0.0/8, stable for `seed`: where GCP puts a range it chooses."""
    blocks = 2 ** (prefix_length - 8)
    index = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % blocks
    return ipaddress.IPv4Network(
        (int(ipaddress.IPv4Address("10.0.0.0")) + index * 2 ** (32 - prefix_length), prefix_length)
    )


def _host(network: ipaddress.IPv4Network, seed: str) -> str:
    """An address GCP hands out in `network`: never the first two nor the last two (GCP reserves them)."""
    usable = network.num_addresses - 4
    return str(network.network_address + 2 + int(hashlib.sha256(seed.encode()).hexdigest(), 16) % usable)


def _global_address(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    """An internal range for private services access: GCP picks a free `/prefixLength` when `address` is unset."""
    resource_id, outputs = _compute("global", "addresses")(inputs, known)
    if inputs.get("address"):
        return resource_id, outputs
    chosen = _range(resource_id, int(inputs.get("prefixLength", 16)))
    return resource_id, {**outputs, "address": str(chosen.network_address)}


def _subnetwork(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    resource_id, outputs = _compute("regions/{region}", "subnetworks")(inputs, known)
    gateway = ipaddress.IPv4Network(inputs["ipCidrRange"]).network_address + 1
    return resource_id, {**outputs, "gatewayAddress": str(gateway)}


def _address(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    """An internal address: GCP takes a free one from the subnet's range when `address` is unset."""
    resource_id, outputs = _compute("regions/{region}", "addresses")(inputs, known)
    if inputs.get("address") or inputs.get("addressType") != "INTERNAL":
        return resource_id, {**outputs, "address": inputs.get("address") or _public_address(resource_id)}
    subnetwork = inputs.get("subnetwork", "")
    subnet = known.cloud.get(gcp_types.SUBNETWORK, subnetwork.removeprefix(COMPUTE))
    if subnet is None:
        raise GcpRefusal(
            f"Error creating Address: googleapi: Error 404: The resource '{subnetwork}' was not found, notFound"
        )
    return resource_id, {**outputs, "address": _host(ipaddress.IPv4Network(subnet["ipCidrRange"]), resource_id)}


def _public_address(seed: str) -> str:
    return str(ipaddress.IPv4Address("34.0.0.0") + int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 2**22)


def connection_id(network: str, service: str) -> str:
    """The provider's ID of a private services connection: the network and service as given, query-escaped."""
    return f"{quote_plus(network)}:{quote_plus(service)}"


def _connection(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    return connection_id(inputs["network"], inputs["service"]), {"peering": inputs["service"].replace(".", "-")}


def _private_services_range(network: str, cloud: CloudView) -> ipaddress.IPv4Network | None:
    """The range reserved for private services access on `network` (its connection's first range), if there is one."""
    connection = cloud.get(gcp_types.SERVICE_NETWORKING_CONNECTION, connection_id(network, SERVICE_NETWORKING))
    match = _NETWORK_ID.match(network)
    if connection is None or match is None or not connection.get("reservedPeeringRanges"):
        return None
    reserved = cloud.get(
        gcp_types.GLOBAL_ADDRESS,
        f"projects/{match['project']}/global/addresses/{connection['reservedPeeringRanges'][0]}",
    )
    if reserved is None or not reserved.get("address"):
        return None
    return ipaddress.IPv4Network(f"{reserved['address']}/{int(reserved.get('prefixLength', 16))}")


def _sql_instance(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    """Cloud SQL takes a private address from the range the network reserved for private services access (and
    refuses a private network without that connection), a public one only with `ipv4Enabled`. The provider's ID is
    the instance name (its Read sets it so after the create)."""
    project, name = inputs["project"], inputs["name"]
    ip_configuration = inputs.get("settings", {}).get("ipConfiguration", {})
    addresses = []
    network = ip_configuration.get("privateNetwork")
    if network:
        reserved = _private_services_range(network, known.cloud)
        if reserved is None:
            raise GcpRefusal(
                f"Error, failed to create instance {name}: googleapi: Error 400: Invalid request: Incorrect Service "
                f"Networking config for instance: {project}:{name}:SERVICE_NETWORKING_NOT_ENABLED., invalid"
            )
        first_block = next(reserved.subnets(new_prefix=24))
        addresses.append({"ipAddress": _host(first_block, f"sql:{project}/{name}"), "type": "PRIVATE"})
    if ip_configuration.get("ipv4Enabled", True):
        addresses.append({"ipAddress": _public_address(f"sql:{project}/{name}"), "type": "PRIMARY"})
    by_type = {address["type"]: address["ipAddress"] for address in addresses}
    return name, {
        "connectionName": f"{project}:{inputs['region']}:{name}",
        "ipAddresses": addresses,
        "firstIpAddress": addresses[0]["ipAddress"] if addresses else "",
        "privateIpAddress": by_type.get("PRIVATE", ""),
        "publicIpAddress": by_type.get("PRIMARY", ""),
        "selfLink": f"{SQL_ADMIN}projects/{project}/instances/{name}",
    }


def _sql_database(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    resource_id = f"projects/{inputs['project']}/instances/{inputs['instance']}/databases/{inputs['name']}"
    return resource_id, {"selfLink": SQL_ADMIN + resource_id}


def _sql_user(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    """`<name>/<host>/<instance>`: a PostgreSQL user has no host, so the middle is empty."""
    return f"{inputs['name']}/{inputs.get('host', '')}/{inputs['instance']}", {}


def _secret(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    """The provider's ID names the project by ID; Secret Manager's own `name` by number (terraform-provider-google
    #11343: `name` "always resolves to the project number")."""
    project, secret_id = inputs["project"], inputs["secretId"]
    return f"projects/{project}/secrets/{secret_id}", {
        "name": f"projects/{project_number(project)}/secrets/{secret_id}"
    }


def _secret_version(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    """A version is numbered by its secret, one past the last it ever had (a destroyed version keeps its number);
    its name carries the project number, as the secret's does."""
    secret = inputs["secret"]
    match = _SECRET_ID.match(secret)
    if match is None:
        raise GcpRefusal(
            "Error creating SecretVersion: secret does not fit any of the expected formats "
            f"`projects/{{{{project}}}}/secrets/{{{{secret}}}}` or `{{{{secret}}}}`. Got: {secret}"
        )
    project = match["project"]
    parent = f"projects/{project if project.isdigit() else project_number(project)}/secrets/{match['secret']}"
    if known.resource_id is not None:
        name = known.resource_id
    else:
        if known.cloud.get(gcp_types.SECRET, f"projects/{project}/secrets/{match['secret']}") is None:
            raise GcpRefusal(f"Error creating SecretVersion: googleapi: Error 404: Secret [{parent}] not found.")
        prefix = f"{parent}/versions/"
        numbers = [int(i[len(prefix) :]) for i in known.cloud.ids(gcp_types.SECRET_VERSION) if i.startswith(prefix)]
        name = f"{prefix}{max(numbers, default=0) + 1}"
    return name, {"name": name, "version": name.rsplit("/", 1)[1], "enabled": inputs.get("enabled", True)}


def _secret_grant(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    """The provider keeps the secret's full ID in state whichever form the program gave (short or full: the two
    compare equal, `CompareSelfLinkOrResourceName`), and the project it resolved."""
    match = _SECRET_ID.match(inputs["secretId"])
    project, secret = (match["project"], match["secret"]) if match else (inputs["project"], inputs["secretId"])
    resource = f"projects/{project}/secrets/{secret}"
    return f"{resource}/{inputs['role']}/{inputs['member']}", {"etag": ETAG, "secretId": resource, "project": project}


def _run_service(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    """Cloud Run's deterministic URL: `https://<service>-<project number>.<region>.run.app`."""
    resource_id, outputs = _located("services")(inputs, known)
    uri = f"https://{inputs['name']}-{project_number(inputs['project'])}.{inputs['location']}.run.app"
    return resource_id, {**outputs, "uri": uri}


def _run_job(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    """A job runs when it is created or updated with a new `runExecutionToken` (the apply waits for the run): each
    run is an execution named `<job>-<5 characters>`, counted in `executionCount`."""
    resource_id, outputs = _located("jobs")(inputs, known)
    before = known.cloud.get(gcp_types.CLOUD_RUN_JOB, known.resource_id) if known.resource_id else None
    token = inputs.get("runExecutionToken")
    if before is not None and (token is None or token == before.get("runExecutionToken")):
        ran = {key: before[key] for key in ("executionCount", "latestCreatedExecution") if key in before}
        return resource_id, {**outputs, **ran}
    count = int(before.get("executionCount", 0)) if before is not None else 0
    if token is None:
        return resource_id, {**outputs, "executionCount": count}
    suffix = _suffix(f"{resource_id}:{token}:{count}")
    return resource_id, {
        **outputs,
        "executionCount": count + 1,
        "latestCreatedExecution": {"name": f"{inputs['name']}-{suffix}"},
    }


def _suffix(seed: str, length: int = 5) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return "".join(alphabet[(value >> (6 * i)) % len(alphabet)] for i in range(length))


def _certificate(inputs: Mapping[str, Any], known: Known) -> tuple[str, dict[str, Any]]:
    resource_id, outputs = _located("certificates")(inputs, known)
    return resource_id, {**outputs, "sanDnsnames": list(inputs.get("managed", {}).get("domains", []))}


def _managed_zone(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    resource_id = f"projects/{inputs['project']}/managedZones/{inputs['name']}"
    private = inputs.get("visibility") == "private"
    servers = (
        ["ns-gcp-private.googledomains.com."] if private else [f"ns-cloud-a{i}.googledomains.com." for i in range(1, 5)]
    )
    return resource_id, {"managedZoneId": _digits(f"zone:{resource_id}", 16), "nameServers": servers}


def _record_set(inputs: Mapping[str, Any], _: Known) -> tuple[str, dict[str, Any]]:
    zone = inputs["managedZone"].rsplit("/", 1)[-1]
    return f"projects/{inputs['project']}/managedZones/{zone}/rrsets/{inputs['name']}/{inputs['type']}", {}


ComputedState = Callable[[Mapping[str, Any], Known], tuple[str, dict[str, Any]]]
"""(id, computed outputs) of a resource from its inputs and what GCP already holds, in the provider's formats, as
after `pulumi up`."""

ETAG = "BwYGaR1BQJ8="
"""The etag an IAM grant reports (any stable value in GCP's base64 shape)."""

COMPUTED_STATE: dict[str, ComputedState] = {
    gcp_types.PROJECT: _project,
    gcp_types.SERVICE: lambda i, _: (f"{i['project']}/{i['service']}", {}),
    gcp_types.PROJECT_CUSTOM_ROLE: _role,
    gcp_types.SERVICE_ACCOUNT: _account,
    gcp_types.PROJECT_IAM_MEMBER: lambda i, _: (f"{i['project']}/{i['role']}/{i['member']}", {"etag": ETAG}),
    gcp_types.SERVICE_ACCOUNT_IAM_MEMBER: lambda i, _: (
        f"{i['serviceAccountId']}/{i['role']}/{i['member']}",
        {"etag": ETAG},
    ),
    gcp_types.WORKLOAD_IDENTITY_POOL: _pool,
    gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER: _pool_provider,
    gcp_types.SECRET: _secret,
    gcp_types.SECRET_VERSION: _secret_version,
    gcp_types.SECRET_IAM_MEMBER: _secret_grant,
    gcp_types.SQL_INSTANCE: _sql_instance,
    gcp_types.SQL_DATABASE: _sql_database,
    gcp_types.SQL_USER: _sql_user,
    gcp_types.CLOUD_RUN_SERVICE: _run_service,
    gcp_types.CLOUD_RUN_JOB: _run_job,
    gcp_types.NETWORK: _compute("global", "networks"),
    gcp_types.SUBNETWORK: _subnetwork,
    gcp_types.GLOBAL_ADDRESS: _global_address,
    gcp_types.SERVICE_NETWORKING_CONNECTION: _connection,
    gcp_types.ADDRESS: _address,
    gcp_types.REGION_NETWORK_ENDPOINT_GROUP: _compute("regions/{region}", "networkEndpointGroups"),
    gcp_types.REGION_BACKEND_SERVICE: _compute("regions/{region}", "backendServices"),
    gcp_types.REGION_URL_MAP: _compute("regions/{region}", "urlMaps"),
    gcp_types.REGION_TARGET_HTTPS_PROXY: _compute("regions/{region}", "targetHttpsProxies"),
    gcp_types.FORWARDING_RULE: _compute("regions/{region}", "forwardingRules"),
    gcp_types.CERTIFICATE_ISSUANCE_CONFIG: _located("certificateIssuanceConfigs"),
    gcp_types.CERTIFICATE: _certificate,
    gcp_types.DNS_MANAGED_ZONE: _managed_zone,
    gcp_types.DNS_RECORD_SET: _record_set,
}
"""One entry per resource type whose ID or outputs anything reads, in terraform-provider-google's ID formats (each
resource's `d.SetId`); a type not listed gets `<name>-id` and its inputs back (`computed_state`).

Add a type here (a budget, a notification channel, a dashboard ...) with one function: what GCP computes
for it. Under `pulumi preview` none of it is known, which `GcpMocks(preview=True)` and the stand-in's `Create` with
`preview` model.
"""


def computed_state(
    type_token: str, name: str, inputs: Mapping[str, Any], known: Known | None = None
) -> tuple[str, dict[str, Any]]:
    """The ID and computed outputs GCP gives resource `name` of this type on creation (`COMPUTED_STATE`), or keeps
    on an update (`known.resource_id`); raises `GcpRefusal` when GCP cannot make it."""
    computed = COMPUTED_STATE.get(type_token)
    if computed is None:
        return known.resource_id if known and known.resource_id else f"{name}-id", {}
    return computed(inputs, known or Known())


InvokeAnswer = tuple[dict[str, Any], list[tuple[str, str]]]
"""What an invoke returns and its check failures (property, reason), as `pulumirpc.InvokeResponse` carries them."""


def invoke(token: str, args: Mapping[str, Any], unsupported_permissions: Iterable[str] = ()) -> InvokeAnswer:
    """The Google provider's answer to the data sources the program calls; a failure for any other."""
    if token == gcp_types.GET_TESTABLE_PERMISSIONS:
        unsupported = frozenset(unsupported_permissions)
        permissions = [
            {"name": name, "title": name, "stage": "GA", "customSupportLevel": "SUPPORTED", "apiDisabled": False}
            for name in TESTABLE_PERMISSIONS
            if name not in unsupported
        ]
        return {
            "id": args.get("fullResourceName", ""),
            "fullResourceName": args.get("fullResourceName", ""),
            "customSupportLevel": args.get("customSupportLevel", "SUPPORTED"),
            "stages": args.get("stages", ["GA"]),
            "permissions": permissions,
        }, []
    if token == gcp_types.GET_PROJECT:  # an adopted project, as GCP knows it
        pid = args["projectId"]
        return {"id": f"projects/{pid}", "projectId": pid, "number": project_number(pid), "name": pid}, []
    return {}, [("token", f"the offline GCP does not implement {token}")]


INVOKE_TOKENS = (gcp_types.GET_TESTABLE_PERMISSIONS, gcp_types.GET_PROJECT)
"""The data sources `invoke` answers."""


DELETION_POLICY_DEFAULTS: dict[str, str] = {
    gcp_types.PROJECT: "PREVENT",
    **dict.fromkeys(
        (
            gcp_types.SERVICE,
            gcp_types.PROJECT_CUSTOM_ROLE,
            gcp_types.SERVICE_ACCOUNT,
            gcp_types.WORKLOAD_IDENTITY_POOL,
            gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER,
            gcp_types.ORG_POLICY,
            gcp_types.BUDGET,
            gcp_types.NOTIFICATION_CHANNEL,
            gcp_types.LOG_METRIC,
            gcp_types.DASHBOARD,
            gcp_types.ALERT_POLICY,
            *(
                token
                for token in gcp_types.GATEWAY_TYPES
                if token not in (gcp_types.PROJECT, gcp_types.PROJECT_IAM_MEMBER, gcp_types.SECRET_IAM_MEMBER)
            ),
        ),
        "DELETE",
    ),
}
"""`deletionPolicy` of each resource type the program uses whose pulumi-gcp 10 resource has one (the SDK's
docstrings: "Defaults to DELETE"; a project's is PREVENT), for when neither the resource nor the provider's config
(`gcp:deletionPolicy`) sets it. tests/test_gcp_declarations.py holds the list to the SDK."""


def filled_by_provider(
    type_token: str, inputs: Mapping[str, Any], provider_config: Mapping[str, Any]
) -> dict[str, Any]:
    """What the provider adds to a resource's state on create when the resource leaves it out: `deletionPolicy`, from
    its own config or the type's default (`DELETION_POLICY_DEFAULTS`). The mocks know no provider config (`{}`)."""
    default = DELETION_POLICY_DEFAULTS.get(type_token)
    if default is None or inputs.get("deletionPolicy") is not None:
        return {}
    return {"deletionPolicy": provider_config.get("deletionPolicy") or default}


PROVIDER_SECRET_SETTINGS = ("accessToken",)
"""The provider settings pulumi-gcp's schema holds secret (its SDK's `Provider` wraps exactly these in
`pulumi.Output.secret`; tests/test_gcp_declarations.py checks): the provider's `CheckConfig` hands them back
secret even when a stack file has them in plain text, and the engine sends them to analyzers so."""
