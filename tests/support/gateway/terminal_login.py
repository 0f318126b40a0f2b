"""The real client's `/login` to the gateway, driven in a pseudo-terminal as a developer would drive it.

Interactive `claude` in a fresh HOME whose settings name the gateway (developer.managed_settings) walks through:
the theme picker (Enter), "Cloud gateway ... Enter to connect" (Enter), "Trust gateway 127.0.0.1?" with the
certificate fingerprint `http-loopback` and "No, cancel login" selected (Up, Enter), then the device code and the
verification URL, which the scripted browser confirms (device_flow.confirm_in_browser), until "Connected to Cloud
gateway". Each wait is bounded; a screen that never shows what is awaited fails with the screen's text.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import time
from collections.abc import Mapping
from pathlib import Path

from tests.support.gateway.device_flow import confirm_in_browser
from tests.support.gateway.oidc_issuer import Person

STEP_TIMEOUT_S = 30
ENTER, UP = b"\r", b"\x1b[A"
_ESCAPES = re.compile(rb"\x1b\[[0-9;?>]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]")


class LoginScreenTimeout(AssertionError):
    """The terminal never showed what the next step waits for."""


class _Terminal:
    def __init__(self, binary: Path, env: Mapping[str, str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the client
            os.chdir(cwd)
            os.execve(str(binary), [str(binary)], dict(env))
        self.output = b""

    def screen(self) -> str:
        return _ESCAPES.sub(b"", self.output).decode("utf-8", "replace")

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait_for(self, pattern: str, what: str) -> re.Match[str]:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    break
            found = re.search(pattern, self.screen())
            if found:
                return found
        tail = " ".join(self.screen().split())[-1500:]
        raise LoginScreenTimeout(f"/login never showed {what} within {STEP_TIMEOUT_S} s; the screen ends: {tail}")

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def login_in_terminal(binary: Path, env: Mapping[str, str], cwd: Path, gateway_url: str, person: Person) -> None:
    """Run `/login` to `gateway_url` in the client, signing in as `person` in the browser; returns once connected."""
    terminal = _Terminal(binary, env, cwd)
    try:
        terminal.wait_for(r"Choose\s*the\s*text\s*style", "the theme picker")
        terminal.send(ENTER)
        terminal.wait_for(re.escape(gateway_url) + r"\s*Enter\s*to\s*connect", "the gateway named by the settings")
        terminal.send(ENTER)
        terminal.wait_for(r"http-loopback[\s\S]*No,\s*cancel\s*login", "the trust prompt with the loopback pin")
        terminal.send(UP)
        terminal.send(ENTER)
        found = terminal.wait_for(
            r"Code:\s*([A-Z]{4}-[A-Z]{4})[\s\S]*?(" + re.escape(gateway_url) + r"/device)\b", "the device code"
        )
        confirm_in_browser(gateway_url, f"{found[2]}?user_code={found[1]}", found[1], person)
        terminal.wait_for(r"Connected\s*to\s*Cloud\s*gateway", "the end of the sign-in")
    finally:
        terminal.close()
