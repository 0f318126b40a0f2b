"""How the Google provider treats each resource type the program uses: what it cannot change in place, what it
does when an ID is already known to GCP, what it refuses to delete, what a delete leaves behind (what
`deletionPolicy` defaults to is shared with the mocks: `gcp_declarations.DELETION_POLICY_DEFAULTS`).

Declared once per type, from terraform-provider-google's schemas and create/delete code (pulumi-gcp 10.2.0 is built
from it): `ForceNew` fields become `replace_on`, `DiffSuppressFunc`s that compare references by name become `same`;
the create paths' errors become `IdReuse` messages, worded as the provider words them
(`resource_google_project.go`, `resource_google_project_iam_custom_role.go`, `resource_google_service_account.go`,
`resource_sql_database_instance.go`, the generated workload identity, Secret Manager and Compute resources), behind
the bridge's `1 error occurred:` wrapping; soft-delete windows from GCP's docs (FACTS.md, "Identity"): a project ID is
never reusable, a deleted custom role is undeleted by the provider within 7 days and keeps its ID 37, a workload
identity pool or provider keeps its ID 30 days, a Cloud SQL instance's name a week. What GCP refuses to delete while
something still uses it (`in_use`) is declared for what the gateway stack keeps or lingers: a private services
connection Cloud SQL still uses (terraform-provider-google #16275, #19908), a subnet Cloud Run's direct VPC egress
held in the last two hours (Cloud Run's docs; nitrictech/nitric #667), a network with subnets or addresses in it.
A type not declared here is refused at `Check`: the stand-in never guesses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claude_vertex_gcp import resource_types as gcp_types

from tests.support.gcp_declarations import COMPUTE, project_number
from tests.support.gcp_provider.cloud import CloudState, Record

FOREVER = dt.timedelta.max
"""How long a deleted project keeps its ID."""
RUN_ADDRESSES_LINGER = dt.timedelta(hours=2)
"""Cloud Run releases the subnet addresses its direct VPC egress held 1-2 hours after the service or job is deleted
("wait 1-2 hours for Cloud Run to release the IPs before you delete the subnet")."""

DELETE, PREVENT, ABANDON = "DELETE", "PREVENT", "ABANDON"
"""The values of `deletionPolicy`, which pulumi-gcp 10 gives every resource."""


def bridge_error(summary: str) -> str:
    """An error as pulumi-gcp reports it: the provider's diagnostics through the bridge's multierror."""
    return f"1 error occurred:\n\t* {summary}\n\n"


Message = Callable[[str, Mapping[str, Any]], str]
"""The provider's error for a resource ID and the new resource's inputs."""


@dataclass(frozen=True)
class IdReuse:
    """What GCP does when a create names an ID it already knows, live or deleted."""

    taken: Message
    """The error while a live resource holds the ID."""
    kept_for: dt.timedelta = dt.timedelta(0)
    """How long a deleted resource keeps its ID (soft delete); zero frees it at once."""
    kept: Message | None = None
    """The error while a deleted resource keeps the ID (`taken` when None)."""
    undeleted_within: dt.timedelta = dt.timedelta(0)
    """Within this time of the deletion the provider undeletes the resource instead of creating it."""

    @property
    def soft_deletes(self) -> bool:
        return self.kept_for > dt.timedelta(0)

    def refusal(
        self, resource_id: str, inputs: Mapping[str, Any], deleted_at: dt.datetime | None, now: dt.datetime
    ) -> str | None:
        """GCP's error for a create naming the ID of a live resource (`deleted_at` None) or of one deleted at
        `deleted_at`; None when it goes ahead: the ID is free again, or the provider undeletes the resource."""
        if deleted_at is None:
            return self.taken(resource_id, inputs)
        deleted_for = now - deleted_at
        if deleted_for < self.undeleted_within or deleted_for >= self.kept_for:
            return None
        return (self.kept or self.taken)(resource_id, inputs)


InUse = Callable[[str, Mapping[str, Any], CloudState], "str | None"]
"""GCP's (or the provider's) refusal to delete the resource of this ID and state (what Pulumi's state holds) as the
cloud now is, or None."""


@dataclass(frozen=True)
class ResourceKind:
    replace_on: frozenset[str]
    """Inputs GCP cannot change in place: a change replaces the resource (the provider's `ForceNew`)."""
    id_reuse: IdReuse | None = None
    """None: creating a resource whose ID exists takes it over (granting a held role, enabling an enabled API)."""
    kept_on_delete: Callable[[Mapping[str, Any]], bool] = lambda _state: False
    """True when deleting only forgets the resource and GCP keeps it (an API left on, an enabled model)."""
    same: Mapping[str, Callable[[Any, Any], bool]] = field(default_factory=dict)
    """Inputs the provider compares by meaning, not by text (its `DiffSuppressFunc`): state and program may spell
    one reference two ways (a full name and a short one) and nothing changes."""
    in_use: tuple[InUse, ...] = ()
    """Why GCP (or the provider) refuses to delete it now: deletion protection, something still using it."""
    lingers: dt.timedelta = dt.timedelta(0)
    """How long GCP still counts a deleted one as using what it used (Cloud Run's serverless addresses in a subnet)."""
    owns: Callable[[Mapping[str, Any]], tuple[str, str]] | None = None
    """(child type, prefix of the children's IDs) that GCP deletes with it (a secret's versions)."""

    def equal(self, key: str, before: Any, after: Any) -> bool:
        compare = self.same.get(key)
        return before == after or (compare is not None and compare(before, after))

    @property
    def remembers_deletes(self) -> bool:
        """Whether a deleted one stays on the cloud's books (its ID soft-deleted, or still counted as in use)."""
        return (self.id_reuse is not None and self.id_reuse.soft_deletes) or self.lingers > dt.timedelta(0)


def _project_taken(resource_id: str, inputs: Mapping[str, Any]) -> str:
    return (
        f"error creating project {inputs.get('projectId')} ({inputs.get('name', '')}): googleapi: Error 409: "
        "Requested entity already exists, alreadyExists. If you received a 403 error, make sure you have the "
        "`roles/resourcemanager.projectCreator` permission"
    )


def _role_taken(resource_id: str, inputs: Mapping[str, Any]) -> str:
    return f"Custom project role {resource_id} already exists and must be imported"


def _role_kept(resource_id: str, inputs: Mapping[str, Any]) -> str:
    return (
        f"Error creating the custom project role {resource_id}: googleapi: Error 400: You can't create a role_id "
        f"({inputs.get('roleId')}) which has been marked for deletion., failedPrecondition"
    )


def _account_taken(resource_id: str, inputs: Mapping[str, Any]) -> str:
    return (
        "Error creating service account: googleapi: Error 409: Service account "
        f"{inputs.get('accountId')} already exists within project projects/{inputs.get('project')}., alreadyExists"
    )


def _already_exists(kind: str) -> Message:
    return lambda _id, _inputs: f"Error creating {kind}: googleapi: Error 409: Requested entity already exists"


def _grant(*keys: str, same: Mapping[str, Callable[[Any, Any], bool]] | None = None) -> ResourceKind:
    return ResourceKind(replace_on=frozenset(keys), same=same or {})


def same_resource_name(before: Any, after: Any) -> bool:
    """The provider's `CompareSelfLinkOrResourceName`: two references to one resource, by full name or short."""
    return isinstance(before, str) and isinstance(after, str) and before.rsplit("/", 1)[-1] == after.rsplit("/", 1)[-1]


def _secret_taken(resource_id: str, inputs: Mapping[str, Any]) -> str:
    project, secret = resource_id.split("/")[1], resource_id.rsplit("/", 1)[1]
    number = project if project.isdigit() else project_number(project)
    return f"Error creating Secret: googleapi: Error 409: Secret [projects/{number}/secrets/{secret}] already exists."


def _sql_instance_taken(resource_id: str, inputs: Mapping[str, Any]) -> str:
    return (
        f"Error, failed to create instance {resource_id}: googleapi: Error 409: The Cloud SQL instance already exists. "
        "When you delete an instance, you can't reuse the name of the deleted instance until one week from the "
        "deletion date., instanceAlreadyExists"
    )


def _compute_taken(kind: str) -> Message:
    return lambda resource_id, _inputs: (
        f"Error creating {kind}: googleapi: Error 409: The resource '{resource_id}' already exists, alreadyExists"
    )


def _compute_reuse(kind: str) -> IdReuse:
    return IdReuse(taken=_compute_taken(kind))


def _protected(message: str, default: bool) -> InUse:
    """The provider's own guard: it refuses to delete while the state's `deletionProtection` is on (its default:
    `default`)."""
    return lambda _id, properties, _state: message if properties.get("deletionProtection", default) else None


def _reference(value: Any) -> str:
    """A Compute reference as a relative ID (a self link or an ID: the API takes both)."""
    return value.removeprefix(COMPUTE) if isinstance(value, str) else ""


def _users(
    state: CloudState, type_token: str, references: Callable[[Mapping[str, Any]], list[str]], resource_id: str
) -> list[Record]:
    """The resources of `type_token` that use `resource_id`: live ones, and deleted ones GCP still counts."""
    window = KINDS[type_token].lingers
    return [
        record
        for (kind, _), record in sorted(state.records.items())
        if kind == type_token
        and (record.live or (record.deleted_at is not None and state.clock - record.deleted_at < window))
        and resource_id in {_reference(value) for value in references(record.properties)}
    ]


def _run_subnets(properties: Mapping[str, Any]) -> list[str]:
    """The subnets a Cloud Run service's or job's direct VPC egress takes addresses from."""
    template = properties.get("template", {})
    template = template.get("template", template)  # a job's task template is one level down
    interfaces = template.get("vpcAccess", {}).get("networkInterfaces", [])
    return [interface.get("subnetwork", "") for interface in interfaces]


def _serverless_address(record: Record, region: str) -> str:
    """The address Cloud Run reserved in the subnet for a service or job (`serverless-ipv4-<19 digits>`)."""
    project = record.id.split("/")[1]
    digits = str(int(hashlib.sha256(record.id.encode()).hexdigest(), 16))[:19]
    return f"projects/{project}/regions/{region}/addresses/serverless-ipv4-{digits}"


def _subnet_in_use(resource_id: str, properties: Mapping[str, Any], state: CloudState) -> str | None:
    region = properties.get("region", "")
    users = [
        _serverless_address(user, region)
        for run_type in (gcp_types.CLOUD_RUN_SERVICE, gcp_types.CLOUD_RUN_JOB)
        for user in _users(state, run_type, _run_subnets, resource_id)
    ]
    users += [
        user.id
        for user_type in (gcp_types.ADDRESS, gcp_types.FORWARDING_RULE)
        for user in _users(state, user_type, lambda p: [p.get("subnetwork")], resource_id)
    ]
    if not users:
        return None
    return (
        "Error when reading or editing Subnetwork: googleapi: Error 400: The subnetwork resource "
        f"'{resource_id}' is already being used by '{users[0]}', resourceInUseByAnotherResource"
    )


def _network_in_use(resource_id: str, properties: Mapping[str, Any], state: CloudState) -> str | None:
    for user_type in (gcp_types.SUBNETWORK, gcp_types.GLOBAL_ADDRESS, gcp_types.FORWARDING_RULE):
        users = _users(state, user_type, lambda p: [p.get("network")], resource_id)
        if users:
            return (
                f"Error waiting for Deleting Network: The network resource '{resource_id}' is already being used by "
                f"'{users[0].id}'"
            )
    return None


def _sql_networks(properties: Mapping[str, Any]) -> list[str]:
    return [properties.get("settings", {}).get("ipConfiguration", {}).get("privateNetwork", "")]


def _connection_in_use(resource_id: str, properties: Mapping[str, Any], state: CloudState) -> str | None:
    if not _users(state, gcp_types.SQL_INSTANCE, _sql_networks, _reference(properties.get("network"))):
        return None
    return (
        "Unable to remove Service Networking Connection, err: Error waiting for Delete Service Networking "
        "Connection: Error code 9, message: Failed to delete connection; Producer services (e.g. CloudSQL, Cloud "
        "Memstore, etc.) are still using this connection."
    )


def _located_reuse() -> IdReuse:
    """Cloud Run, Certificate Manager: the newer APIs' 409."""
    return IdReuse(taken=lambda resource_id, _inputs: "googleapi: Error 409: Requested entity already exists")


KINDS: dict[str, ResourceKind] = {
    gcp_types.PROJECT: ResourceKind(
        replace_on=frozenset({"projectId", "tags"}),
        id_reuse=IdReuse(taken=_project_taken, kept_for=FOREVER),
    ),
    gcp_types.SERVICE: ResourceKind(
        replace_on=frozenset({"service", "project"}),
        kept_on_delete=lambda state: state.get("disableOnDestroy") is False,
    ),
    gcp_types.PROJECT_CUSTOM_ROLE: ResourceKind(
        replace_on=frozenset({"roleId", "project"}),
        id_reuse=IdReuse(
            taken=_role_taken,
            kept_for=dt.timedelta(days=37),
            kept=_role_kept,
            undeleted_within=dt.timedelta(days=7),
        ),
    ),
    gcp_types.SERVICE_ACCOUNT: ResourceKind(
        replace_on=frozenset({"accountId", "project"}), id_reuse=IdReuse(taken=_account_taken)
    ),
    gcp_types.PROJECT_IAM_MEMBER: _grant("project", "role", "member", "condition"),
    gcp_types.SERVICE_ACCOUNT_IAM_MEMBER: _grant("serviceAccountId", "role", "member", "condition"),
    gcp_types.WORKLOAD_IDENTITY_POOL: ResourceKind(
        replace_on=frozenset({"workloadIdentityPoolId", "project"}),
        id_reuse=IdReuse(taken=_already_exists("WorkloadIdentityPool"), kept_for=dt.timedelta(days=30)),
    ),
    gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER: ResourceKind(
        replace_on=frozenset({"workloadIdentityPoolId", "workloadIdentityPoolProviderId", "project"}),
        id_reuse=IdReuse(taken=_already_exists("WorkloadIdentityPoolProvider"), kept_for=dt.timedelta(days=30)),
    ),
    # No update method: every input replaces; destroying only forgets (the API cannot disable a model).
    gcp_types.MODEL_GARDEN_ENABLE_MODEL: ResourceKind(
        replace_on=frozenset({"publisherModelName", "project"}), kept_on_delete=lambda _state: True
    ),
    gcp_types.ORG_POLICY: ResourceKind(replace_on=frozenset({"name", "parent"})),
    gcp_types.BUDGET: ResourceKind(replace_on=frozenset({"billingAccount"})),
    gcp_types.NOTIFICATION_CHANNEL: ResourceKind(replace_on=frozenset({"project"})),
    gcp_types.QUOTA_PREFERENCE: ResourceKind(replace_on=frozenset({"parent"})),
    gcp_types.PROJECT_AUDIT_CONFIG: _grant("project", "service"),
    gcp_types.LOG_METRIC: ResourceKind(replace_on=frozenset({"project"})),
    gcp_types.DASHBOARD: ResourceKind(replace_on=frozenset({"project"})),
    gcp_types.ALERT_POLICY: ResourceKind(replace_on=frozenset({"project"})),
    # The gateway stack's types (`resource_types.GATEWAY_TYPES`).
    gcp_types.CLOUD_RUN_SERVICE: ResourceKind(
        replace_on=frozenset({"location", "name", "project", "tags"}),
        id_reuse=_located_reuse(),
        in_use=(
            _protected(
                "cannot destroy service without setting deletion_protection=false and running `terraform apply`", True
            ),
        ),
        lingers=RUN_ADDRESSES_LINGER,
    ),
    gcp_types.CLOUD_RUN_JOB: ResourceKind(
        replace_on=frozenset({"location", "name", "project", "tags"}),
        id_reuse=_located_reuse(),
        in_use=(
            _protected(
                "cannot destroy job without setting deletion_protection=false and running `terraform apply`", True
            ),
        ),
        lingers=RUN_ADDRESSES_LINGER,
    ),
    gcp_types.SQL_INSTANCE: ResourceKind(
        replace_on=frozenset({"name", "region", "project", "encryptionKeyName"}),
        id_reuse=IdReuse(taken=_sql_instance_taken, kept_for=dt.timedelta(days=7)),
        in_use=(
            _protected(
                "Error, failed to delete instance because deletion_protection is set to true. Set it to false to "
                "proceed with instance deletion",
                True,
            ),
        ),
    ),
    gcp_types.SQL_DATABASE: ResourceKind(replace_on=frozenset({"instance", "name", "project"})),
    gcp_types.SQL_USER: ResourceKind(replace_on=frozenset({"host", "instance", "name", "type", "project"})),
    gcp_types.SECRET: ResourceKind(
        replace_on=frozenset({"replication", "secretId", "tags", "project"}),
        id_reuse=IdReuse(taken=_secret_taken),
        in_use=(
            _protected(
                "cannot destroy secret manager secret without setting deletion_protection=false and running "
                "`terraform apply`",
                False,
            ),
        ),
        owns=lambda state: (gcp_types.SECRET_VERSION, f"{state['name']}/versions/"),
    ),
    gcp_types.SECRET_VERSION: ResourceKind(
        replace_on=frozenset({"secretData", "secretDataWoVersion", "secret", "project", "isSecretDataBase64"}),
        # Destroyed, a version keeps its number: the next one added to the secret gets the next number.
        id_reuse=IdReuse(taken=_already_exists("SecretVersion"), kept_for=FOREVER),
    ),
    gcp_types.SECRET_IAM_MEMBER: _grant(
        "project", "secretId", "role", "member", "condition", same={"secretId": same_resource_name}
    ),
    gcp_types.NETWORK: ResourceKind(
        replace_on=frozenset(
            {"name", "autoCreateSubnetworks", "description", "internalIpv6Range", "networkProfile", "params", "project"}
        ),
        id_reuse=_compute_reuse("Network"),
        in_use=(_network_in_use,),
    ),
    gcp_types.SUBNETWORK: ResourceKind(
        replace_on=frozenset(
            {
                "name",
                "network",
                "description",
                "externalIpv6Prefix",
                "internalIpv6Prefix",
                "params",
                "region",
                "reservedInternalRange",
                "resolveSubnetMask",
                "project",
            }
        ),
        id_reuse=_compute_reuse("Subnetwork"),
        in_use=(_subnet_in_use,),
    ),
    gcp_types.GLOBAL_ADDRESS: ResourceKind(
        replace_on=frozenset(
            {
                "name",
                "address",
                "addressType",
                "description",
                "ipVersion",
                "network",
                "prefixLength",
                "purpose",
                "project",
            }
        ),
        id_reuse=_compute_reuse("GlobalAddress"),
    ),
    gcp_types.SERVICE_NETWORKING_CONNECTION: ResourceKind(
        replace_on=frozenset({"network", "service"}), in_use=(_connection_in_use,)
    ),
    gcp_types.ADDRESS: ResourceKind(
        replace_on=frozenset(
            {
                "name",
                "address",
                "addressType",
                "description",
                "ipCollection",
                "ipVersion",
                "ipv6EndpointType",
                "network",
                "networkTier",
                "prefixLength",
                "purpose",
                "region",
                "subnetwork",
                "project",
            }
        ),
        id_reuse=_compute_reuse("Address"),
    ),
    gcp_types.REGION_NETWORK_ENDPOINT_GROUP: ResourceKind(
        replace_on=frozenset(
            {
                "name",
                "region",
                "appEngine",
                "cloudFunction",
                "cloudRun",
                "description",
                "network",
                "networkEndpointType",
                "pscData",
                "pscTargetService",
                "subnetwork",
                "project",
            }
        ),
        id_reuse=_compute_reuse("RegionNetworkEndpointGroup"),
    ),
    gcp_types.REGION_BACKEND_SERVICE: ResourceKind(
        replace_on=frozenset({"name", "loadBalancingScheme", "network", "params", "project"}),
        id_reuse=_compute_reuse("RegionBackendService"),
    ),
    gcp_types.REGION_URL_MAP: ResourceKind(
        replace_on=frozenset({"name", "project"}), id_reuse=_compute_reuse("RegionUrlMap")
    ),
    gcp_types.REGION_TARGET_HTTPS_PROXY: ResourceKind(
        replace_on=frozenset({"name", "description", "httpKeepAliveTimeoutSec", "region", "project"}),
        id_reuse=_compute_reuse("RegionTargetHttpsProxy"),
    ),
    gcp_types.FORWARDING_RULE: ResourceKind(
        replace_on=frozenset(
            {
                "name",
                "ipAddress",
                "ipProtocol",
                "allPorts",
                "backendService",
                "description",
                "ipCollection",
                "ipVersion",
                "isMirroringCollector",
                "loadBalancingScheme",
                "network",
                "networkTier",
                "noAutomateDnsZone",
                "portRange",
                "ports",
                "region",
                "serviceDirectoryRegistrations",
                "serviceLabel",
                "sourceIpRanges",
                "subnetwork",
                "project",
            }
        ),
        id_reuse=_compute_reuse("ForwardingRule"),
    ),
    gcp_types.CERTIFICATE_ISSUANCE_CONFIG: ResourceKind(
        replace_on=frozenset(
            {
                "certificateAuthorityConfig",
                "keyAlgorithm",
                "lifetime",
                "name",
                "rotationWindowPercentage",
                "description",
                "location",
                "labels",  # its `effective_labels` is ForceNew: a labels change replaces it
                "project",
            }
        ),
        id_reuse=_located_reuse(),
    ),
    gcp_types.CERTIFICATE: ResourceKind(
        replace_on=frozenset({"name", "location", "managed", "scope", "project"}), id_reuse=_located_reuse()
    ),
    gcp_types.DNS_MANAGED_ZONE: ResourceKind(
        replace_on=frozenset({"dnsName", "name", "visibility", "project"}),
        id_reuse=IdReuse(
            taken=lambda resource_id, inputs: (
                "Error creating ManagedZone: googleapi: Error 409: The resource 'entity.managedZone' named "
                f"'{inputs.get('name')}' already exists, alreadyExists"
            )
        ),
    ),
    gcp_types.DNS_RECORD_SET: ResourceKind(
        replace_on=frozenset({"managedZone", "name", "project"}),
        id_reuse=IdReuse(
            taken=lambda resource_id, inputs: (
                "Error creating DNS RecordSet: googleapi: Error 409: The resource 'entity.change.additions[0]' named "
                f"'{inputs.get('name')} ({inputs.get('type')})' already exists, alreadyExists"
            )
        ),
    ),
}
"""Every resource type a team stack or a gateway stack registers (`resource_types.TEAM_TYPES`, `GATEWAY_TYPES`), and
only those."""

PROVIDER_DEFAULTED = frozenset({"project", "deletionPolicy"})
"""Inputs the provider fills from its own config when a resource leaves them out: dropping one from the program
changes nothing in GCP."""


def prevent_error(type_token: str, resource_id: str) -> str:
    """The provider's refusal to delete a resource whose `deletionPolicy` is PREVENT."""
    if type_token == gcp_types.PROJECT:
        return bridge_error("Cannot destroy project as deletion_policy is set to PREVENT.")
    return bridge_error(
        f'cannot destroy "{resource_id}" without setting deletion_policy="DELETE" and running `terraform apply`'
    )


def unknown_type_reason(type_token: str) -> str:
    return (
        f"the stand-in gcp provider does not model {type_token}: declare how GCP treats it in "
        "tests/support/gcp_provider/resource_kinds.py (KINDS)"
    )
