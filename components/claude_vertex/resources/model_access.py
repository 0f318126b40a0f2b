"""The pinned models, enabled in Model Garden and, on request, the only models the project may call.

`enableModels` registers one `AiModelGardenEnableModel` per pinned model. The API enables a partner model only
once Anthropic's terms have been accepted for the project in the console (or a private offer exists); destroy
never disables it. `restrictModels` sets the project's `constraints/vertexai.allowedModels` to exactly the
pinned models, so nobody in the team's project can call an unpinned, pricier one.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.names import project_parent
from claude_vertex_gcp.org_policy import ALLOWED_MODELS, allowed_model_value, policy_name

from claude_vertex.plan.models import ModelPlan


def allowed_model_values(plan: ModelPlan) -> list[str]:
    """`publishers/anthropic/models/<model>:predict` for each pinned model, as the constraint spells them."""
    return sorted({allowed_model_value(pin.publisher_model) for pin in plan.pinned})


def model_resource_suffix(model_id: str) -> str:
    """`claude-haiku-4-5-20251001`: a model ID as it reads in a resource name."""
    return model_id.replace("@", "-")


class ModelAccess(pulumi.ComponentResource):
    """Model Garden enablement and the allow-list org policy for the pinned models."""

    def __init__(
        self,
        team: str,
        plan: ModelPlan,
        *,
        project_id: pulumi.Input[str],
        vertex_api: pulumi.Resource,
        enable: bool,
        restrict: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("claude-vertex:index:ModelAccess", f"{team}-models", None, opts)
        # Model Garden calls are Vertex AI calls: they need its API, nothing else.
        needs_vertex = pulumi.ResourceOptions(parent=self, depends_on=[vertex_api])
        self.enabled: dict[str, gcp.vertex.AiModelGardenEnableModel] = {}
        if enable:
            for pin in plan.pinned:
                self.enabled[pin.model_id] = gcp.vertex.AiModelGardenEnableModel(
                    f"{team}-enable-{model_resource_suffix(pin.model_id)}",
                    project=project_id,
                    publisher_model_name=pin.publisher_model,
                    opts=needs_vertex,
                )
        self.allowed_models: gcp.orgpolicy.Policy | None = None
        if restrict:
            self.allowed_models = gcp.orgpolicy.Policy(
                f"{team}-allowed-models",
                parent=pulumi.Output.from_input(project_id).apply(project_parent),
                name=pulumi.Output.from_input(project_id).apply(lambda pid: policy_name(pid, ALLOWED_MODELS)),
                spec={"rules": [{"values": {"allowed_values": allowed_model_values(plan)}}]},
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"enabledModels": sorted(self.enabled)})
