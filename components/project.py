"""The team's GCP project (created or adopted) and the APIs enabled in it."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from components.config import ProjectConfig

# Why each API is enabled, next to its name: nothing is enabled "just in case".
VERTEX_API = "aiplatform.googleapis.com"  # Claude models are served by Vertex AI.
IAM_API = "iam.googleapis.com"  # Custom roles and service accounts are created through the IAM API.
BASE_SERVICES = (VERTEX_API, IAM_API)


def service_resource_name(team: str, service: str) -> str:
    """`payments-aiplatform-api`: stable and readable in `pulumi preview`."""
    return f"{team}-{service.split('.')[0]}-api"


class TeamProject(pulumi.ComponentResource):
    """A dedicated project for one team, or an adopted existing one, with exactly the APIs it needs.

    Adopting registers no Project resource: the stack never owns, changes or deletes a project it did
    not create. A created project is kept by `pulumi destroy` when deletion protection is on (the
    default): `deletion_policy=PREVENT` guards it in GCP and `retain_on_delete` lets the rest of the
    stack be torn down around it.
    """

    project_id: pulumi.Output[str]
    project_number: pulumi.Output[str] | None
    services: dict[str, gcp.projects.Service]

    def __init__(
        self,
        team: str,
        config: ProjectConfig,
        extra_services: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("claude-vertex:index:TeamProject", f"{team}-project", None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if config.create:
            project = gcp.organizations.Project(
                f"{team}-project",
                project_id=config.id,
                name=config.name,
                billing_account=config.billing_account,
                folder_id=config.folder_id,
                labels={"team": team, "managed-by": "pulumi", **dict(config.labels)},
                # The default network would give every new project open firewall rules nobody asked for.
                auto_create_network=False,
                deletion_policy="PREVENT" if config.deletion_protection else "DELETE",
                opts=child.merge(pulumi.ResourceOptions(retain_on_delete=config.deletion_protection)),
            )
            self.project_id = project.project_id
            self.project_number = project.number
        else:
            self.project_id = pulumi.Output.from_input(config.id)
            self.project_number = None

        self.services = {}
        for service in dict.fromkeys((*BASE_SERVICES, *extra_services)):
            self.services[service] = gcp.projects.Service(
                service_resource_name(team, service),
                project=self.project_id,
                service=service,
                # Other stacks and people may rely on an API once it is on; destroying this stack
                # must never switch it off under them.
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=child,
            )

        outputs: dict[str, object] = {"projectId": self.project_id}
        if self.project_number is not None:
            outputs["projectNumber"] = self.project_number
        self.register_outputs(outputs)
