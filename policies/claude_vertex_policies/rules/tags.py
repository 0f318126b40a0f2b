"""Resource-manager tags are the platform's: a team stack binds none, unless the platform allows the value.

Tags are how an organization writes exceptions: an IAM grant conditioned on `resource.matchTag(...)`, an org
policy rule with a tag `condition` (skip the default-network or allowed-models constraint where `env=sandbox`).
A stack that chooses its project's tags chooses which of those grants and exceptions apply to it, which no
other rule can see from inside the stack. The program sets no tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.resource_types import PROJECT, TAG_TYPES
from pulumi_policy import EnforcementLevel, Severity

from ..values import known_str, shown
from .base import ResourceRule, RuleInfo, matches_any, string_list

WHY = (
    "tags decide which of the organization's conditional IAM grants and tag-conditioned org policies apply, so a "
    "stack that picks its tags picks its own access and policy exceptions"
)


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if matches_any(resource_type, (TAG_TYPES,)):
        return [f"{resource_type} defines or binds resource-manager tags: {WHY}. Tags are bound by the platform team."]
    if resource_type != PROJECT or props.get("tags") in (None, {}):
        return []
    project = known_str(props.get("projectId")) or "project"
    tags = props.get("tags")
    if not isinstance(tags, Mapping):
        return [f"Project {project} sets tags that cannot be read ({shown(tags)}): {WHY}."]
    refused = [
        f"{key}={shown(value)}"
        for key, value in tags.items()
        if not ((text := known_str(value)) and matches_any(text, config["allowedTagValues"]))
    ]
    if not refused:
        return []
    return [
        f"Project {project} is created with tags {', '.join(refused)}, not in allowedTagValues "
        f"{list(config['allowedTagValues'])}: {WHY}."
    ]


NO_RESOURCE_MANAGER_TAGS = ResourceRule(
    RuleInfo(
        name="no-resource-manager-tags",
        description="No resource-manager tags: a created project's tags are in allowedTagValues, and no tag key, "
        "value or binding is registered.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the project's tags and every gcp.tags resource. A tag the platform wants on team "
        "projects goes in allowedTagValues (tagValues/<id>, after checking the conditional grants and org policies "
        "that match it); tags on an adopted project are bound in the platform team's own stack.",
        config={
            "allowedTagValues": string_list(
                "Tag values (tagValues/<id> or namespaced names, exact or globs) a created project may carry.", ()
            )
        },
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("tags", "iam", "org-policy", "deny-by-default"),
    ),
    check,
)
