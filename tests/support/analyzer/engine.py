"""The engine's side of the plugin protocol: a tiny `pulumirpc.Engine` server a pack may dial.

The Python policy SDK does not dial it today (it logs to stderr), but a pack written against another
SDK, or a future one, would, and the address handed to the pack must not be a dead end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

MAX_MESSAGE = 1024 * 1024 * 400  # what the engine and the SDK allow: 400 MB
GRPC_OPTIONS = [("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE)]


@dataclass(frozen=True)
class EngineLog:
    """A message the plugin sent to the engine (`Log` RPC) or wrote to its stdout/stderr."""

    severity: str
    message: str
    urn: str = ""


class EngineService(engine_pb2_grpc.EngineServicer):
    """Collects `Log` calls and holds the root resource URN, like the engine's host server."""

    def __init__(self, logs: list[EngineLog]) -> None:
        self.logs = logs
        self.root = ""

    def Log(self, request: engine_pb2.LogRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        severity = engine_pb2.LogSeverity.Name(request.severity).lower()
        self.logs.append(EngineLog(severity, request.message, request.urn))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: grpc.ServicerContext) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request: Any, context: grpc.ServicerContext) -> engine_pb2.SetRootResourceResponse:
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()
