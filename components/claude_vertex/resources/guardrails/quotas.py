"""The quota caps on a team's project: one Cloud Quotas preference per cap the plan works out.

The caps are the real limit: Vertex answers 429 past them. A decrease applies at once, an increase is a request
Google must approve, and destroy leaves the cap in place. Which preferences to set (per region and base model,
as of the stack's date) is the plan's (`claude_vertex.plan.quotas`); this module only turns them into resources.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.services import CLOUD_QUOTAS, VERTEX_AI

from claude_vertex.plan.quotas import QuotaCap

# A cap far below Google's default is a decrease of more than 10%, which the API refuses unless told it is meant.
IGNORE_SAFETY_CHECK = "QUOTA_DECREASE_PERCENTAGE_TOO_HIGH"
LIMIT_NAMES = {"inputTokensPerMinute": "input-tpm", "outputTokensPerMinute": "output-tpm", "requestsPerMinute": "rpm"}


def cap_resource_name(team: str, cap: QuotaCap) -> str:
    """`payments-cap-sonnet-input-tpm-global-anthropic-claude-sonnet`: every part that makes a cap distinct."""
    return f"{team}-cap-{cap.family}-{LIMIT_NAMES[cap.limit]}-{cap.region}-{cap.base_model}"


def quota_preferences(
    team: str,
    caps: tuple[QuotaCap, ...],
    *,
    project_id: pulumi.Output[str],
    contact: str | None,
    services: Mapping[str, pulumi.Resource],
    vertex_api: pulumi.Resource,
    parent: pulumi.Resource,
) -> dict[str, gcp.cloudquota.SQuotaPreference]:
    """Each cap as a quota preference, by resource name; set once the Cloud Quotas and Vertex AI APIs are on."""
    preferences: dict[str, gcp.cloudquota.SQuotaPreference] = {}
    for cap in caps:
        name = cap_resource_name(team, cap)
        preferences[name] = gcp.cloudquota.SQuotaPreference(
            name,
            parent=pulumi.Output.concat("projects/", project_id),
            service=VERTEX_AI,
            quota_id=cap.quota_id,
            dimensions=cap.dimensions,
            quota_config={"preferred_value": str(cap.value)},
            ignore_safety_checks=IGNORE_SAFETY_CHECK,
            justification=f"claude-vertex guardrail: {cap.family} cap for team {team}, set by its Pulumi stack.",
            contact_email=contact,
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[services[CLOUD_QUOTAS], vertex_api]),
        )
    return preferences
