"""Data Access audit logs for Vertex AI in a team's project: who called which model.

They are what the usage metric counts (`usage.py`), and the trail a security review reads, so they outlive the
stack: the config is kept on destroy.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.iam import DATA_READ
from claude_vertex_gcp.services import VERTEX_AI


def vertex_data_access(
    team: str, project_id: pulumi.Output[str], *, vertex_api: pulumi.Resource, parent: pulumi.Resource
) -> gcp.projects.IAMAuditConfig:
    """`DATA_READ` audit logs for the Vertex AI API, once that API is on."""
    return gcp.projects.IAMAuditConfig(
        f"{team}-vertex-data-access",
        project=project_id,
        service=VERTEX_AI,
        audit_log_configs=[{"log_type": DATA_READ}],
        # Non-authoritative per service; kept on destroy: the audit trail outlives the stack.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[vertex_api], retain_on_delete=True),
    )
