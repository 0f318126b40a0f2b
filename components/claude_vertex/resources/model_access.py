"""The pinned models, enabled in Model Garden and, on request, the only models the project may call.

`enableModels` registers one `AiModelGardenEnableModel` per pinned model. The API enables a partner model only
once Anthropic's terms have been accepted for the project in the console (or a private offer exists); destroy
never disables it. `restrictModels` sets the project's `constraints/vertexai.allowedModels` to exactly the
pinned models, so nobody in the team's project can call an unpinned, pricier one.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from claude_vertex.plan.models import ModelPlan

ALLOWED_MODELS_CONSTRAINT = "vertexai.allowedModels"


def allowed_model_values(plan: ModelPlan) -> list[str]:
    """`publishers/anthropic/models/<model>:predict` for each pinned model, as the constraint spells them."""
    return sorted({f"{pin.publisher_model}:predict" for pin in plan.pinned})


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
                parent=pulumi.Output.concat("projects/", project_id),
                name=pulumi.Output.concat("projects/", project_id, "/policies/", ALLOWED_MODELS_CONSTRAINT),
                spec={"rules": [{"values": {"allowed_values": allowed_model_values(plan)}}]},
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"enabledModels": sorted(self.enabled)})
