"""claude-vertex: one team's Claude Code on Vertex AI.

Thin on purpose: validated config in, components built, outputs exported. Everything that decides
anything lives in `components/`, where it is tested.
"""

import pulumi

from components.access import VertexAccess, permission_check_resource
from components.ci_identity import CI_SERVICES, CiIdentity
from components.config import load_stack_config
from components.guardrails import Guardrails, guardrail_outputs
from components.model_access import ModelAccess
from components.outputs import ci_outputs, developer_env, stack_outputs
from components.project import VERTEX_API, TeamProject

config = load_stack_config()
for warning in config.warnings:
    pulumi.log.warn(warning)

project = TeamProject(
    config.team,
    config.project,
    extra_services=CI_SERVICES if config.ci else (),
    skip_default_network_policy=config.project.default_network_policy == "project",
)
access = VertexAccess(
    config.team,
    config.access,
    project_id=project.project_id,
    iam_ready=project.iam_ready,
    vertex_api=project.services[VERTEX_API],
    permission_resource=permission_check_resource(config.project.id, config.project.create, config.project.folder_id),
)
ModelAccess(
    config.team,
    config.models,
    project_id=project.project_id,
    vertex_api=project.services[VERTEX_API],
    enable=config.vertex.enable_models,
    restrict=config.vertex.restrict_models,
)
env = developer_env(config, project.project_id)
outputs = stack_outputs(
    config, env, project.project_id, project.project_number, access.role_name, access.service_account_emails
)
guardrails = Guardrails(
    config.team,
    config.guardrails,
    project=config.project,
    caps=config.quota_caps,
    project_id=project.project_id,
    project_number=project.project_number,
    vertex_api=project.services[VERTEX_API],
)
outputs.update(guardrail_outputs(config.guardrails, guardrails.dashboard_url, env))
if config.ci is not None:
    ci = CiIdentity(config.team, config.ci, project.project_id, access.role_name, project.iam_ready)
    outputs.update(ci_outputs(ci.provider_names, ci.service_account_email, env))

for name, value in outputs.items():
    pulumi.export(name, value)
