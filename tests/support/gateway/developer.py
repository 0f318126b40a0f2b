"""A developer's machine after `/login` to the gateway: the real `claude` runs as that signed-in developer.

What the pinned client reads, learned from the 2.1.331 source and checked by running the pinned client:
- Which gateway: the settings MDM pushes, `{"forceLoginMethod": "gateway", "forceLoginGatewayUrl": URL}`. The
  client honors these from managed settings (`/etc/claude-code/managed-settings.json`) and, on a machine with none,
  from the user's own `~/.claude/settings.json`. A test cannot write /etc, so the same two keys go to the user
  settings of a throwaway HOME; the machine must have no managed settings file (checked).
- The sign-in: `/login` stores it in `~/.claude/.credentials.json` (Linux; mode 0600) as `enterpriseGateway`
  (`url`, `jwt` = the gateway's session token, `expiresAt` in ms, `tokenEndpoint`, `idpRefreshToken`,
  `vouchedAtLogin`; `email` only when the token answer has one, which the gateway's does not) and pins the
  gateway's certificate under `gatewayTrust[<host>]`; for an `http://` gateway on loopback the pin is the literal
  `http-loopback`. Without the pin the stored sign-in is ignored. (Checked against a real `/login` in a pseudo-
  terminal: tests/gateway/test_login.py.)
- Then `claude -p` fetches `GET /managed/settings` (the gateway's per-group policy: `model`, `availableModels`, ...)
  and sends `POST /v1/messages` to the gateway with `Authorization: Bearer <jwt>`.
The device flow itself is scripted (device_flow.py) and its token stored here exactly as `/login` stores it. (The
other way in, `CLAUDE_CODE_USE_GATEWAY=1` + `ANTHROPIC_BASE_URL` + `ANTHROPIC_AUTH_TOKEN`, is for launchers that
hand over a token; a developer never uses it, so the proof does not either.)
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.gateway.device_flow import GatewaySession
from tests.support.gateway.lab import RunningGateway
from tests.support.gateway.oidc_issuer import Person

CLIENT_TIMEOUT_S = 60
MACHINE_MANAGED_SETTINGS = Path("/etc/claude-code")
HTTP_LOOPBACK_PIN = "http-loopback"


def managed_settings(gateway_url: str) -> dict[str, str]:
    """What MDM pushes to point Claude Code at the gateway."""
    return {"forceLoginMethod": "gateway", "forceLoginGatewayUrl": gateway_url}


def sign_in_home(home: Path, gateway_url: str, session: GatewaySession) -> None:
    """Make `home` the HOME of a developer whose machine names this gateway and who has signed in to it."""
    claude_dir = home / ".claude"
    claude_dir.mkdir(parents=True, exist_ok=True)
    (claude_dir / "settings.json").write_text(json.dumps(managed_settings(gateway_url)))
    stored = {
        "url": gateway_url,
        "jwt": session.access_token,
        "expiresAt": int(time.time() * 1000) + session.expires_in * 1000,
        "tokenEndpoint": f"{gateway_url}/oauth/token",
        **({"idpRefreshToken": session.refresh_token} if session.refresh_token else {}),
        "vouchedAtLogin": False,
    }
    credentials = claude_dir / ".credentials.json"
    credentials.touch(mode=0o600)
    credentials.write_text(
        json.dumps({"enterpriseGateway": stored, "gatewayTrust": {urlsplit(gateway_url).hostname: HTTP_LOOPBACK_PIN}})
    )


def client_environment(home: Path, proxy: str) -> dict[str, str]:
    """Built from nothing: no Anthropic, Google or proxy variable of the machine reaches the client."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "CLAUDE_CODE_MAX_RETRIES": "0",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = proxy
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"
    return env


def run_claude(
    binary: Path, home: Path, workdir: Path, arguments: Sequence[str], proxy: str
) -> subprocess.CompletedProcess[str]:
    """`claude -p hi ARGUMENTS...` as the developer whose HOME this is; killed after CLIENT_TIMEOUT_S."""
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [str(binary), "-p", "hi", *arguments],
        env=client_environment(home, proxy),
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT_S,
        check=False,
    )


@dataclass(frozen=True)
class SignedIn:
    """A developer of one team, signed in to one gateway through the device flow, with a HOME that says so."""

    person: Person
    session: GatewaySession
    home: Path
    gateway: RunningGateway

    def claude(self, binary: Path, proxy: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        return run_claude(binary, self.home, self.home / "work", arguments, proxy)
