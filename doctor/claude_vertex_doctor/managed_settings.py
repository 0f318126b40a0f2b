"""The managed-settings file that points Claude Code at the gateway, read where the client reads it.

Claude Code 2.1.331 reads `managed-settings.json` in `/etc/claude-code` (Linux), `/Library/Application
Support/ClaudeCode` (macOS) or `C:\\Program Files\\ClaudeCode` (Windows), then every `*.json` in the
`managed-settings.d` directory beside it, in name order, hidden files skipped, a later file's value winning. The
gateway keys are `forceLoginMethod` ("gateway"), `forceLoginGatewayUrl` and `gatewayInternalNetworks`. On macOS
and Windows an MDM profile or the registry can deliver the same keys; the doctor reads files only, and says so.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from claude_vertex_doctor.gateway_url import GatewayUrl, UrlError, parse
from claude_vertex_doctor.private_network import IPv4Network, declared_networks
from claude_vertex_doctor.report import Report

CHECK_ID = "gateway.settings"
FILE_NAME = "managed-settings.json"
DROP_IN_DIR = "managed-settings.d"
MANAGED_DIRS = {"darwin": "/Library/Application Support/ClaudeCode", "win32": "C:\\Program Files\\ClaudeCode"}
LINUX_DIR = "/etc/claude-code"
METHOD, URL, NETWORKS = "forceLoginMethod", "forceLoginGatewayUrl", "gatewayInternalNetworks"
GATEWAY_KEYS = (METHOD, URL, NETWORKS)
MAX_BYTES = 1 << 20


def default_path(platform: str = sys.platform) -> Path:
    """The managed-settings file Claude Code reads on this platform."""
    return Path(MANAGED_DIRS.get(platform, LINUX_DIR)) / FILE_NAME


@dataclass(frozen=True)
class Setting:
    value: object
    source: Path


@dataclass
class ManagedSettings:
    """The gateway keys, each with the file that set it; the files read; the one line that stopped the reading."""

    main: Path
    read: list[Path] = field(default_factory=list)
    settings: dict[str, Setting] = field(default_factory=dict)
    error: str = ""

    def get(self, key: str) -> Setting | None:
        return self.settings.get(key)


def _load(path: Path) -> dict[str, object]:
    """One settings file as a JSON object; ValueError with one line naming the file and what is wrong."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"{path} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > MAX_BYTES:
        raise ValueError(f"{path} is larger than {MAX_BYTES} bytes, which no settings file is")
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError(f"{path} nests too deeply to be a settings file") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"{path} is not a JSON object")
    return parsed


def read(main: Path) -> ManagedSettings:
    """`main`, then the drop-in directory beside it, in Claude Code's order."""
    result = ManagedSettings(main)
    drop_ins = main.parent / DROP_IN_DIR
    candidates = [main] if main.is_file() else []
    if drop_ins.is_dir():
        candidates += sorted(p for p in drop_ins.glob("*.json") if not p.name.startswith(".") and p.is_file())
    for path in candidates:
        try:
            data = _load(path)
        except ValueError as exc:
            result.error = str(exc)
            return result
        result.read.append(path)
        for key in GATEWAY_KEYS:
            if key in data:
                result.settings[key] = Setting(data[key], path)
    return result


@dataclass(frozen=True)
class Target:
    """What the later checks look at: the gateway's URL (None: none known) and the networks declared for it."""

    url: GatewayUrl | None
    declared: tuple[IPv4Network, ...] = ()


def _fix(url: GatewayUrl | None) -> str:
    shown = str(url) if url else "https://<your gateway>"
    return (
        f'ask your platform team (MDM installs the file): it must say {{"{METHOD}": "gateway", "{URL}": "{shown}"}}; '
        "do not write one by hand"
    )


def check(settings: ManagedSettings, requested: GatewayUrl | None, report: Report, platform: str) -> Target:
    """Report on the gateway keys (which file, what differs); the URL to check is `requested`, else the file's."""
    if settings.error:
        report.add(CHECK_ID, "fail", f"{settings.error}: Claude Code cannot use its managed settings", _fix(requested))
        return Target(requested)
    if not settings.read:
        elsewhere = platform in MANAGED_DIRS
        report.add(
            CHECK_ID,
            "warn" if elsewhere else "fail",
            f"no managed settings at {settings.main}: nothing sends Claude Code to the gateway"
            + (
                "; an MDM profile or the registry may deliver them instead, which the doctor does not read"
                if elsewhere
                else ""
            ),
            _fix(requested),
        )
        return Target(requested)
    problems: list[str] = []
    declared: tuple[IPv4Network, ...] = ()
    networks = settings.get(NETWORKS)
    if networks is not None:
        try:
            declared = declared_networks(networks.value)
        except ValueError as exc:
            problems.append(f"{networks.source}: {exc}")
    method = settings.get(METHOD)
    if method is None:
        problems.append(f"{settings.main} sets no {METHOD}, so Claude Code does not require the gateway sign-in")
    elif method.value != "gateway":
        problems.append(f'{method.source} sets {METHOD} to {json.dumps(method.value)[:80]}, not "gateway"')
    named: GatewayUrl | None = None
    url = settings.get(URL)
    if url is None:
        problems.append(
            f"{settings.main} names no {URL}: Claude Code takes no per-group settings from a gateway the managed "
            "settings do not name"
        )
    elif not isinstance(url.value, str):
        problems.append(f"{url.source}: {URL} is not a string")
    else:
        try:
            named = parse(url.value)
        except UrlError as exc:
            problems.append(f"{url.source}: {URL} {url.value[:200]!r} {exc}")
    if named is not None and requested is not None and named != requested:
        problems.append(f"{url.source if url else settings.main} names {named}, not {requested} (the URL you gave)")
    if problems:
        report.add(CHECK_ID, "fail", "; ".join(problems), _fix(requested or named))
    else:
        networks_note = f", {NETWORKS} {', '.join(map(str, declared))}" if declared else ""
        source = url.source if url else settings.main
        report.add(CHECK_ID, "ok", f'{source}: {METHOD} "gateway", {URL} {named}{networks_note}')
    return Target(requested or named, declared)
