"""The Google APIs a team project uses, each next to why: nothing is enabled "just in case".

The program enables them (`BASE_SERVICES` always, `CI_SERVICES` with keyless CI, each guardrail's own API when that
guardrail is on); the pack's `allowed-services-only` allows exactly `TEAM_SERVICES` by default; the example pack
config is generated from it. Compute Engine is not here: without its API no default network exists.
"""

from __future__ import annotations

VERTEX_AI = "aiplatform.googleapis.com"  # serves the Claude models; its quotas and Data Access logs are the guardrails'
IAM = "iam.googleapis.com"  # custom roles and service accounts are created through the IAM API
STS = "sts.googleapis.com"  # keyless CI: swaps the CI platform's OIDC token for a federated token
IAM_CREDENTIALS = "iamcredentials.googleapis.com"  # keyless CI: mints the CI account's access token from it
CLOUD_QUOTAS = "cloudquotas.googleapis.com"  # quota preferences (guardrails.quotas)
LOGGING = "logging.googleapis.com"  # the log-based usage metric (guardrails.usage)
MONITORING = "monitoring.googleapis.com"  # notification channels, the usage dashboard, alert policies

BASE_SERVICES = (VERTEX_AI, IAM)
"""Enabled in every team project."""
CI_SERVICES = (STS, IAM_CREDENTIALS)
"""Enabled with keyless CI identity (`claude-vertex:ci`): what workload identity federation calls at CI time."""
GUARDRAIL_SERVICES = (MONITORING, LOGGING, CLOUD_QUOTAS)
"""Enabled each with the guardrail that calls it (budget notifications and usage; usage; quota caps)."""
TEAM_SERVICES = (*BASE_SERVICES, *CI_SERVICES, *GUARDRAIL_SERVICES)
"""Every API the program may enable in a team project."""

RESOURCE_MANAGER = "cloudresourcemanager.googleapis.com"
"""Not enabled by the program: it names projects and folders (`//cloudresourcemanager.googleapis.com/...`) and answers
`testIamPermissions` for anyone."""

CLOUD_RUN = "run.googleapis.com"  # the gateway's service and its spend-cap job
SQL_ADMIN = "sqladmin.googleapis.com"  # the gateway's PostgreSQL (Cloud SQL)
SECRET_MANAGER = "secretmanager.googleapis.com"  # the gateway's secrets and its rendered gateway.yaml
COMPUTE = "compute.googleapis.com"  # the gateway's network, its internal load balancer and address
SERVICE_NETWORKING = "servicenetworking.googleapis.com"  # private services access: Cloud SQL on a private IP only
DNS = "dns.googleapis.com"  # the private DNS name clients reach the gateway by
CERTIFICATE_MANAGER = "certificatemanager.googleapis.com"  # the load balancer's certificate, issued by the private CA
GATEWAY_SERVICES = (IAM, CLOUD_RUN, SQL_ADMIN, SECRET_MANAGER, COMPUTE, SERVICE_NETWORKING, DNS, CERTIFICATE_MANAGER)
"""Every API the program enables in the gateway's own project (never Vertex AI: the teams' projects serve models)."""

QUOTA_SERVICES = (VERTEX_AI,)
"""Services whose quotas a team stack caps (`SQuotaPreference.service`)."""
AUDITED_SERVICES = (VERTEX_AI,)
"""Services whose Data Access logs a team stack turns on (`IAMAuditConfig.service`)."""
ALL_SERVICES = "allServices"
"""The audit config service that stands for every service of the project."""
