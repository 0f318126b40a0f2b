"""An analyzer that judges nothing and writes down every request the engine sends it.

    python -m tests.support.engine.recording_analyzer --record FILE ENGINE_ADDRESS

The parity test (tests/e2e/test_parity.py) loads it beside the real policy pack (`--policy-pack` twice): the engine
sends every analyzer the same `ConfigureStack`, `Analyze` (each resource, its inputs, options and provider) and
`AnalyzeStack` (every resource with its outputs and graph edges), so what this one records is what the pack was
sent, in the engine's own wire format, to hold against what the offline emulation sends the pack
(`tests.support.analyzer.marshal`). Each request is one JSON line: `{"rpc": ..., "request": <the message as JSON>}`.
It has one advisory policy that never reports, so that the engine treats it as a pack like any other.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

ROOT = Path(__file__).resolve().parents[3]
NAME = "records-what-the-engine-sends"
LAUNCHER_NAME = "pulumi-analyzer-recorder"
_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


class RecordingAnalyzer(analyzer_pb2_grpc.AnalyzerServicer):
    """Appends each request to `record` and answers as a pack with nothing to say."""

    def __init__(self, record: Path) -> None:
        self.record = record
        self._lock = threading.Lock()

    def _write(self, rpc: str, request: Any) -> None:
        line = json.dumps({"rpc": rpc, "request": json_format.MessageToDict(request)}, sort_keys=True)
        with self._lock, self.record.open("a") as record:
            record.write(line + "\n")

    def Handshake(self, request: Any, context: grpc.ServicerContext) -> analyzer_pb2.AnalyzerHandshakeResponse:
        return analyzer_pb2.AnalyzerHandshakeResponse()

    def ConfigureStack(
        self, request: Any, context: grpc.ServicerContext
    ) -> analyzer_pb2.AnalyzerStackConfigureResponse:
        self._write("ConfigureStack", request)
        return analyzer_pb2.AnalyzerStackConfigureResponse()

    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version="0.0.1")

    def GetAnalyzerInfo(self, request: Any, context: grpc.ServicerContext) -> analyzer_pb2.AnalyzerInfo:
        policy = analyzer_pb2.PolicyInfo(
            name="never-reports",
            displayName="never reports",
            description="records only",
            enforcementLevel=analyzer_pb2.ADVISORY,
        )
        return analyzer_pb2.AnalyzerInfo(name=NAME, displayName=NAME, version="0.0.1", policies=[policy])

    def Configure(self, request: Any, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    def Analyze(self, request: Any, context: grpc.ServicerContext) -> analyzer_pb2.AnalyzeResponse:
        self._write("Analyze", request)
        return analyzer_pb2.AnalyzeResponse()

    def AnalyzeStack(self, request: Any, context: grpc.ServicerContext) -> analyzer_pb2.AnalyzeResponse:
        self._write("AnalyzeStack", request)
        return analyzer_pb2.AnalyzeResponse()

    def Remediate(self, request: Any, context: grpc.ServicerContext) -> analyzer_pb2.RemediateResponse:
        return analyzer_pb2.RemediateResponse()

    def Cancel(self, request: Any, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()


def recorded(record: Path, rpc: str) -> list[dict[str, Any]]:
    """The requests of one kind (`Analyze`, `AnalyzeStack`, `ConfigureStack`) in the record, as JSON."""
    if not record.exists():
        return []
    lines = (json.loads(line) for line in record.read_text().splitlines() if line)
    return [line["request"] for line in lines if line["rpc"] == rpc]


def write_recorder_launcher(directory: Path, record: Path) -> Path:
    """The executable `--policy-pack` takes: this module with this checkout and interpreter; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    launcher = directory / LAUNCHER_NAME
    root = shlex.quote(str(ROOT))
    launcher.write_text(
        "#!/bin/sh\n"
        "# Written by tests/support/engine/recording_analyzer.py: an analyzer that records what the engine sends.\n"
        f"cd {root} || exit 1\n"
        f"PYTHONPATH={root} exec {shlex.quote(sys.executable)} -m tests.support.engine.recording_analyzer "
        f'--record {shlex.quote(str(record.resolve()))} "$@"\n'
    )
    launcher.chmod(0o755)
    return launcher


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="recording_analyzer")
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("engine", nargs="?", default="")
    args, _ = parser.parse_known_args(argv)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=_OPTIONS)
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(RecordingAnalyzer(args.record), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
