"""How GCP names things: IDs (what a user may choose), full resource names (what GCP answers), Vertex locations.

Patterns are unanchored fragments (`PROJECT_ID`), so they compose into larger ones; `fullmatch` them alone. Sources:
the Resource Manager, IAM and workload identity federation REST references, and FACTS.md.
"""

from __future__ import annotations

import re

from claude_vertex_gcp.services import IAM_CREDENTIALS, RESOURCE_MANAGER

PROJECT_ID = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"
"""6-30 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen."""
PROJECT_NUMBER = r"[0-9]{1,20}"
SERVICE_ACCOUNT_ID = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"
"""The part of a user-managed account's email before `@`: 6-30 characters, as a project ID."""
WORKLOAD_POOL_ID = r"[a-z0-9][a-z0-9-]{2,30}[a-z0-9]"
"""A workload identity pool or provider ID: 4-32 lowercase letters, digits, hyphens (`gcp-` is Google's)."""
RESERVED_POOL_PREFIX = "gcp-"
REGION = r"[a-z]+-[a-z]+[0-9]{1,2}"
"""A Google Cloud region (`us-east5`, `europe-west1`)."""
MULTI_REGIONS = ("us", "eu")
"""Vertex AI's multi-region locations (`aiplatform.us.rep.googleapis.com`, `.eu.`)."""
GLOBAL = "global"
VERTEX_LOCATION = rf"(?:{GLOBAL}|{'|'.join(MULTI_REGIONS)}|{REGION})"
"""Where Claude Code may call a model: `global`, a multi-region, or a region."""

SERVICE_ACCOUNT_DOMAIN = ".iam.gserviceaccount.com"
"""User-managed accounts are `<id>@<project>.iam.gserviceaccount.com`."""
PUBLISHER_MODEL_PREFIX = "publishers/anthropic/models/"
"""Model Garden and the `allowedModels` constraint name a Claude model `publishers/anthropic/models/<id>`."""
IAM_HOST = "iam.googleapis.com"
"""The host of IAM principal identifiers and of workload identity audiences."""


def project_parent(project: str) -> str:
    """`projects/<id or number>`: the parent of a project's org policies and quota preferences, a budget's filter."""
    return f"projects/{project}"


def project_of(parent: str) -> str | None:
    """The project ID or number of `projects/<project>`; None for anything else (a folder, an organization)."""
    if not parent.startswith("projects/"):
        return None
    project = parent[len("projects/") :]
    return project if project and "/" not in project else None


def custom_role_name(project: str, role_id: str) -> str:
    """`projects/<id>/roles/<roleId>`: how grants name a project's custom role (its `name` output)."""
    return f"projects/{project}/roles/{role_id}"


TEAM_ROLE_PREFIX = "claudeVertex"
"""A team's custom role ID is `claudeVertex<Team>` (`claude-vertex:access.roleId` may change what follows)."""


def team_role_id(team: str) -> str:
    """`claudeVertex` + the team in CamelCase (`payments-eu` -> `claudeVertexPaymentsEu`): stable, readable in the
    console, valid as a role ID, and what the gateway's account may hold in a team's project."""
    return TEAM_ROLE_PREFIX + "".join(part.capitalize() for part in team.split("-"))


CUSTOM_ROLE_NAME = re.compile(r"^(?P<parent>projects|organizations)/(?P<owner>[^/]+)/roles/(?P<role>[^/]+)$")
"""A custom role's full name, defined in a project or an organization."""


def service_account_email(account_id: str, project: str) -> str:
    """`<id>@<project>.iam.gserviceaccount.com`: a user-managed account's email, known before it exists."""
    return f"{account_id}@{project}{SERVICE_ACCOUNT_DOMAIN}"


def service_account_name(project: str, email: str) -> str:
    """`projects/<project>/serviceAccounts/<email>`: the account's resource name (its `name` output)."""
    return f"projects/{project}/serviceAccounts/{email}"


