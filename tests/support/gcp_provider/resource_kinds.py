"""How the Google provider treats each resource type the program uses: what it cannot change in place, what it
does when an ID is already known to GCP, what `deletionPolicy` defaults to, what a delete leaves behind.

Declared once per type, from terraform-provider-google's schemas and create/delete code (pulumi-gcp 10.2.0 is built
from it): `ForceNew` fields become `replace_on`; the create paths' errors become `IdReuse` messages, worded as the
provider words them (`resource_google_project.go`, `resource_google_project_iam_custom_role.go`,
`resource_google_service_account.go`, the generated workload identity resources), behind the bridge's
`1 error occurred:` wrapping; soft-delete windows from GCP's docs (FACTS.md, "Identity"): a project ID is never
reusable, a deleted custom role is undeleted by the provider within 7 days and keeps its ID 37, a workload identity
pool or provider keeps its ID 30 days. A type not declared here is refused at `Check`: the stand-in never guesses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from claude_vertex_gcp import resource_types as gcp_types

FOREVER = dt.timedelta.max
"""How long a deleted project keeps its ID."""

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


@dataclass(frozen=True)
class ResourceKind:
    replace_on: frozenset[str]
    """Inputs GCP cannot change in place: a change replaces the resource (the provider's `ForceNew`)."""
    deletion_policy: str = DELETE
    """`deletionPolicy` when neither the resource nor the provider's config sets it."""
    id_reuse: IdReuse | None = None
    """None: creating a resource whose ID exists takes it over (granting a held role, enabling an enabled API)."""
    kept_on_delete: Callable[[Mapping[str, Any]], bool] = lambda _state: False
    """True when deleting only forgets the resource and GCP keeps it (an API left on, an enabled model)."""


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


def _grant(*keys: str) -> ResourceKind:
    return ResourceKind(replace_on=frozenset(keys))


KINDS: dict[str, ResourceKind] = {
    gcp_types.PROJECT: ResourceKind(
        replace_on=frozenset({"projectId", "tags"}),
        deletion_policy=PREVENT,
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
}
"""Every resource type a team stack registers (`resource_types.TEAM_TYPES`), and only those."""

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
