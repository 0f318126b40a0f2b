"""Run a Python Pulumi program under the real CLI, the way the Python Automation API runs an inline program.

    python -m tests.support.engine.inline PROGRAM_DIR -- pulumi preview --stack dev ...

Why not `pulumi-language-python`: the Go module proxy refuses every pseudo-version of that host's module
(`github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3`), so `make engine` cannot build it. The Python
SDK ships the other language host the CLI supports: `pulumi.automation._server.LanguageServer`, which the Automation
API serves for inline programs and hands the CLI as `--client=ADDR` (supported since CLI 3.181). This module does
exactly that, and nothing more: it serves the SDK's own LanguageServer on 127.0.0.1 with the program's
`__main__.py` as the program, appends `--client` and `--exec-kind auto.inline` as the Automation API does, runs the
given CLI command with this process's environment, and exits with its exit code. The program runs unchanged, in
this process, with the config, stack, project and dry-run flag the engine sends in `Run`.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from concurrent import futures
from pathlib import Path

import grpc
from pulumi.automation._server import LanguageServer
from pulumi.runtime.proto import language_pb2_grpc

# The Automation API's own channel options (`pulumi.automation._stack._GRPC_CHANNEL_OPTIONS`): messages up to 400 MiB.
_MAX_MESSAGE = 400 * 1024 * 1024
_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE)]


def serve_program(program_dir: Path) -> tuple[grpc.Server, str]:
    """Serve `program_dir/__main__.py` as an inline program; returns the server and its `--client` address."""
    main = program_dir / "__main__.py"

    def program() -> None:
        runpy.run_path(str(main), run_name="__main__")

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=_OPTIONS)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageServer(program), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m tests.support.engine.inline PROGRAM_DIR -- pulumi COMMAND [ARGS...]", file=sys.stderr)
        return 2
    program_dir = Path(argv[0]).resolve()
    command = argv[2:]
    os.chdir(program_dir)
    sys.path.insert(0, str(program_dir))
    server, address = serve_program(program_dir)
    try:
        return subprocess.run([*command, f"--client={address}", "--exec-kind", "auto.inline"]).returncode
    finally:
        server.stop(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
