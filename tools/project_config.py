"""Pulumi.yaml's `config:` block, as the CLI applies it to a stack before the program runs.

Checked against pulumi 3.276 (sdk `workspace/project.go`: `RewriteShorthandConfigValues`, `Project.Validate`,
`ValidateConfigValue`, the project file's JSON schema; pkg `workspace/config.go`: `mergeConfig`) and its CLI
(tests/e2e/test_config_reader.py):

* a key in the project's namespace declares a setting: a plain value (text, an integer, true/false, a list) is its
  default; a mapping declares it, with `default`, `description`, `type` (string, integer, boolean, object, or array
  with `items`) and `secret`;
* a key in another namespace (`gcp:project`) gives every stack a value: a plain value, or `{value: ...}`;
* a stack that does not set a key gets its default or value; a key of the project's own with neither must be set by
  every stack, and a typed key's value must be of its type, checked as the CLI checks it (on the text the program
  receives for a plain value: `12` and `true` pass as `string`, the text `"12"` as `integer`);
* the CLI refuses the whole project file for a float or null as a value, a mapping with other keys, both `default`
  and `value`, a `default` or `type` on another namespace's key or one without `value`, an array without `items`,
  and a default not of its declared type.

Not emulated, so refused: a key that is a property path (`access.members`, `access[0]`), for which the CLI sets
that one part inside each stack's value.

Standard library only, like the reader.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.engine_config import encode
from tools.stack_keys import is_secure
from tools.stack_scalars import shown

DECLARATION_KEYS = ("type", "items", "description", "secret", "default", "value")
"""What a declaration may hold (the project file schema's `configTypeDeclaration`)."""
TYPES = ("string", "integer", "boolean", "array", "object")
_PATH_CHARACTERS = re.compile(r"[.\[\]\"]")
_GO_INT = re.compile(r"[+-]?[0-9]+")
_INT64 = range(-(2**63), 2**63)


class ProjectConfigRefused(ValueError):
    """The project file, or a stack under it, that the CLI would stop at; the message is one line, no location."""


@dataclass(frozen=True)
class Declaration:
    """One key of Pulumi.yaml's `config:` block."""

    written: str
    """The key as written: the CLI names it so in its messages."""
    key: str
    """The namespaced config key (`claude-vertex:team`)."""
    own: bool
    """In the project's namespace: a setting the project declares (else a value for another namespace)."""
    preset: Any = None
    """The default or value a stack that leaves the key out gets; None for neither (a required setting)."""
    type: str | None = None
    items: Mapping[str, Any] | None = None
    secret: bool = False

    @property
    def type_name(self) -> str:
        """As the CLI names it in messages: `string`, `array<integer>`."""
        return _type_name(self.type or "", self.items)


def declare(written: str, key: str, raw: Any, project: str) -> Declaration:
    """The declaration of one key; raises `ProjectConfigRefused` for what the CLI refuses."""
    own = key.partition(":")[0] == project
    if _PATH_CHARACTERS.search(key.partition(":")[2]):
        raise ProjectConfigRefused(
            "a property path (a.b, a[0]) sets that one part inside each stack's value, which the offline gate does not "
            "emulate; declare the whole setting"
        )
    if _is_plain(raw):
        return Declaration(written, key, own, preset=raw)
    if not isinstance(raw, Mapping):
        what = "null" if raw is None else f"{shown(repr(raw))} (a {type(raw).__name__})"
        raise ProjectConfigRefused(
            f"{what} is not a project config value; Pulumi takes text, an integer, true/false, a list, or a "
            "declaration {type, items, description, secret, default, value}"
        )
    unknown = sorted(set(raw) - set(DECLARATION_KEYS))
    if unknown:
        raise ProjectConfigRefused(
            f"{', '.join(map(repr, unknown))} in a declaration: Pulumi takes {', '.join(DECLARATION_KEYS)} (a value "
            "that is a mapping goes under default: or value:)"
        )
    default, value = raw.get("default"), raw.get("value")
    if default is not None and value is not None:
        raise ProjectConfigRefused("both default and value: Pulumi takes one of them")
    type_, items = raw.get("type"), raw.get("items")
    _check_type(type_, items)
    if not isinstance(raw.get("description", ""), str) or not isinstance(raw.get("secret", False), bool):
        raise ProjectConfigRefused("description is text and secret is true or false")
    declaration = Declaration(
        written,
        key,
        own,
        preset=value if default is None else default,
        type=type_,
        items=items,
        secret=raw.get("secret", False),
    )
    if not own:
        if type_ is not None or default is not None:
            raise ProjectConfigRefused(
                f"a key outside the {project} namespace takes no type or default; Pulumi takes only its value: "
                "value: ..."
            )
        if value is None:
            raise ProjectConfigRefused(f"a key outside the {project} namespace needs its value: value: ...")
    elif type_ is not None and default is not None and not conforms(type_, items, default):
        raise ProjectConfigRefused(f"the default is not of the declared type {declaration.type_name}")
    return declaration


def apply(declarations: Iterable[Declaration], stack_config: Mapping[str, Any]) -> dict[str, Any]:
    """The stack's config with what the project file gives it, as the CLI hands it to the program.

    Raises `ProjectConfigRefused` (naming the key as the project file writes it) for a required setting the stack
    does not set, and for a value not of its declared type.
    """
    declared = sorted(declarations, key=lambda d: d.written)
    merged = dict(stack_config)
    missing = [d.written for d in declared if d.key not in merged and d.preset is None and d.own]
    if missing:
        raise ProjectConfigRefused(
            f"no value for {', '.join(missing)}, which Pulumi.yaml declares with no default: set "
            f"{'it' if len(missing) == 1 else 'them'} in the stack file"
        )
    for declaration in declared:
        if declaration.key not in merged and declaration.preset is not None:
            merged[declaration.key] = declaration.preset
    for declaration in declared:
        if declaration.type is None or declaration.key not in merged:
            continue
        value = merged[declaration.key]
        if declaration.secret and not is_secure(value):
            raise ProjectConfigRefused(f"{declaration.written}: Pulumi.yaml declares it secret: it must be encrypted")
        if is_secure(value):
            continue  # the CLI checks the plaintext, which the offline gate cannot read (and refuses where it matters)
        if not conforms(declaration.type, declaration.items, _as_checked(value)):
            raise ProjectConfigRefused(
                f"{declaration.written}: not of the type Pulumi.yaml declares for it ({declaration.type_name})"
            )
    return merged


def conforms(type_: str, items: Mapping[str, Any] | None, value: Any) -> bool:
    """Whether a value has a declared type, as the CLI decides it (`ValidateConfigValue`)."""
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return math.isfinite(value) and value == math.trunc(value)
        return isinstance(value, str) and _GO_INT.fullmatch(value) is not None and int(value) in _INT64
    if type_ == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_ == "object":
        return isinstance(value, Mapping)
    if not isinstance(value, list) or items is None:
        return False
    return all(conforms(items["type"], items.get("items"), item) for item in value)


def _as_checked(value: Any) -> Any:
    """What the CLI checks a stack value's type on: the text the program receives, or the object itself."""
    return value if isinstance(value, Mapping | list) else encode(value)


def _is_plain(raw: Any) -> bool:
    """A shorthand value: text, an integer, true/false or a list (a float or null is none of them)."""
    return isinstance(raw, str | int | list)


def _check_type(type_: Any, items: Any) -> None:
    if type_ is None:
        return
    if type_ not in TYPES:
        raise ProjectConfigRefused(f"type {type_!r}: Pulumi takes {', '.join(TYPES)}")
    if type_ == "array":
        if not isinstance(items, Mapping) or set(items) - {"type", "items"}:
            raise ProjectConfigRefused("an array declares the type of its items: items: {type: ...}")
        _check_type(items.get("type"), items.get("items"))
        if items.get("type") is None:
            raise ProjectConfigRefused("an array declares the type of its items: items: {type: ...}")


def _type_name(type_: str, items: Mapping[str, Any] | None) -> str:
    if items is not None:
        return f"array<{_type_name(items.get('type', ''), items.get('items'))}>"
    return type_
