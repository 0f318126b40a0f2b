"""The engine's provider resources as the pack recognises them: their names, and what each gcp setting may hold.

A team stack never registers a provider itself: the engine registers a *default provider* per package the
program uses (pulumi/pulumi pkg/resource/deploy/default_providers.go), with no parent and a name derived from
the version it runs (`ProviderRequest.DefaultName`: `default`, or `default_<major>_<minor>_<patch>`, then each
pre-release and build part, then the plugin download URL). Its inputs are the stack's config for its package,
as the CLI passes config: every value a string, structured ones JSON-encoded (and the bridged gcp provider's
`CheckConfig` folds them back into the same strings); `version` is the version the SDK asked for. The engine's
dynamic providers (`pulumi-python`, `pulumi-nodejs`), which no stack may use (`no-dynamic-resources`), get the
whole stack config, keys namespaced (pulumi/pulumi#17673).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from claude_vertex_gcp.iam import CLOUD_PLATFORM_SCOPE
from claude_vertex_gcp.names import PROJECT_ID, REGION

from .values import flag, is_unknown

PROVIDER_TYPE_PREFIX = "pulumi:providers:"
DYNAMIC_PACKAGES = frozenset({"pulumi-python", "pulumi-nodejs"})
"""The language SDKs' dynamic provider packages: whatever their resources do, their code never reaches a pack."""

_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_RELEASE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def is_provider_type(resource_type: str) -> bool:
    return resource_type.startswith(PROVIDER_TYPE_PREFIX)


def default_name(version: Any, plugin_download_url: str = "") -> str | None:
    """The engine's name for a default provider of this version and plugin URL, or None if `version` is no version."""
    if version is None:
        name = "default"
    else:
        match = _SEMVER.fullmatch(version) if isinstance(version, str) else None
        if match is None:
            return None
        major, minor, patch, pre, build = match.groups()
        parts = [major, minor, patch, *(pre.split(".") if pre else ()), *(build.split(".") if build else ())]
        name = "_".join(["default", *parts])
    return f"{name}_{qname(plugin_download_url)}" if plugin_download_url else name


_QNAME_BYTE = re.compile(rb"[A-Za-z0-9_.-]")


def qname(text: str) -> str:
    """`tokens.IntoQName`, as the engine writes a plugin URL into a default provider's name: each `/`-separated part
    with every byte outside `[A-Za-z0-9_.-]` turned into `_`, empty parts dropped. Lossy: `git://h/a` and `git:/h/a`
    read alike, and `_` stands for any byte, so a URL is only ever compared against one the platform listed."""
    parts = [
        "".join(chr(byte) if _QNAME_BYTE.fullmatch(bytes([byte])) else "_" for byte in part.encode())
        for part in text.split("/")
        if part
    ]
    return "/".join(parts) or "_"


# --- what an allowed gcp setting may hold ---------------------------------------------------------------------------

SettingCheck = Callable[[Any], bool]

SCOPES = (
    CLOUD_PLATFORM_SCOPE,
    f"{CLOUD_PLATFORM_SCOPE}.read-only",
    "https://www.googleapis.com/auth/userinfo.email",
)
"""The provider's own default scopes and their read-only narrowing. Any other Google scope (Drive, Gmail, Workspace
admin ...) lets the deployer's token reach beyond Google Cloud."""

_PROJECT = re.compile(rf"(?:[a-z0-9][a-z0-9.-]{{0,61}}[a-z0-9]:)?{PROJECT_ID}")  # a domain-scoped project too
_REGION = re.compile(REGION)
_ZONE = re.compile(rf"{REGION}-[a-z]")
_DURATION = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+")
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
_PARTNER = re.compile(r"[A-Za-z0-9._-]{1,64}")
_REASON = re.compile(r"[\x20-\x7e]{1,256}")


