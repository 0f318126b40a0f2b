"""What GCP answers, declared once: IDs, computed outputs and invoke results in the Google provider's formats.

Two consumers read these and nothing else: the mocks the offline preview and the fast suite run the program under
(`tests.support.gcp_mocks`), and the stand-in `gcp` provider plugin the real Pulumi engine runs it against
(`tests.support.gcp_provider`). So a stack rendered offline and a stack applied by the engine get the same project
number, the same account emails, the same role and pool names: a difference between the two is a difference in the
emulation, never in the data. Dependency-free beyond the GCP facts (`claude_vertex_gcp`), so that the stand-in
starts fast.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from claude_vertex_gcp import resource_types as gcp_types
from claude_vertex_gcp.iam import COMPUTE_TOKENS, PREDICT, SERVICE_USAGE_USE
from claude_vertex_gcp.names import (
    custom_role_name,
    project_parent,
    provider_name,
    service_account_email,
    service_account_name,
    workload_pool_name,
)

TESTABLE_PERMISSIONS = (
    COMPUTE_TOKENS,
    "aiplatform.endpoints.get",
    "aiplatform.endpoints.list",
    PREDICT,
    "aiplatform.models.get",
    SERVICE_USAGE_USE,
)
"""Permissions an organization typically offers for custom roles around the ones the program asks for."""


def _digits(seed: str, length: int) -> str:
    """Stable pseudo-random digits: the same config always yields the same project number."""
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    first = str(1 + value % 9)
    return first + str(value // 9)[-(length - 1) :].rjust(length - 1, "0")


def project_number(project_id: str) -> str:
    """A 12-digit project number, as GCP assigns them, derived from the project ID."""
    return _digits(f"project:{project_id}", 12)


def _service_account(inputs: Mapping[str, Any]) -> dict[str, Any]:
    project = inputs["project"]
    email = service_account_email(inputs["accountId"], project)
    return {
        "email": email,
        "name": service_account_name(project, email),
        "member": f"serviceAccount:{email}",
        "uniqueId": _digits(f"sa:{email}", 21),
    }


def _pool_name(inputs: Mapping[str, Any]) -> str:
    return workload_pool_name(project_number(inputs["project"]), inputs["workloadIdentityPoolId"])


def _project(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    pid = inputs["projectId"]
    labels = {**inputs.get("labels", {}), "goog-pulumi-provisioned": "true"}
    return project_parent(pid), {"number": project_number(pid), "effectiveLabels": labels}


def _role(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    name = custom_role_name(inputs["project"], inputs["roleId"])
    return name, {"name": name, "deleted": False}


def _account(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    state = _service_account(inputs)
    return state["name"], state


def _pool(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    name = _pool_name(inputs)
    return name, {"name": name, "state": "ACTIVE"}


def _pool_provider(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    name = provider_name(_pool_name(inputs), inputs["workloadIdentityPoolProviderId"])
    return name, {"name": name, "state": "ACTIVE"}


ComputedState = Callable[[Mapping[str, Any]], tuple[str, dict[str, Any]]]
"""(id, computed outputs) of a resource from its inputs, in the provider's formats, as after `pulumi up`."""

ETAG = "BwYGaR1BQJ8="
"""The etag an IAM grant reports (any stable value in GCP's base64 shape)."""

COMPUTED_STATE: dict[str, ComputedState] = {
    gcp_types.PROJECT: _project,
    gcp_types.SERVICE: lambda i: (f"{i['project']}/{i['service']}", {}),
    gcp_types.PROJECT_CUSTOM_ROLE: _role,
    gcp_types.SERVICE_ACCOUNT: _account,
    gcp_types.PROJECT_IAM_MEMBER: lambda i: (f"{i['project']}/{i['role']}/{i['member']}", {"etag": ETAG}),
    gcp_types.SERVICE_ACCOUNT_IAM_MEMBER: lambda i: (
        f"{i['serviceAccountId']}/{i['role']}/{i['member']}",
        {"etag": ETAG},
    ),
    gcp_types.WORKLOAD_IDENTITY_POOL: _pool,
    gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER: _pool_provider,
}
"""One entry per resource type whose ID or outputs anything reads; a type not listed gets `<name>-id` and its
inputs back (`computed_state`).

Add a type here (a budget, a notification channel, a dashboard ...) with one function: what GCP computes
for it. Under `pulumi preview` none of it is known, which `GcpMocks(preview=True)` and the stand-in's `Create` with
`preview` model.
"""


def computed_state(type_token: str, name: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The ID and computed outputs GCP gives resource `name` of this type on creation (`COMPUTED_STATE`)."""
    computed = COMPUTED_STATE.get(type_token)
    if computed is None:
        return f"{name}-id", {}
    return computed(inputs)


InvokeAnswer = tuple[dict[str, Any], list[tuple[str, str]]]
"""What an invoke returns and its check failures (property, reason), as `pulumirpc.InvokeResponse` carries them."""


def invoke(token: str, args: Mapping[str, Any], unsupported_permissions: Iterable[str] = ()) -> InvokeAnswer:
    """The Google provider's answer to the data sources the program calls; a failure for any other."""
    if token == gcp_types.GET_TESTABLE_PERMISSIONS:
        unsupported = frozenset(unsupported_permissions)
        permissions = [
            {"name": name, "title": name, "stage": "GA", "customSupportLevel": "SUPPORTED", "apiDisabled": False}
            for name in TESTABLE_PERMISSIONS
            if name not in unsupported
        ]
        return {
            "id": args.get("fullResourceName", ""),
            "fullResourceName": args.get("fullResourceName", ""),
            "customSupportLevel": args.get("customSupportLevel", "SUPPORTED"),
            "stages": args.get("stages", ["GA"]),
            "permissions": permissions,
        }, []
    if token == gcp_types.GET_PROJECT:  # an adopted project, as GCP knows it
        pid = args["projectId"]
        return {"id": f"projects/{pid}", "projectId": pid, "number": project_number(pid), "name": pid}, []
    return {}, [("token", f"the offline GCP does not implement {token}")]


INVOKE_TOKENS = (gcp_types.GET_TESTABLE_PERMISSIONS, gcp_types.GET_PROJECT)
"""The data sources `invoke` answers."""
