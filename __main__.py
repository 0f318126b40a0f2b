"""claude-vertex: one team's Claude Code on Vertex AI.

Thin on purpose: validated config in, components built, outputs exported. Everything that decides
anything lives in `components/`, where it is tested.
"""

import pulumi

from components.access import VertexAccess, permission_check_resource
from components.ci_identity import CI_SERVICES, CiIdentity
from components.config import load_stack_config
from components.outputs import ci_outputs, stack_outputs
from components.project import VERTEX_API, TeamProject

config = load_stack_config()

project = TeamProject(config.team, config.project, extra_services=CI_SERVICES if config.ci else ())
access = VertexAccess(
    config.team,
    config.access,
    project_id=project.project_id,
    iam_ready=project.iam_ready,
    vertex_api=project.services[VERTEX_API],
    permission_resource=permission_check_resource(
        config.project.id, config.project.create, config.project.folder_id, config.project.org_id
    ),
)
outputs = stack_outputs(
    config, project.project_id, project.project_number, access.role_name, access.service_account_emails
)
if config.ci is not None:
    ci = CiIdentity(config.team, config.ci, project.project_id, access.role_name, project.iam_ready)
    outputs.update(ci_outputs(ci.provider_names, ci.service_account_email, outputs["env"]))

for name, value in outputs.items():
    pulumi.export(name, value)
