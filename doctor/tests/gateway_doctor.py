"""Helpers for the gateway path's tests: a developer's machine (HOME, managed settings, Claude Code's stored sign-in,
written in the shapes the 2.1.331 client writes them) and the doctor's gateway checks run against it.

(A plain module, not conftest: the repository's own tests have a conftest too, and tests/gateway uses this as well.)
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from claude_vertex_doctor import gateway, gateway_tls
from claude_vertex_doctor.clock import utc_now
from claude_vertex_doctor.gateway_network import Resolver, system_resolver
from claude_vertex_doctor.gateway_url import parse

EMAIL = "dev@example.com"
GROUPS = ("payments-engineers",)


def session_token(email: str = EMAIL, groups: Sequence[str] = GROUPS) -> str:
    """A token shaped as the gateway's session (an HS256 JWT: `sub`, `email`, `groups`, audience claude-gateway)."""

    def part(document: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")

    claims = {"sub": f"sub-{email}", "email": email, "groups": list(groups), "aud": "claude-gateway"}
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlLW9mLWEtZG9jdG9yLXRlc3Q"


SESSION_TOKEN = session_token()
REFRESH_TOKEN = "idp-refresh-token-for-doctor-tests-3f9a"
FAST = gateway.Timeouts(resolve=2, connect=2, tls=2, request=2)


def hosts(table: Mapping[str, Sequence[str]]) -> Resolver:
    """A resolver that knows only `table` (as a company's private DNS would), and the loopback address itself."""

    def resolve(host: str, timeout: float) -> Sequence[str]:
        if host in table:
            return list(table[host])
        if host == "127.0.0.1":
            return [host]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    return resolve


@dataclass
class Machine:
    """A developer's machine in a directory: HOME (Claude Code's ~/.claude) and the managed-settings directory."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def managed(self) -> Path:
        return self.root / "etc" / "claude-code" / "managed-settings.json"

    @property
    def credentials(self) -> Path:
        return self.home / ".claude" / ".credentials.json"

    def manage(self, settings: Mapping[str, object] | None = None, **keys: object) -> Path:
        """Write the managed-settings file MDM installs (`forceLoginMethod`, `forceLoginGatewayUrl`, ...)."""
        self.managed.parent.mkdir(parents=True, exist_ok=True)
        self.managed.write_text(json.dumps({**(settings or {}), **keys}), encoding="utf-8")
        return self.managed

    def point_at(self, url: str) -> Path:
        return self.manage(forceLoginMethod="gateway", forceLoginGatewayUrl=url)

    def sign_in(
        self,
        url: str,
        pin: str,
        *,
        expires_in: dt.timedelta = dt.timedelta(hours=8),
        refresh: bool = True,
        token: str = SESSION_TOKEN,
        **extra: object,
    ) -> None:
        """Store a sign-in as `/login` stores it (the keys tests/gateway/test_login.py saw the real client write):
        `enterpriseGateway` and the certificate pin in `gatewayTrust`."""
        stored: dict[str, object] = {
            "url": url,
            "jwt": token,
            "expiresAt": int((utc_now() + expires_in).timestamp() * 1000),
            "tokenEndpoint": f"{url}/oauth/token",
            "vouchedAtLogin": False,
        }
        if refresh:
            stored["idpRefreshToken"] = REFRESH_TOKEN
        stored.update(extra)
        self.credentials.parent.mkdir(parents=True, exist_ok=True)
        self.credentials.write_text(
            json.dumps({"enterpriseGateway": stored, "gatewayTrust": {parse(url).host: pin}}), encoding="utf-8"
        )
        self.credentials.chmod(0o600)

    def environ(self, **extra: str) -> dict[str, str]:
        return {"HOME": str(self.home), **extra}


@dataclass(frozen=True)
class Result:
    doc: dict
    text: str

    @property
    def code(self) -> int:
        return 0 if self.doc["ok"] else 1

    def check(self, check_id: str) -> dict:
        return next(c for c in self.doc["checks"] if c["id"] == check_id)

    def ids(self) -> list[str]:
        return [c["id"] for c in self.doc["checks"]]

    def statuses(self) -> dict[str, str]:
        return {c["id"]: c["status"] for c in self.doc["checks"]}


def diagnose(
    machine: Machine,
    url: str | None,
    *,
    ca_file: Path | None = None,
    resolver: Resolver = system_resolver,
    platform: str = "linux",
    timeouts: gateway.Timeouts = FAST,
    environ: Mapping[str, str] | None = None,
) -> Result:
    """The doctor's gateway checks for `machine`, as `claude-vertex-doctor --gateway [URL]` runs them."""
    env = dict(environ if environ is not None else machine.environ())
    options = gateway.Options(
        requested=parse(url) if url else None,
        managed_settings=machine.managed,
        trust=gateway_tls.trust(ca_file, env),
        platform=platform,
    )
    report = gateway.diagnose(options, env, gateway.Network(resolve=resolver, timeouts=timeouts))
    return Result(report.as_dict(), report.render_text())
