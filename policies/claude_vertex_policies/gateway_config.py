"""A `gateway.yaml` read the way the pack must read it: bounded, strict, and only to find where credentials are.

The Claude apps gateway reads its config (`claude gateway --config gateway.yaml`) and expands, in every string,
`${file:/abs/path}` (the whole value) and `${NAME}` (from its environment): that is how a credential stays out of
the file, and out of the Pulumi state that holds the file as a SecretVersion's `secretData`. This module answers one
question: which credential fields of a config hold a value instead of such a reference.

The text is attacker-controlled (any stack may carry a SecretVersion), so it is read the way `tools/stack_file.py`
reads a stack file, never by a YAML constructor: libyaml's event stream, iteratively, at most `MAX_BYTES` (Secret
Manager's own limit on a version), one document, `MAX_DEPTH` deep, and no anchors or aliases (an alias bomb), tags,
merge keys or duplicate keys (two readers that keep a different duplicate would see different credentials). Scalars
stay text; a plain `true`/`false`/`null` (YAML 1.2's core schema, which the gateway's reader uses) is told apart,
since no credential is spelled that way. Anything else is a `GatewayConfigError`, one line, never the value.

Credential fields (read off the 2.1.331 gateway's config schema): `listen.tls.key`, `oidc.client_secret`,
`oidc.client_assertion.private_key_pem`, `session.jwt_secret` (one or a list), `store.password`, the password of
`store.postgres_url` (in its user info or a `password` / `sslpassword` parameter), `admin.read_keys[].key`,
`admin.write_keys[].key`, everything under an upstream's or a telemetry destination's `auth` and `headers`, and, for
fields a later gateway adds, any key named like a credential (`*_secret`, `*password`, `*_token`, `*_key`,
`private_key*`, `service_account_json`) anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

MAX_BYTES = 64 * 1024
"""Secret Manager refuses a version payload over 64 KiB; a larger config could never be stored, so it is refused."""
MAX_DEPTH = 32
"""gateway.yaml nests six or seven levels (managed policies' settings); 32 leaves room and bounds every walk."""
REQUIRED_SECTIONS = ("listen", "session", "store", "upstreams")
"""What the gateway refuses to boot without (`{}` gives "listen/upstreams/session/store Required")."""

ENV_REFERENCE = re.compile(r"^\$\{[A-Za-z0-9_]+\}$")
"""`${NAME}`: the gateway substitutes its environment variable (`\\w+` in its own pattern)."""
FILE_REFERENCE = re.compile(r"^\$\{file:/.+\}$")
"""`${file:/abs/path}`: the gateway reads the file (an absolute path: it refuses a relative one)."""
CREDENTIAL_KEY = re.compile(
    r"(?i)(?:^|[_-])(?:secret|password|passwd|passphrase|token|key|credentials?)$|private_key|^service_account_json$"
)
"""A key named like a credential, wherever it is (`jwt_secret`, `api_key`, `aws_session_token`, `private_key_pem`)."""
CREDENTIAL_SUBTREES = ("auth", "headers")
"""Under an upstream or a telemetry destination: every value is a credential or may be (`x-api-key: ...`)."""
CREDENTIAL_PATHS = (
    ("listen", "tls", "key"),
    ("oidc", "client_secret"),
    ("oidc", "client_assertion", "private_key_pem"),
    ("session", "jwt_secret"),
    ("store", "password"),
    ("admin", "read_keys", "*", "key"),
    ("admin", "write_keys", "*", "key"),
)
"""The schema's credential fields by path (`*` is any list entry); the key-name pattern finds them too."""
POSTGRES_URL = ("store", "postgres_url")
URL_PASSWORD_PARAMETERS = frozenset({"password", "sslpassword"})

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_NON_STRINGS = re.compile(r"^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL|~|)$")


class GatewayConfigError(Exception):
    """Text that is not a gateway.yaml the pack can read; the message is one line and never quotes a value."""


@dataclass(frozen=True)
class Plain:
    """A plain `true`, `false` or `null` scalar: not text, so never a credential (nor a reference)."""

    text: str


def is_reference(value: Any) -> bool:
    """`${NAME}` or `${file:/abs/path}`, the whole value: what the gateway replaces before it uses it."""
    return isinstance(value, str) and any(p.match(value) for p in (ENV_REFERENCE, FILE_REFERENCE))


def parse(text: str) -> dict[str, Any]:
    """The config as nested dicts, lists, strings and `Plain`s; `GatewayConfigError` for anything else."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise GatewayConfigError(f"it is larger than {MAX_BYTES} bytes, Secret Manager's limit on a version")
    try:
        events = list(_events(text))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise GatewayConfigError(f"it is not YAML{where} ({getattr(error, 'problem', None) or 'unreadable'})") from None
    value = _build(events)
    if not isinstance(value, dict):
        raise GatewayConfigError("it is not a mapping of gateway.yaml sections")
    missing = [s for s in REQUIRED_SECTIONS if s not in value]
    if missing:
        raise GatewayConfigError(f"it has no {', '.join(missing)} section (the gateway needs them to boot)")
    return value


def _events(text: str) -> Iterator[yaml.Event]:
    """libyaml's events, refusing what the builder must never see (aliases, anchors, tags, depth, documents)."""
    depth = documents = 0
    for event in yaml.parse(text, Loader=_Parser):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise GatewayConfigError("it uses YAML anchors or aliases, which the pack refuses")
        if isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None) is not None:
            raise GatewayConfigError("it uses an explicit YAML tag, which the pack refuses")
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise GatewayConfigError("it holds more than one YAML document")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise GatewayConfigError(f"it nests deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        yield event


def _build(events: list[yaml.Event]) -> Any:
    """The document's value from its events, iteratively (no recursion on attacker-chosen depth)."""
    stack: list[tuple[Any, str | None]] = []  # (container, the mapping key waiting for its value)
    root: Any = None
    for event in events:
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            if isinstance(event, yaml.ScalarEvent):
                plain = event.implicit[0] and event.style is None
                value: Any = Plain(event.value) if plain and _PLAIN_NON_STRINGS.match(event.value) else event.value
            else:
                value = {} if isinstance(event, yaml.MappingStartEvent) else []
            if not stack:
                root = value
            else:
                container, key = stack[-1]
                if isinstance(container, list):
                    container.append(value)
                elif key is None:
                    if not isinstance(value, str):
                        raise GatewayConfigError("it has a mapping key that is not text")
                    if value == "<<":
                        raise GatewayConfigError("it uses a YAML merge key (<<), which the pack refuses")
                    if value in container:
                        raise GatewayConfigError(f"it repeats the key {value!r}")
                    stack[-1] = (container, value)
                    continue
                else:
                    container[key] = value
                    stack[-1] = (container, None)
            if isinstance(value, dict | list):
                stack.append((value, None))
        elif isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
    return root


def credential_problems(config: Mapping[str, Any]) -> list[str]:
    """Each credential field that holds a value rather than a reference, by path; never the value itself."""
    problems = [
        f"{_dotted(path)} holds a value, not a ${{VAR}} or ${{file:/abs/path}} reference"
        for path, value in _credentials(config)
        if not (isinstance(value, Plain) or is_reference(value))
    ]
    url = _at(config, POSTGRES_URL)
    if url is not None and not is_reference(url):
        problems += [f"{_dotted(POSTGRES_URL)} {problem}" for problem in _url_problems(url)]
    return problems


def _url_problems(url: Any) -> list[str]:
    if not isinstance(url, str):
        return ["is not text"]
    try:
        parts = urlsplit(url)
    except ValueError:
        return ["is not a URL the pack can read"]
    problems = []
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and ":" in userinfo and not is_reference(userinfo.split(":", 1)[1]):
        problems.append("carries a password, not a ${VAR} reference, in its user info")
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in URL_PASSWORD_PARAMETERS and not is_reference(value):
            problems.append(f"carries a {name} parameter that is not a ${{VAR}} reference")
    return problems


def _credentials(config: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) of every scalar at a credential position (or inside one), in document order, iteratively."""
    pending: list[tuple[tuple[str, ...], Any, bool]] = [((), config, False)]
    while pending:
        path, value, inside = pending.pop()
        credential = inside or _is_credential_path(path)
        if isinstance(value, dict | list):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            pending += reversed([((*path, str(k)), v, credential) for k, v in items])
        elif credential:
            yield path, value


def _is_credential_path(path: tuple[str, ...]) -> bool:
    if not path or path[-1].isdigit():
        return False
    if CREDENTIAL_KEY.search(path[-1]):
        return True
    if path[-1] in CREDENTIAL_SUBTREES and len(path) >= 3 and path[0] in {"upstreams", "telemetry"}:
        return True
    return any(_matches(path, pattern) for pattern in CREDENTIAL_PATHS)


def _matches(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    if len(path) != len(pattern):
        return False
    return all(part == want or (want == "*" and part.isdigit()) for part, want in zip(path, pattern, strict=True))


def _at(config: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = config
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _dotted(path: tuple[str, ...]) -> str:
    return "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in path).lstrip(".")
