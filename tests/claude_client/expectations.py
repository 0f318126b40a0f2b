"""Where a stack's environment should send each Claude Code request, derived from the env and the catalog.

Nothing here names a model: the pins come from the rendered environment (`ANTHROPIC_MODEL` and
`ANTHROPIC_DEFAULT_<ALIAS>_MODEL`), the region rule from the catalog's `vertexRegionVar` for the model
(`VERTEX_REGION_<var>` when the environment sets it, else `CLOUD_ML_REGION`), so the expectations follow
whatever the stacks and the catalog say tomorrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from claude_vertex.catalog import ALIASES, catalog, strip_1m

DEFAULT = "default"
"""The invocation without `--model`: Claude Code uses `ANTHROPIC_MODEL`, or its own default."""
INVOCATIONS = (DEFAULT, *ALIASES)


def alias_variable(alias: str) -> str:
    """`ANTHROPIC_DEFAULT_OPUS_MODEL`: what Claude Code resolves `--model opus` through."""
    return f"ANTHROPIC_DEFAULT_{alias.upper()}_MODEL"


def model_arguments(invocation: str) -> tuple[str, ...]:
    return () if invocation == DEFAULT else ("--model", invocation)


def pinned_model(env: Mapping[str, str], invocation: str) -> str | None:
    """The model ID the environment pins for an invocation, without `[1m]`; None when the client chooses.

    `ANTHROPIC_MODEL` may itself name an alias (`sonnet`, `opus[1m]`); the alias's pin then decides.
    """
    value = env.get("ANTHROPIC_MODEL") if invocation == DEFAULT else env.get(alias_variable(invocation))
    if value and strip_1m(value) in ALIASES:
        value = env.get(alias_variable(strip_1m(value)))
    return strip_1m(value) if value else None


def effective_region(env: Mapping[str, str], model_id: str) -> str:
    """`VERTEX_REGION_<var>` when the catalog gives the model one and the env sets it, else `CLOUD_ML_REGION`."""
    entry = catalog().get(model_id)
    variable = entry.region_variable if entry else None
    if variable and env.get(variable):
        return env[variable]
    return env["CLOUD_ML_REGION"]


@dataclass(frozen=True)
class Target:
    """A Vertex publisher-model endpoint, the parts a request path is made of."""

    project: str
    region: str
    model: str

    @property
    def stream_path(self) -> str:
        return (
            f"/v1/projects/{self.project}/locations/{self.region}"
            f"/publishers/anthropic/models/{self.model}:streamRawPredict"
        )


def expected_target(env: Mapping[str, str], model_id: str) -> Target:
    return Target(env["ANTHROPIC_VERTEX_PROJECT_ID"], effective_region(env, model_id), strip_1m(model_id))
