"""IAM permissions, roles and audit log types the design names (IAM docs; FACTS.md "Claude Code on Vertex")."""

from __future__ import annotations

PREDICT = "aiplatform.endpoints.predict"
"""Model invocation and token counting: all current Claude Code uses on Vertex AI."""
COMPUTE_TOKENS = "aiplatform.endpoints.computeTokens"
"""Exact token counting; no predefined role holds it, Claude Code does not use it, the project brief asks for it."""
CLAUDE_CODE_PERMISSIONS = (PREDICT, COMPUTE_TOKENS)
"""What a team's custom role may hold: the program's default and allowed list, the pack's `allowedPermissions`."""
SERVICE_USAGE_USE = "serviceusage.services.use"
"""What a quota project in ADC needs (`x-goog-user-project`); the minimal role leaves it out on purpose."""
SECRET_VERSION_ADD = "secretmanager.versions.add"
"""Adds a version to a secret: `make gateway-secrets` checks that its user holds it before changing anything."""

TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"
"""Lets a member act as one service account: granted to impersonators on that account only."""
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
"""Lets a federated identity act as one service account: granted to one CI repository's principals on the CI account."""
SERVICE_ACCOUNT_ROLES = (TOKEN_CREATOR, WORKLOAD_IDENTITY_USER)
"""The roles a team stack grants on its own service accounts."""
IMPERSONATION_ROLES = (
    "roles/iam.serviceAccountUser",
    TOKEN_CREATOR,
    "roles/iam.serviceAccountOpenIdTokenCreator",
    WORKLOAD_IDENTITY_USER,
    "roles/iam.serviceAccountKeyAdmin",
    "roles/iam.serviceAccountAdmin",
    "roles/*.serviceAgent",
)
"""Roles that let a member act as (or mint credentials for) a service account; `*` is a glob."""
SECRET_ACCESSOR = "roles/secretmanager.secretAccessor"
"""Reads a secret's versions: granted on each of the gateway's secrets to the gateway's account, and nowhere else."""
SECRET_MANAGER_ROLES = "roles/secretmanager.*"
"""Every predefined Secret Manager role (a glob): on a project, each reaches every secret in it."""
BASIC_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
"""Every one includes `aiplatform.endpoints.predict`."""

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
"""The OAuth scope of every Google Cloud API: what ADC is asked for, and the provider's default."""

DATA_READ = "DATA_READ"
"""The audit log type Vertex AI predict and rawPredict calls are logged under (Data Access)."""
