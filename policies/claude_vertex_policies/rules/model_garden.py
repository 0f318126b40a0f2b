"""Model Garden enables only Claude models: enabling another publisher's model accepts its terms for the project.

`AiModelGardenEnableModel` is a procurement act as much as a switch: it accepts the publisher's terms on the
company's behalf, and every holder of `aiplatform.endpoints.predict` in the project (the team's custom role)
can then call that model, on the team's bill. The program enables exactly its pinned Claude models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.names import PUBLISHER_MODEL_PREFIX
from claude_vertex_gcp.resource_types import MODEL_GARDEN_ENABLE_MODEL
from pulumi_policy import EnforcementLevel, Severity

from ..values import known_str, shown
from .base import ResourceRule, RuleInfo, matches_any, string_list

# One publisher, one model: globs in allowedModels must never match across a `/` the name could smuggle in.
PUBLISHER_MODEL = re.compile(r"^publishers/[a-z0-9-]+/models/[a-z0-9][a-z0-9.@-]*$")


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != MODEL_GARDEN_ENABLE_MODEL:
        return []
    name = known_str(props.get("publisherModelName"))
    if name is not None and PUBLISHER_MODEL.match(name) and matches_any(name, config["allowedModels"]):
        return []
    return [
        f"Enables {shown(props.get('publisherModelName'))} in Model Garden, which is not a model in allowedModels "
        f"{list(config['allowedModels'])}: enabling accepts that publisher's terms for the project, and the team's "
        "role can then call it on the team's bill."
    ]


MODEL_GARDEN_CLAUDE_ONLY = ResourceRule(
    RuleInfo(
        name="model-garden-claude-only",
        description="Model Garden enablements name only allowed models (Anthropic's Claude models by default).",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Enable only the stack's pinned Claude models (vertex.enableModels does exactly that). Another "
        "model needs the platform's review of its terms and price, then its publishers/<publisher>/models/<model> "
        "name in allowedModels.",
        config={
            "allowedModels": string_list(
                "Publisher models (publishers/<publisher>/models/<model>, exact or globs) a stack may enable.",
                (f"{PUBLISHER_MODEL_PREFIX}claude-*",),
            )
        },
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("vertex", "cost", "deny-by-default"),
    ),
    check,
)
