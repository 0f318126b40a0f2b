"""`python -m tests.support.gcp_provider [flags] <engine address>`: serve the stand-in as the engine expects.

The port goes on the first line of stdout and nothing else ever does; the server listens on 127.0.0.1 only and
stops cleanly on SIGINT (what the engine sends a plugin's process group when it closes it) or SIGTERM. The engine's
address and logging flags are accepted and unused: the stand-in logs its calls to its cloud instead.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from concurrent import futures

import grpc
from pulumi.runtime.proto import provider_pb2_grpc

from tests.support.analyzer.engine import GRPC_OPTIONS
from tests.support.gcp_provider import schema
from tests.support.gcp_provider.cloud import Cloud, CloudNotConfigured
from tests.support.gcp_provider.server import StandInProvider

WORKERS = 32
"""Threads serving RPCs: more than the engine's default parallelism (16 resource operations at once)."""
GRACE_SECONDS = 2.0


def main(argv: Sequence[str] | None = None) -> int:
    del argv  # the engine's address (last) and its logging flags: nothing the stand-in needs
    try:
        cloud: Cloud | None = Cloud.from_environment()
    except CloudNotConfigured:
        cloud = None  # `Configure` says so, where the CLI shows it
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    # The provider's settings (what `CheckConfig` checks) read before the first RPC; each resource type's module is read
    # on first need, one at a time (`schema._SDK`: pulumi_gcp's lazily loaded modules are not safe to import from
    # several threads at once).
    schema.provider_properties()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS), options=GRPC_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(StandInProvider(cloud), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    stop.wait()
    server.stop(GRACE_SECONDS).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
