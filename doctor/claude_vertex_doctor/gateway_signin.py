"""Is the developer signed in to the gateway? Read where Claude Code keeps the sign-in; never printed, never renewed.

From the 2.1.331 client (its `storageKey:"enterpriseGateway"`, its pin store `gatewayTrust`, and the real `/login`
run by `make test-gateway-login`): `/login` to a gateway stores the session in the client's credential storage under
`enterpriseGateway` (`url`, `jwt` = the gateway's session token, `expiresAt` in milliseconds since the epoch,
`idpRefreshToken`, `tokenEndpoint`, `vouchedAtLogin`; `email` only when a token endpoint names one) and pins the
gateway's certificate under `gatewayTrust[<host>]` (the SHA-256 of the leaf, or "http-loopback"); a sign-in without
its pin is not used. Whom the session is for, and its groups, are the claims of the session token itself. That
storage is the file `.credentials.json` in `CLAUDE_SECURESTORAGE_CONFIG_DIR`, else `CLAUDE_CONFIG_DIR`, else
`~/.claude`, mode 0600, refused when it is a symlink; on macOS it is the login Keychain instead. The client renews
an expired session with the refresh token when it next starts, and refuses a gateway whose certificate no longer
matches the pin ("TLS certificate changed since you connected: run /login"). The doctor only reads: renewing would
rotate the tokens Claude Code holds.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from claude_vertex_doctor.clock import UTC
from claude_vertex_doctor.gateway_url import GatewayUrl, UrlError, parse
from claude_vertex_doctor.report import Report

CHECK_ID = "gateway.sign-in"
STORE_FILE = ".credentials.json"
STORE_KEY = "enterpriseGateway"
PINS_KEY = "gatewayTrust"
SECRET_KEYS = ("jwt", "idpRefreshToken")
MAX_BYTES = 1 << 20
MAX_CLAIMS = 16384
MAX_GROUPS = 20
LOGIN_FIX = "start `claude` and type /login (your browser opens the company sign-in)"


def store_path(environ: Mapping[str, str]) -> Path:
    """Where Claude Code keeps its credentials file, for this environment."""
    for variable in ("CLAUDE_SECURESTORAGE_CONFIG_DIR", "CLAUDE_CONFIG_DIR"):
        if environ.get(variable):
            return Path(environ[variable]) / STORE_FILE
    home = environ.get("HOME") or environ.get("USERPROFILE")
    return (Path(home) if home else Path.home()) / ".claude" / STORE_FILE


@dataclass(frozen=True)
class Session:
    token: str
    who: str  # the e-mail address (or subject) the session is for
    groups: tuple[str, ...] | None  # the IdP groups the gateway put in the session; None: it says nothing


def _claims(token: str) -> dict[str, object]:
    """The claims of the gateway's session token (a JWT: header.payload.signature), read, never verified: they only
    say whom and which groups the session is for. Anything unreadable is no claims."""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > MAX_CLAIMS:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, RecursionError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _session(entry: Mapping[str, object]) -> Session:
    token = str(entry["jwt"])
    claims = _claims(token)
    who = next(
        (v for v in (entry.get("email"), claims.get("email"), claims.get("sub")) if isinstance(v, str) and v), ""
    )
    groups = claims.get("groups")
    listed = (
        tuple(_text(g, 80) for g in groups[:MAX_GROUPS] if isinstance(g, str)) if isinstance(groups, list) else None
    )
    return Session(token, _text(who) or "an account the sign-in does not name", listed)


def _text(value: object, limit: int = 120) -> str:
    return "".join(c if c.isprintable() else "?" for c in str(value))[:limit]


def _read(path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    parsed = json.loads(data.decode("utf-8"))
    if not isinstance(parsed, dict):
        raise ValueError("not a JSON object")
    return parsed


def _when(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def check(
    url: GatewayUrl,
    presented_pin: str | None,
    environ: Mapping[str, str],
    report: Report,
    now: dt.datetime,
    platform: str,
) -> Session | None:
    """The stored session, if Claude Code would use it with this gateway now."""
    path = store_path(environ)
    if path.is_symlink():
        report.add(
            CHECK_ID, "fail", f"{path} is a symlink, which Claude Code does not follow", f"remove it, then {LOGIN_FIX}"
        )
        return None
    if not path.is_file():
        if platform == "darwin":
            report.add(
                CHECK_ID,
                "warn",
                f"sign-in not checked: on macOS Claude Code keeps it in the login Keychain, which the doctor does not "
                f"read (no {path} either); `claude auth status` says whether you are signed in",
                f"if it says you are not: {LOGIN_FIX}",
            )
            return None
        report.add(CHECK_ID, "fail", f"you are not signed in to the gateway (there is no {path})", LOGIN_FIX)
        return None
    try:
        stored = _read(path)
    except (OSError, ValueError, RecursionError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        report.add(CHECK_ID, "fail", f"{path} cannot be read as Claude Code's credentials ({reason})", LOGIN_FIX)
        return None
    entry = stored.get(STORE_KEY)
    if isinstance(entry, dict):
        report.keep_secret(*(entry.get(k) for k in SECRET_KEYS if isinstance(entry.get(k), str)))
    if not isinstance(entry, dict) or not isinstance(entry.get("jwt"), str) or not entry["jwt"]:
        report.add(
            CHECK_ID, "fail", f"you are not signed in to the gateway ({path} holds no gateway sign-in)", LOGIN_FIX
        )
        return None
    try:
        signed_in_to = parse(str(entry.get("url", "")))
    except UrlError:
        signed_in_to = None
    if signed_in_to != url:
        report.add(
            CHECK_ID,
            "fail",
            f"you are signed in to {signed_in_to or _text(entry.get('url'))}, not to {url}",
            f"run `claude auth logout`, then {LOGIN_FIX}",
        )
        return None
    pins = stored.get(PINS_KEY)
    pin = pins.get(url.host) if isinstance(pins, dict) else None
    if not isinstance(pin, str):
        report.add(
            CHECK_ID,
            "fail",
            f"{path} holds a sign-in to {url} but no pinned certificate for {url.host}, so Claude Code does not use it",
            LOGIN_FIX,
        )
        return None
    if presented_pin is not None and pin != presented_pin:
        report.add(
            CHECK_ID,
            "fail",
            f"the gateway's certificate changed since you signed in (pinned sha256 {_text(pin, 16)}..., now "
            f"{presented_pin[:16]}...): Claude Code refuses it until you sign in again",
            f"{LOGIN_FIX}; it shows the new certificate: accept it only if your platform team says they replaced it",
        )
        return None
    session = _session(entry)
    groups = "" if session.groups is None else f" (groups: {', '.join(session.groups) or 'none'})"
    who = f"{session.who}{groups}"
    expires_ms = entry.get("expiresAt")
    if not isinstance(expires_ms, (int, float)) or isinstance(expires_ms, bool):
        report.add(CHECK_ID, "ok", f"signed in to {url} as {who} (the sign-in records no expiry)")
        return session
    expires = dt.datetime.fromtimestamp(min(max(expires_ms / 1000, 0), 253402300799), tz=UTC)
    if expires <= now:
        if isinstance(entry.get("idpRefreshToken"), str) and entry["idpRefreshToken"]:
            report.add(
                CHECK_ID,
                "warn",
                f"signed in as {who}, but the session expired at {_when(expires)}; Claude Code renews it when it "
                "next starts (it holds a refresh token), so your models are not checked now",
                "start `claude`; if it asks you to sign in, type /login. Then rerun the doctor",
            )
        else:
            report.add(CHECK_ID, "fail", f"your session as {who} expired at {_when(expires)}", LOGIN_FIX)
        return None
    report.add(
        CHECK_ID, "ok", f"signed in to {url} as {who}, session valid until {_when(expires)} ({_left(expires - now)})"
    )
    return session


def _left(left: dt.timedelta) -> str:
    if left >= dt.timedelta(days=2):
        return f"{left.days} days left"
    if left >= dt.timedelta(hours=2):
        return f"{int(left.total_seconds() // 3600)} hours left"
    return f"{int(left.total_seconds() // 60)} minutes left"
