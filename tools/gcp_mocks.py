"""Pulumi mocks that answer like GCP does, and a monitor that records what the program registers.

The offline preview and the tests both run `__main__.py` unchanged against these. The values follow
GCP's real formats (service-account emails, role and pool resource names, 12-digit project numbers)
so that everything downstream, from the env renderings to the policy pack, sees realistic data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

TESTABLE_PERMISSIONS_TOKEN = "gcp:iam/getTestablePermissions:getTestablePermissions"
GET_PROJECT_TOKEN = "gcp:organizations/getProject:getProject"
# Permissions an organization typically offers for custom roles around the ones we ask for.
_TESTABLE = (
    "aiplatform.endpoints.computeTokens",
    "aiplatform.endpoints.get",
    "aiplatform.endpoints.list",
    "aiplatform.endpoints.predict",
    "aiplatform.models.get",
    "serviceusage.services.use",
)


def _digits(seed: str, length: int) -> str:
    """Stable pseudo-random digits: the same config always yields the same project number."""
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    first = str(1 + value % 9)
    return first + str(value // 9)[-(length - 1) :].rjust(length - 1, "0")


def project_number(project_id: str) -> str:
    """A 12-digit project number, as GCP assigns them, derived from the project ID."""
    return _digits(f"project:{project_id}", 12)


def _service_account(inputs: dict[str, Any]) -> dict[str, Any]:
    project = inputs["project"]
    email = f"{inputs['accountId']}@{project}.iam.gserviceaccount.com"
    return {
        "email": email,
        "name": f"projects/{project}/serviceAccounts/{email}",
        "member": f"serviceAccount:{email}",
        "uniqueId": _digits(f"sa:{email}", 21),
    }


def _pool_name(inputs: dict[str, Any]) -> str:
    return (
        f"projects/{project_number(inputs['project'])}/locations/global/"
        f"workloadIdentityPools/{inputs['workloadIdentityPoolId']}"
    )


def _computed_state(type_: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(id, computed outputs) for each resource type the program uses, in the provider's formats."""
    if type_ == "gcp:organizations/project:Project":
        pid = inputs["projectId"]
        labels = {**inputs.get("labels", {}), "goog-pulumi-provisioned": "true"}
        return f"projects/{pid}", {"number": project_number(pid), "effectiveLabels": labels}
    if type_ == "gcp:projects/service:Service":
        return f"{inputs['project']}/{inputs['service']}", {}
    if type_ == "gcp:projects/iAMCustomRole:IAMCustomRole":
        name = f"projects/{inputs['project']}/roles/{inputs['roleId']}"
        return name, {"name": name, "deleted": False}
    if type_ == "gcp:serviceaccount/account:Account":
        state = _service_account(inputs)
        return state["name"], state
    if type_ == "gcp:projects/iAMMember:IAMMember":
        return f"{inputs['project']}/{inputs['role']}/{inputs['member']}", {"etag": "BwYGaR1BQJ8="}
    if type_ == "gcp:serviceaccount/iAMMember:IAMMember":
        return f"{inputs['serviceAccountId']}/{inputs['role']}/{inputs['member']}", {"etag": "BwYGaR1BQJ8="}
    if type_ == "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
        name = _pool_name(inputs)
        return name, {"name": name, "state": "ACTIVE"}
    if type_ == "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
        name = f"{_pool_name(inputs)}/providers/{inputs['workloadIdentityPoolProviderId']}"
        return name, {"name": name, "state": "ACTIVE"}
    return "", {}


class GcpMocks(Mocks):
    """Answers resource registrations and invokes the way the GCP provider would after `pulumi up`."""

    def __init__(self, unsupported_permissions: Iterable[str] = ()) -> None:
        self.unsupported_permissions = frozenset(unsupported_permissions)
        self.calls: list[MockCallArgs] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, computed = _computed_state(args.typ, args.inputs)
        return resource_id or f"{args.name}-id", {**args.inputs, **computed}

    def call(self, args: MockCallArgs) -> dict[str, Any] | tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append(args)
        if args.token == TESTABLE_PERMISSIONS_TOKEN:
            permissions = [
                {
                    "name": name,
                    "title": name,
                    "stage": "GA",
                    "customSupportLevel": "SUPPORTED",
                    "apiDisabled": False,
                }
                for name in _TESTABLE
                if name not in self.unsupported_permissions
            ]
            return {
                "id": args.args.get("fullResourceName", ""),
                "fullResourceName": args.args.get("fullResourceName", ""),
                "customSupportLevel": args.args.get("customSupportLevel", "SUPPORTED"),
                "stages": args.args.get("stages", ["GA"]),
                "permissions": permissions,
            }
        if args.token == GET_PROJECT_TOKEN:  # an adopted project, as GCP knows it
            pid = args.args["projectId"]
            return {"id": f"projects/{pid}", "projectId": pid, "number": project_number(pid), "name": pid}
        return {}, [("token", f"the offline mocks do not implement {args.token}")]


@dataclass
class Registration:
    """One registered resource as the engine (and so a policy pack) sees it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    inputs: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "dependencies": self.dependencies,
            "propertyDependencies": self.property_dependencies,
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "deleteBeforeReplace": self.delete_before_replace,
            "inputs": self.inputs,
        }


class RecordingMonitor(MockMonitor):
    """A mock resource monitor that keeps each registration's graph edges and options, not just state."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            self.registrations[response.urn] = Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                dependencies=sorted(set(request.dependencies)),
                property_dependencies={
                    key: sorted(set(deps.urns))
                    for key, deps in sorted(request.propertyDependencies.items())
                    if deps.urns
                },
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                inputs=_plain(inputs),
            )
        return response


def _plain(value: Any) -> Any:
    """Inputs as JSON-ready data, sorted, with Pulumi's internal markers dropped."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items()) if not k.startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
