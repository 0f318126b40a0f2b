"""What makes a stack a gateway stack, told once, from what the engine reports: the resource types it registers.

A gateway stack (`ClaudeGateway`, the platform's `claude-vertex:gateway`) runs the Claude apps gateway: a Cloud Run
service, its spend-cap job, Cloud SQL, Secret Manager, a private load balancer and DNS name. A team stack registers
none of those types (`TEAM_TYPES`). So a stack is a gateway stack when the engine reports a resource of a type only a
gateway registers (`GATEWAY_TYPES` minus `TEAM_TYPES`), or the gateway component itself; never because of a label,
a stack name or a config value, which the stack chooses.

Being a gateway stack changes what a few rules expect, never what they let a team do: a gateway binds the teams'
roles, defined in the teams' stacks, to its own account in the teams' projects (`custom-role-bindings-in-stack`
leaves those to `gateway-account-minimal-role`, which holds them to exactly that); it has no budget or quota caps of
a team (`required-guardrails` asks them of a stack that defines a team's role, which a gateway does not); it enables
the APIs its resources need in its own project (`allowed-services-only`). A team stack that registers a gateway type
becomes a gateway stack and is held to every gateway rule besides the team rules: it keeps its custom role, so its
guardrails are still required, and its project grants are then held to the gateway's (own accounts only).
"""

from __future__ import annotations

from collections.abc import Sequence

from claude_vertex_gcp.resource_types import GATEWAY_TYPES, PROJECT_CUSTOM_ROLE, TEAM_TYPES

from .base import StackResource
from .resource_types import COMPONENT_PACKAGE

GATEWAY_COMPONENT = f"{COMPONENT_PACKAGE}:index:ClaudeGateway"
"""The gateway's component resource, parent of everything a gateway stack registers."""
GATEWAY_ONLY_TYPES = frozenset({*GATEWAY_TYPES, GATEWAY_COMPONENT}) - frozenset(TEAM_TYPES)
"""The types only a gateway stack registers: any one of them makes a stack a gateway stack."""


def is_gateway_stack(resources: Sequence[StackResource]) -> bool:
    """Does the engine report a resource that only a gateway stack registers?"""
    return any(r.type in GATEWAY_ONLY_TYPES for r in resources)


def defines_team_role(resources: Sequence[StackResource]) -> bool:
    """Does the stack define a custom role (a team's role, which its members spend Claude with)?"""
    return any(r.type == PROJECT_CUSTOM_ROLE for r in resources)
