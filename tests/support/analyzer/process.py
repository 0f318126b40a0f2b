"""The policy pack's process: started as the engine starts a plugin, read for its port, killed when done.

Standard library only, on purpose: a caller launches the pack before it imports pulumi or grpc itself,
so the pack's interpreter boots (importing pulumi, grpc and the rules, ~0.15 s) on the other core while
the caller renders the program. The gRPC side (`tests.support.analyzer.server`) adopts the running process.

The engine address the pack is given must be known at launch, before grpc is imported here; so the
port is reserved with a socket bound with SO_REUSEPORT (as gRPC binds its own), and the engine server
binds the same port later. Nothing else can take the port in between.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tests.support.engine_config import encode
from tests.support.plugin_output import PluginOutput

_ENV_KEYS = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")


class PolicyPackError(RuntimeError):
    """The pack failed to start, crashed, or failed an RPC; the message ends with the pack's stderr."""


def reserve_port() -> socket.socket:
    """A loopback socket bound to a free port that gRPC can still bind (both use SO_REUSEPORT); not listening."""
    reserved = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    reserved.bind(("127.0.0.1", 0))
    return reserved


def _tail(lines: list[str], limit: int = 60) -> str:
    text = "".join(lines[-limit:]).rstrip()
    return text or "(empty)"


class PackProcess:
    """`python -u -m pulumi.policy <engine-address> .` in the pack directory, with the engine's environment."""

    def __init__(
        self,
        pack_dir: Path,
        *,
        python: str,
        project: str,
        stack: str,
        organization: str,
        dry_run: bool,
        program_config: dict[str, str],
        startup_timeout: float,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.python = python
        self.project, self.stack, self.organization = project, stack, organization
        self.dry_run = dry_run
        self.program_config = program_config
        self.startup_timeout = startup_timeout
        self.engine_port = 0
        self._reserved: socket.socket | None = None
        self._popen: subprocess.Popen[bytes] | None = None
        self._output: PluginOutput | None = None
        self._port: int | None = None
        self._port_failure: PolicyPackError | None = None
        self._port_lock = threading.Lock()

    @property
    def engine_address(self) -> str:
        return f"127.0.0.1:{self.engine_port}"

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def exited(self) -> bool:
        return self._popen is not None and self._popen.poll() is not None

    def launch(self, before_start: Callable[[PackProcess], None] | None = None) -> None:
        """Reserve the engine port, call `before_start` (which may serve the engine there), start the pack.

        Returns at once: `port()` waits for the pack.
        """
        self._check_pack_dir()
        self._reserved = reserve_port()
        self.engine_port = self._reserved.getsockname()[1]
        if before_start is not None:
            before_start(self)
        try:
            self._popen = subprocess.Popen(
                [self.python, "-u", "-m", "pulumi.policy", self.engine_address, "."],
                cwd=self.pack_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:  # E2BIG for an environment Linux will not pass on, as the engine would meet it
            self.release_engine_port()
            raise PolicyPackError(f"the policy pack could not be started ({self.pack_dir}): {error}") from None
        self._output = PluginOutput(self._popen)

    @property
    def stdout_lines(self) -> list[str]:
        """What the pack printed after its port."""
        return self._output.stdout_lines if self._output is not None else []

    @property
    def stderr_lines(self) -> list[str]:
        return self._output.stderr_lines if self._output is not None else []

    def release_engine_port(self) -> None:
        """Once the engine server has bound the port, the reservation can go."""
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None

    def port(self) -> int:
        """The pack's gRPC port, from the first line it prints; waits for it (bounded by the startup timeout).

        Safe from several threads at once: one of them reads the line, the others get its answer or its failure.
        """
        with self._port_lock:
            if self._port is None and self._port_failure is None:
                try:
                    self._port = self._read_port()
                except PolicyPackError as failure:
                    self._port_failure = failure
            if self._port_failure is not None:
                raise self._port_failure
            return self._port

    def _read_port(self) -> int:
        popen = self._popen
        assert popen is not None, "launch() first"
        assert self._output is not None
        line = self._output.first_line(self.startup_timeout)
        if line is None:
            raise self.failure(f"policy pack did not print its port within {self.startup_timeout:g}s")
        if not line:
            popen.wait(timeout=5)
            raise self.failure(f"policy pack exited with code {popen.returncode} before printing its port")
        try:
            return int(line.strip())
        except ValueError:
            raise self.failure(f"policy pack printed {line.strip()!r} instead of its gRPC port") from None

    def kill(self) -> None:
        """Kill the pack and reap it; idempotent.

        The verdicts are in by the time this runs and a pack holds no state worth a graceful stop, so it
        is killed rather than interrupted and waited for; reaping a killed process takes a millisecond.
        """
        self.release_engine_port()
        popen, self._popen = self._popen, None
        if popen is None:
            return
        if popen.poll() is None:
            popen.kill()
            popen.wait(timeout=5)
        if self._output is not None:
            self._output.close()

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    def failure(self, what: str) -> PolicyPackError:
        """An error naming what went wrong, with the tail of the pack's stderr."""
        if self.exited and self._output is not None:
            self._output.drained(timeout=2)
        return PolicyPackError(f"{what} ({self.pack_dir}). Policy pack stderr:\n{_tail(self.stderr_lines)}")

    def _check_pack_dir(self) -> None:
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack: PulumiPolicy.yaml not found")
        if not (self.pack_dir / "__main__.py").is_file():
            raise PolicyPackError(f"{self.pack_dir} has no __main__.py for the python policy runtime")

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _ENV_KEYS}
        if self.program_config:  # as the Python language host sets it, from the `ConfigureStack` it proxies
            env["PULUMI_CONFIG"] = encode(self.program_config)
        env.update(
            PULUMI_ORGANIZATION=self.organization,
            PULUMI_PROJECT=self.project,
            PULUMI_STACK=self.stack,
            PULUMI_DRY_RUN="true" if self.dry_run else "false",
        )
        return env


def launch_pack_process(
    pack_dir: Path,
    *,
    project: str,
    stack: str,
    organization: str = "organization",
    dry_run: bool = True,
    program_config: dict[str, str] | None = None,
    python: str | None = None,
    startup_timeout: float = 30.0,
    before_start: Callable[[PackProcess], None] | None = None,
) -> PackProcess:
    """Start a pack process with the engine's environment; `PolicyPackServer(..., process=...)` adopts it."""
    pack = PackProcess(
        pack_dir,
        python=python or sys.executable,
        project=project,
        stack=stack,
        organization=organization,
        dry_run=dry_run,
        program_config=dict(program_config or {}),
        startup_timeout=startup_timeout,
    )
    pack.launch(before_start=before_start)
    return pack
