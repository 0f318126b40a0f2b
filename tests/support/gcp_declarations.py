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


def _secret(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    name = f"projects/{inputs['project']}/secrets/{inputs['secretId']}"
    return name, {"name": name}


def _secret_version(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    name = f"{inputs['secret']}/versions/1"
    return name, {"name": name, "version": "1", "enabled": True}


def _sql_instance(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Cloud SQL takes its private address from the private services range (10.x.0.0/20 by Google's choosing)."""
    number = int(_digits(f"sql:{inputs['project']}/{inputs['name']}", 6))
    return inputs["name"], {
        "connectionName": f"{inputs['project']}:{inputs['region']}:{inputs['name']}",
        "privateIpAddress": f"10.{100 + number % 100}.0.{3 + number % 200}",
        "publicIpAddress": "",
    }


def _run_service(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Cloud Run's deterministic URL: `https://<service>-<project number>.<region>.run.app`."""
    uri = f"https://{inputs['name']}-{project_number(inputs['project'])}.{inputs['location']}.run.app"
    return f"projects/{inputs['project']}/locations/{inputs['location']}/services/{inputs['name']}", {"uri": uri}


def _address(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """An internal address from the subnet (the mocks do not know its range: the example's 10.60.0.0/24)."""
    host = 2 + int(_digits(f"address:{inputs['project']}/{inputs['name']}", 4)) % 250
    return inputs["name"], {"address": f"10.60.0.{host}"}


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
    gcp_types.SECRET: _secret,
    gcp_types.SECRET_VERSION: _secret_version,
    gcp_types.SECRET_IAM_MEMBER: lambda i: (f"{i['secretId']}/{i['role']}/{i['member']}", {"etag": ETAG}),
    gcp_types.SQL_INSTANCE: _sql_instance,
    gcp_types.CLOUD_RUN_SERVICE: _run_service,
    gcp_types.ADDRESS: _address,
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


DELETION_POLICY_DEFAULTS: dict[str, str] = {
    gcp_types.PROJECT: "PREVENT",
    **dict.fromkeys(
        (
            gcp_types.SERVICE,
            gcp_types.PROJECT_CUSTOM_ROLE,
            gcp_types.SERVICE_ACCOUNT,
            gcp_types.WORKLOAD_IDENTITY_POOL,
            gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER,
            gcp_types.ORG_POLICY,
            gcp_types.BUDGET,
            gcp_types.NOTIFICATION_CHANNEL,
            gcp_types.LOG_METRIC,
            gcp_types.DASHBOARD,
            gcp_types.ALERT_POLICY,
            *(
                token
                for token in gcp_types.GATEWAY_TYPES
                if token not in (gcp_types.PROJECT, gcp_types.PROJECT_IAM_MEMBER, gcp_types.SECRET_IAM_MEMBER)
            ),
        ),
        "DELETE",
    ),
}
"""`deletionPolicy` of each resource type the program uses whose pulumi-gcp 10 resource has one (the SDK's
docstrings: "Defaults to DELETE"; a project's is PREVENT), for when neither the resource nor the provider's config
(`gcp:deletionPolicy`) sets it. tests/test_gcp_declarations.py holds the list to the SDK."""


def filled_by_provider(
    type_token: str, inputs: Mapping[str, Any], provider_config: Mapping[str, Any]
) -> dict[str, Any]:
    """What the provider adds to a resource's state on create when the resource leaves it out: `deletionPolicy`, from
    its own config or the type's default (`DELETION_POLICY_DEFAULTS`). The mocks know no provider config (`{}`)."""
    default = DELETION_POLICY_DEFAULTS.get(type_token)
    if default is None or inputs.get("deletionPolicy") is not None:
        return {}
    return {"deletionPolicy": provider_config.get("deletionPolicy") or default}


PROVIDER_SECRET_SETTINGS = ("accessToken",)
"""The provider settings pulumi-gcp's schema holds secret (its SDK's `Provider` wraps exactly these in
`pulumi.Output.secret`; tests/test_gcp_declarations.py checks): the provider's `CheckConfig` hands them back
secret even when a stack file has them in plain text, and the engine sends them to analyzers so."""
