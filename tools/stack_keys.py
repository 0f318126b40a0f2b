"""Which keys a stack file may hold, and which config key each one names once Pulumi has parsed it.

The offline gate judges the config it reads; anything in a stack file that changes what the engine deploys
without passing through that config is refused (deny by default), with the way to say the same thing where
the gate sees it:

* top level: `config`, and the secrets bookkeeping `pulumi stack init` writes (`secretsprovider`,
  `encryptedkey`, `encryptionsalt`). `environment` (Pulumi ESC imports) brings config and environment
  variables the gate never sees; any other key Pulumi ignores, so it is refused as a typo or a smuggled block.
* config keys are parsed as Pulumi's `config.ParseKey` does (sdk/go/common/resource/config/key.go) after the
  project name is added to a bare key (workspace/loaders.go): `access`, `claude-vertex:access` and
  `claude-vertex:config:access` all name `claude-vertex:access`. Pulumi keeps one of two such spellings, at
  random (a Go map), so two are refused. Pulumi keeps case and spaces, so `Access` and ` access` are other
  keys that only look like `access`: refused too.
* namespaces: the program's own, and `gcp`, whose keys the engine hands the default provider as its inputs
  (the policy pack judges them there). `pulumi:*` keys change how the engine itself runs (default providers,
  autonaming, stack tags), which the offline gate does not emulate; other providers' keys configure nothing
  this program uses. Both are refused.
* an encrypted value (`{secure: <ciphertext>}`) cannot be decrypted offline: in the program's namespace,
  which holds nothing secret, it is refused; a `gcp:*` one goes to the provider's inputs as a secret.

Standard library only, like the reader.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

CONFIG = "config"
STACK_FILE_KEYS = (CONFIG, "secretsprovider", "encryptedkey", "encryptionsalt")
"""The top-level keys of a stack file the gate reads: its config, and the secrets bookkeeping the CLI writes."""
ESC_KEY = "environment"
PROJECT_FILE_KEYS = ("name", "description", "runtime", CONFIG)
"""Pulumi.yaml: anything else (`main`, `stackConfigDir`, `plugins`, `backend`, ...) makes the engine run
another program or read other stack files than the gate does."""
PROVIDER_NAMESPACES = ("gcp",)
"""Providers the program uses: the engine hands each one its namespace's config as inputs, which the pack judges."""
ENGINE_NAMESPACE = "pulumi"
SECURE = "secure"
"""Pulumi's encrypted value: a mapping with this one key and the ciphertext as its text."""


class KeyRefused(ValueError):
    """A key the gate will not read: `key` as written, its 1-based `line`, and why (the message)."""

    def __init__(self, key: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.key, self.line = key, line


def top_level_refusal(key: str, allowed: tuple[str, ...]) -> str | None:
    """Why a top-level key of a stack file (`allowed`: STACK_FILE_KEYS) or project file is refused, if it is."""
    if key in allowed:
        return None
    if key == ESC_KEY and allowed == STACK_FILE_KEYS:
        return (
            "Pulumi ESC environments (imports, pulumiConfig, environmentVariables) bring config and environment "
            "variables the offline gate never sees; write the values under config: in this file, where it judges them"
        )
    closest = _closest(key, allowed)
    meant = f" (did you mean {closest}?)" if closest else ""
    unseen = "(Pulumi would ignore or act on it unseen by the gate)"
    return f"unknown top-level key{meant}; allowed: {', '.join(allowed)} {unseen}"


def _closest(typed: str, known: Iterable[str]) -> str | None:
    """The known word `typed` most likely misspells (case aside), if one is close enough."""
    by_fold = {word.casefold(): word for word in known}
    match = difflib.get_close_matches(typed.casefold(), list(by_fold), n=1, cutoff=0.65)
    return by_fold[match[0]] if match else None


def is_secure(value: Any) -> bool:
    """Pulumi's test for an encrypted value (config/object.go `isSecureValue`)."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SECURE), str)


def parse_key(written: str, project: str) -> tuple[str, str]:
    """(namespace, name) of a config key as written: a bare key is the project's; `ns:config:name` is legacy.

    Raises `ValueError` with the reason for what Pulumi cannot parse, and for what only looks like a key.
    """
    parts = written.split(":")
    if len(parts) == 1:
        namespace, name = project, written
    elif len(parts) == 2:
        namespace, name = parts
    elif len(parts) == 3 and parts[1] == CONFIG:
        namespace, name = parts[0], parts[2]
    else:
        raise ValueError("Pulumi cannot parse this as a config key: write <name>, or <namespace>:<name>")
    if not namespace or not name:
        raise ValueError(
            "Pulumi reads this as a config key with no namespace or no name, which nothing reads: write <name>, or "
            "<namespace>:<name>"
        )
    if any(c.isspace() for c in written):
        raise ValueError("a config key has no spaces (Pulumi keeps them: it would be another key than it looks)")
    return namespace, name


def namespace_refusal(namespace: str, project: str, name: str = "*") -> str | None:
    """Why config in this namespace is refused, if it is (`name`: the key's name, for the suggestion)."""
    if namespace == project or namespace in PROVIDER_NAMESPACES:
        return None
    used = f"{project} (this program) and {', '.join(PROVIDER_NAMESPACES)} (its provider, judged by the policy pack)"
    if namespace == ENGINE_NAMESPACE:
        return (
            "pulumi:* settings change how the engine runs (default providers, autonaming, stack tags), which the "
            f"offline gate does not emulate; only {used} config is read"
        )
    closest = _closest(namespace, (project, *PROVIDER_NAMESPACES))
    meant = f" (did you mean {closest}:{name}?)" if closest else ""
    return f"no provider of this program reads {namespace}:* config{meant}; only {used} config is read"


def namespaced(keys: Iterable[tuple[str, int | None]], project: str) -> dict[str, str]:
    """Each key as written -> the config key Pulumi makes of it (`<namespace>:<name>`), in order.

    Raises `KeyRefused` for a key Pulumi cannot parse, a refused namespace, and a second spelling of a key
    (the same key, or one that differs only in case).
    """
    full: dict[str, str] = {}
    seen: dict[str, tuple[str, int | None]] = {}
    for written, line in keys:
        try:
            namespace, name = parse_key(written, project)
        except ValueError as error:
            raise KeyRefused(written, line, str(error)) from None
        refusal = namespace_refusal(namespace, project, name)
        if refusal is not None:
            raise KeyRefused(written, line, refusal)
        key = f"{namespace}:{name}"
        first = seen.get(key.casefold())
        if first is not None:
            other, other_line = first
            at = f" (line {other_line})" if other_line is not None else ""
            if full[other] == key:
                why = f"names the same config key ({key}) as {other}{at}; Pulumi keeps only one of them, at random"
            else:
                why = f"differs only in case from {other}{at}; Pulumi reads two keys where a reviewer sees one"
            raise KeyRefused(written, line, f"{why}: keep one spelling")
        seen[key.casefold()] = (written, line)
        full[written] = key
    return full