def email_of_service_account(name: str) -> str:
    """The email in `projects/<p>/serviceAccounts/<email>` (or a bare email), lower-cased."""
    return name.rsplit("/serviceAccounts/", 1)[-1].lower()


USER_MANAGED_SERVICE_ACCOUNT = re.compile(
    rf"^(?P<account>{SERVICE_ACCOUNT_ID})@(?P<project>{PROJECT_ID}){re.escape(SERVICE_ACCOUNT_DOMAIN)}$"
)
"""A user-managed account's email, with its account ID and project ID."""


def workload_pool_name(project_number: str, pool_id: str) -> str:
    """`projects/<number>/locations/global/workloadIdentityPools/<id>`: what IAM principals and the pool's `name`
    output carry. GCP names pools by project number: two pools of one ID in two projects are two pools."""
    return f"projects/{project_number}/locations/global/workloadIdentityPools/{pool_id}"


def workload_pool_import_id(project: str, pool_id: str) -> str:
    """The same path with the project ID, as `pulumi import` takes a pool (pulumi-gcp's import formats)."""
    return f"projects/{project}/locations/global/workloadIdentityPools/{pool_id}"


def provider_name(pool_name: str, provider_id: str) -> str:
    """`<pool name>/providers/<id>`: a workload identity (or workforce) pool provider's full name."""
    return f"{pool_name}/providers/{provider_id}"


WORKLOAD_PROVIDER_NAME = re.compile(
    rf"^projects/{PROJECT_NUMBER}/locations/global/workloadIdentityPools/{WORKLOAD_POOL_ID}/providers/{WORKLOAD_POOL_ID}$"
)
"""A workload identity provider's full name, as CI authenticates against it."""
POOL_PROVIDER_IN = re.compile(
    r"/(?P<kind>workforcePools|workloadIdentityPools)/(?P<pool>[^/]+)/providers/(?P<provider>[^/]+)"
)
"""A pool and provider inside an audience or credential file (`//iam.googleapis.com/.../providers/<id>`)."""


def workforce_pool_name(pool_id: str) -> str:
    """`locations/global/workforcePools/<id>`: workforce pools belong to an organization, named without it."""
    return f"locations/global/workforcePools/{pool_id}"


def workforce_subject(pool_id: str, subject: str) -> str:
    """The IAM principal of one workforce identity."""
    return f"principal://{IAM_HOST}/{workforce_pool_name(pool_id)}/subject/{subject}"


def principal_set(pool_name: str, attribute: str, value: str) -> str:
    """The identities of a pool whose mapped `attribute.<attribute>` is `value`, as IAM names them."""
    return f"principalSet://{IAM_HOST}/{pool_name}/attribute.{attribute}/{value}"


def sts_audience(provider: str) -> str:
    """`//iam.googleapis.com/<provider name>`: what STS calls a provider (an OIDC `aud` adds `https:`)."""
    return f"//{IAM_HOST}/{provider}"


def resource_manager_name(parent: str) -> str:
    """`//cloudresourcemanager.googleapis.com/projects/<id>` (or `folders/<id>`): a full resource name."""
    return f"//{RESOURCE_MANAGER}/{parent}"


def impersonation_url(email: str) -> str:
    """Where a credential configuration mints a service account's token (`service_account_impersonation_url`)."""
    return f"https://{IAM_CREDENTIALS}/v1/projects/-/serviceAccounts/{email}:generateAccessToken"


IMPERSONATED_ACCOUNT = re.compile(r"serviceAccounts/(?P<email>[^/:]+):generateAccessToken")
"""The account an impersonation URL (gcloud's or ours) mints tokens for."""


def publisher_model(model_id: str) -> str:
    """`publishers/anthropic/models/claude-sonnet-4-5`: Model Garden and org policy name models without `@date`."""
    return PUBLISHER_MODEL_PREFIX + model_id.split("@", 1)[0]
