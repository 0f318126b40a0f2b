"""Organization policy constraints a team stack sets, and how a policy and its values are named (org policy v2)."""

from __future__ import annotations

import re

from claude_vertex_gcp.names import PUBLISHER_MODEL_PREFIX

ALLOWED_MODELS = "vertexai.allowedModels"
"""Which publisher models the project may call: values `publishers/<publisher>/models/<model>:<action>`."""
SKIP_DEFAULT_NETWORK = "compute.skipDefaultNetworkCreation"
"""A project created under it never gets the `default` network (with its open firewall rules)."""
CONSTRAINT_PREFIX = "constraints/"
"""How Google's error messages (and the v1 API) name a constraint: `constraints/vertexai.allowedModels`."""

POLICY_NAME = re.compile(r"^projects/[^/]+/policies/(?:constraints/)?(?P<constraint>[A-Za-z0-9.]+)$")
"""A project policy's `name`; its constraint is the last segment (the v2 API also takes the `constraints/` form)."""
PREDICT_ACTION = ":predict"
MODEL_VALUE = re.compile(rf"^{re.escape(PUBLISHER_MODEL_PREFIX)}[a-z0-9][a-z0-9.@-]*{PREDICT_ACTION}$")
"""An `allowedModels` value for one Claude model (`publishers/anthropic/models/claude-sonnet-4-5:predict`)."""


def policy_name(project: str, constraint: str) -> str:
    """`projects/<project>/policies/<constraint>`: the `name` of a project's policy for a constraint."""
    return f"projects/{project}/policies/{constraint}"


def allowed_model_value(publisher_model: str) -> str:
    """The `allowedModels` value that lets the project call one publisher model."""
    return f"{publisher_model}{PREDICT_ACTION}"
