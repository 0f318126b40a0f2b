"""The real gateway, `claude gateway --config FILE`, as a process of the test's: booted, awaited, stopped.

It runs with an environment built from nothing (no variable of the machine running the tests reaches it): the
secrets its config references, `CLAUDE_GATEWAY_ALLOW_LOOPBACK=1` (its issuer and upstreams are on loopback), the
metadata server its Vertex upstreams' ADC reads, and a loopback proxy that refuses (and records) anything bound for
another host. It is ready when `GET /readyz` answers 200 (PostgreSQL answers; the OIDC discovery document was
fetched at boot, or it would have exited). It runs in a process group of its own and is stopped with SIGTERM
(it drains in milliseconds), then SIGKILL. A gateway that does not come up fails with its log's tail.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import requests

READY_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
BOOT_FAILURE_TIMEOUT_S = 30
LOG_TAIL_LINES = 25


class GatewayDidNotStart(AssertionError):
    """The gateway exited or never answered /readyz; the message carries its log's tail."""


def gateway_environment(home: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CLAUDE_GATEWAY_ALLOW_LOOPBACK": "1",
        "CLAUDE_GATEWAY_DRAIN_TIMEOUT_MS": "2000",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    env.update(extra)
    return env


class Gateway:
    """`with Gateway(binary, config_path, env, workdir) as gateway:` then `gateway.url`."""

    def __init__(self, binary: Path, config_path: Path, env: Mapping[str, str], url: str, workdir: Path) -> None:
        self.binary = binary
        self.config_path = config_path
        self.env = dict(env)
        self.url = url
        self.workdir = workdir
        self.log_path = workdir / "gateway.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gateway:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [str(self.binary), "gateway", "--config", str(self.config_path)],
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT_S)
        _signal_group(process, signal.SIGKILL)  # anything it left behind in its group

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise GatewayDidNotStart(
                    f"the gateway exited {self._process.returncode} before /readyz answered; "
                    f"its log ends:\n{self.log_tail()}"
                )
            try:
                answer = requests.get(f"{self.url}/readyz", timeout=2)
                if answer.status_code == 200:
                    return
                last = f"HTTP {answer.status_code} {answer.text[:100]!r}"
            except requests.RequestException as err:
                last = type(err).__name__
            time.sleep(0.05)
        raise GatewayDidNotStart(
            f"the gateway did not answer /readyz with 200 within {READY_TIMEOUT_S} s (last: {last}); "
            f"its log ends:\n{self.log_tail()}"
        )


def boot_failure(
    binary: Path, config_path: Path, env: Mapping[str, str], workdir: Path
) -> subprocess.CompletedProcess[str]:
    """Run a gateway whose config must be refused: its exit and output, killed after BOOT_FAILURE_TIMEOUT_S."""
    return subprocess.run(
        [str(binary), "gateway", "--config", str(config_path)],
        env=dict(env),
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=BOOT_FAILURE_TIMEOUT_S,
        check=False,
    )


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
