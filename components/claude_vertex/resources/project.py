"""The team's GCP project (created or adopted), the APIs enabled in it, and its ID once IAM serves it.

The default network: a created project has `auto_create_network=True` and Compute Engine is never enabled,
so no network exists (the default network is a Compute Engine resource, created when
`compute.googleapis.com` is enabled). `auto_create_network=False` would make the Google provider enable
Compute in every new project just to delete the network and its firewall rules again: slow, intermittently
failing (project-factory #978, #1037; provider #13888), and it leaves Compute on. The org policy
`constraints/compute.skipDefaultNetworkCreation` (the provider docs' recommendation) keeps the network from
ever appearing, even if someone enables Compute later: the platform enforces it on the teams' folder
(bootstrap/README.md), and each created project carries it too (`skip_default_network_policy`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.names import project_parent
from claude_vertex_gcp.org_policy import SKIP_DEFAULT_NETWORK, policy_name
from claude_vertex_gcp.services import BASE_SERVICES, IAM

from claude_vertex.config import ProjectConfig
from claude_vertex.resources.readiness_gate import iam_ready_project_id


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
    iam_project_id: pulumi.Output[str]
    """The project ID once IAM serves the project: what calls IAM takes its `project` from this."""

    def __init__(
        self,
        team: str,
        config: ProjectConfig,
        extra_services: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
        skip_default_network_policy: bool = True,
        base_services: Sequence[str] = BASE_SERVICES,
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
                # True: the provider leaves Compute alone; no network exists (see the module docstring).
                auto_create_network=True,
                deletion_policy="PREVENT" if config.deletion_protection else "DELETE",
                opts=child.merge(pulumi.ResourceOptions(retain_on_delete=config.deletion_protection)),
            )
            self.project_id = project.project_id
            self.project_number = project.number
            if skip_default_network_policy:
                # Needs roles/orgpolicy.policyAdmin, grantable only at the organization (bootstrap/README.md).
                gcp.orgpolicy.Policy(
                    f"{team}-skip-default-network",
                    name=project.project_id.apply(lambda pid: policy_name(pid, SKIP_DEFAULT_NETWORK)),
                    parent=project.project_id.apply(project_parent),
                    spec={"rules": [{"enforce": "TRUE"}]},
                    opts=child,
                )
        else:
            self.project_id = pulumi.Output.from_input(config.id)
            self.project_number = None

        self.services = {}
        for service in dict.fromkeys((*base_services, *extra_services)):
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

        # Service creation completes before IAM serves the project (403 SERVICE_DISABLED for a while, and the
        # provider does not retry 403): what calls IAM takes the project ID from this Output, which resolves only
        # once IAM answers for the project (readiness_gate.py), and so depends on the IAM API's Service.
        self.iam_project_id = iam_ready_project_id(self.services[IAM])

        outputs: dict[str, object] = {"projectId": self.project_id}
        if self.project_number is not None:
            outputs["projectNumber"] = self.project_number
        self.register_outputs(outputs)