def _structured(value: Any) -> Any:
    """A structured setting as the engine passes it (a JSON string), or already decoded; None if unreadable."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


def _matches(pattern: re.Pattern[str]) -> SettingCheck:
    return lambda value: isinstance(value, str) and pattern.fullmatch(value) is not None


def _one_of(*allowed: str) -> SettingCheck:
    return lambda value: value in allowed


def _boolean(value: Any) -> bool:
    return flag(value) is not None


def _scopes(value: Any) -> bool:
    scopes = _structured(value)
    return isinstance(scopes, list) and all(isinstance(s, str) and s in SCOPES for s in scopes)


def _labels(value: Any) -> bool:
    labels = _structured(value)
    return isinstance(labels, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) and _LABEL_KEY.fullmatch(k) and _LABEL_VALUE.fullmatch(v)
        for k, v in labels.items()
    )


def _batching(value: Any) -> bool:
    batching = _structured(value)
    return (
        isinstance(batching, Mapping)
        and set(batching) <= {"enableBatching", "sendAfter"}
        and ("enableBatching" not in batching or _boolean(batching["enableBatching"]))
        and ("sendAfter" not in batching or _matches(_DURATION)(batching["sendAfter"]))
    )


SETTING_VALUES: dict[str, tuple[SettingCheck, str]] = {
    "version": (
        _matches(_RELEASE),
        "a released version MAJOR.MINOR.PATCH (a pre-release or build is provider code nobody released)",
    ),
    "project": (_matches(_PROJECT), "a project ID (6 to 30 lowercase letters, digits and hyphens)"),
    "billingProject": (_matches(_PROJECT), "a project ID (6 to 30 lowercase letters, digits and hyphens)"),
    "region": (_matches(_REGION), "a region such as us-east5"),
    "zone": (_matches(_ZONE), "a zone such as us-east5-a"),
    "scopes": (
        _scopes,
        f"a list of {', '.join(SCOPES)}: any other scope lets the deployer's token reach beyond Google Cloud",
    ),
    "defaultLabels": (
        _labels,
        "a map of labels (keys and values of lowercase letters, digits, _ and -, at most 63 characters)",
    ),
    "batching": (_batching, "{enableBatching: true or false, sendAfter: a duration such as 10s}"),
    "requestTimeout": (_matches(_DURATION), "a duration such as 60s or 2m"),
    "pollInterval": (_matches(_DURATION), "a duration such as 10s"),
    "requestReason": (_matches(_REASON), "printable text of at most 256 characters (it is sent as a header)"),
    "userProjectOverride": (_boolean, "true or false"),
    "addPulumiAttributionLabel": (_boolean, "true or false"),
    "disableGooglePartnerName": (_boolean, "true or false"),
    "preferGlobalEndpoints": (_boolean, "true or false"),
    "preferRegionalEndpoints": (_boolean, "true or false"),
    "pulumiAttributionLabelAdditionStrategy": (_one_of("CREATION_ONLY", "PROACTIVE"), "CREATION_ONLY or PROACTIVE"),
    "googlePartnerName": (_matches(_PARTNER), "a partner name of letters, digits, '.', '_' and '-'"),
    "deletionPolicy": (
        _one_of("PREVENT", "DELETE"),
        "PREVENT or DELETE (ABANDON would leave the team's grants and accounts in place once the stack stops "
        "managing them)",
    ),
}
"""Each request-shaping setting the pack allows, with what it may hold: what the provider accepts, narrowed where
a value could redirect the deployer's token or widen what it reaches. A setting the platform adds to the
allow-list without an entry here may hold anything."""


def setting_problem(setting: str, value: Any) -> str | None:
    """Why this value of an allowed setting is refused, or None when it is fine (or the pack has no rule for it)."""
    if is_unknown(value):
        return "cannot be read (an encrypted value the offline preview cannot decrypt, or one computed at apply)"
    entry = SETTING_VALUES.get(setting)
    if entry is None:
        return None
    check, allowed = entry
    return None if check(value) else f"is {_shown(value)}; allowed: {allowed}"


def _shown(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
