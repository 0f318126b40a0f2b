"""The engine's side of a component's construction: a `ResourceMonitor` and an `Engine` served on 127.0.0.1.

When a program in any language creates a component from a package (`pulumi package add`), the engine asks the
package's provider to `Construct` it, handing over its resource monitor's address (`monitorEndpoint`); the
provider's SDK registers the component and every child there, and logs to the engine's address (the plugin's
command-line argument). `MonitorService` answers as the engine does after `pulumi up`: each custom resource
with its ID and the state GCP computes (`GcpMocks`, the formats the offline preview uses), each invoke as the
Google provider answers it. It records what was registered as `ResourceRecord`s, the shape the rest of the
suite reads, and each component's registered outputs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2, resource_pb2, resource_pb2_grpc

from tests.support.analyzer.engine import GRPC_OPTIONS, EngineLog, EngineService
from tests.support.gcp_mocks import GcpMocks, ResourceRecord, custom_timeouts, engine_urn

FEATURES = (
    resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
)
"""What the monitor says it supports (`GetDeploymentInfo`): what the engine's does, of what a component's
construction uses."""


def to_struct(value: dict[str, Any]) -> struct_pb2.Struct:
    """Plain data (sentinels of secrets, unknowns and output values included) as a protobuf `Struct`."""
    return json_format.ParseDict(value, struct_pb2.Struct())


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A protobuf `Struct` as plain data, as it came over the wire (sentinels kept)."""
    return json_format.MessageToDict(struct)


class MonitorService(resource_pb2_grpc.ResourceMonitorServicer):
    """Registers resources as the engine does (URNs by `Deployment.generateURN`) and answers with GCP's state."""

    def __init__(self, stack: str, project: str, mocks: GcpMocks | None = None) -> None:
        self.stack, self.project = stack, project
        self.mocks = mocks or GcpMocks()
        self.registrations: dict[str, ResourceRecord] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()  # the SDK registers from several threads at once

    def clear(self) -> None:
        with self._lock:
            self.registrations.clear()
            self.outputs.clear()

    def GetDeploymentInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> resource_pb2.DeploymentInfo:
        return resource_pb2.DeploymentInfo(project=self.project, stack=self.stack, supportedFeatures=FEATURES)

    def RegisterResource(
        self, request: resource_pb2.RegisterResourceRequest, context: grpc.ServicerContext
    ) -> resource_pb2.RegisterResourceResponse:
        urn = engine_urn(self.stack, self.project, request.parent, request.type, request.name)
        inputs = from_struct(request.object)
        resource_id, state = "", None
        if request.custom:
            resource_id, state = self.mocks.new_resource(
                MockResourceArgs(request.type, request.name, inputs, request.provider, request.importId, True)
            )
        record = ResourceRecord(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=request.custom,
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={k: sorted(set(v.urns)) for k, v in request.propertyDependencies.items() if v.urns},
            protect=request.protect,
            retain_on_delete=request.retainOnDelete,
            delete_before_replace=request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
            additional_secret_outputs=list(request.additionalSecretOutputs),
            ignore_changes=list(request.ignoreChanges),
            custom_timeouts=custom_timeouts(request),
            inputs=inputs,
            outputs=state,
        )
        with self._lock:
            self.registrations[urn] = record
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id or "", object=to_struct(state or {}))

    def RegisterResourceOutputs(
        self, request: resource_pb2.RegisterResourceOutputsRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        with self._lock:
            self.outputs[request.urn] = from_struct(request.outputs)
        return empty_pb2.Empty()

    def Invoke(
        self, request: resource_pb2.ResourceInvokeRequest, context: grpc.ServicerContext
    ) -> resource_pb2.ResourceInvokeResponse:
        answer = self.mocks.call(MockCallArgs(request.tok, from_struct(request.args), request.provider))
        result, failures = (answer, []) if isinstance(answer, dict) else answer
        return resource_pb2.ResourceInvokeResponse(
            failures=[provider_pb2.CheckFailure(property=name, reason=reason) for name, reason in failures],
            **{"return": to_struct(result)},
        )


@dataclass
class EngineSide:
    """The engine's two servers while a provider constructs: the monitor (and what it recorded), the engine's
    log, and their addresses."""

    monitor: MonitorService
    logs: list[EngineLog]
    monitor_address: str
    engine_address: str


@contextmanager
def serve_engine(stack: str, project: str, mocks: GcpMocks | None = None) -> Iterator[EngineSide]:
    """Serve a resource monitor and an engine on 127.0.0.1, each on its own free port; stopped on exit."""
    monitor = MonitorService(stack, project, mocks)
    logs: list[EngineLog] = []
    servers = []
    try:
        addresses = []
        for register in (
            lambda server: resource_pb2_grpc.add_ResourceMonitorServicer_to_server(monitor, server),
            lambda server: engine_pb2_grpc.add_EngineServicer_to_server(EngineService(logs), server),
        ):
            server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=GRPC_OPTIONS)
            register(server)
            port = server.add_insecure_port("127.0.0.1:0")
            server.start()
            servers.append(server)
            addresses.append(f"127.0.0.1:{port}")
        yield EngineSide(monitor, logs, *addresses)
    finally:
        for server in servers:
            server.stop(grace=None)
