"""Read a Pulumi project or stack file the way Pulumi reads it, refusing whatever Pulumi would not take.

A stack file is attacker-controlled input: the offline preview runs on pull requests from forks. So this
reader never hands the bytes to a YAML constructor. It walks libyaml's event stream itself, iteratively,
and stops at the first thing outside the small language a stack file needs:

* at most `MAX_BYTES` bytes, UTF-8, one document, nested at most `MAX_DEPTH` deep;
* no anchors or aliases (an alias bomb expands a few hundred bytes into gigabytes), no explicit tags
  (`!!binary`, `!!set`, `!!python/...`, `!!timestamp`), no duplicate keys (Pulumi's own reader rejects
  them), keys are strings;
* plain scalars resolve like YAML 1.2's JSON schema, so that what the program sees is what Pulumi hands
  it: `true`/`false`, `null` (or nothing), decimal integers without leading zeros and decimal floats are
  values; everything else is the string as written. `team: yes` is the team "yes", `folderId: 0777` the
  string "0777", `2024-01-01` a string, never a date.

Each refusal is a `StackFileError` whose message is one line: the file, the line, the key path, and what
is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
"""The project directory: `Pulumi.yaml`, the stack files, `__main__.py`."""

MAX_BYTES = 1024 * 1024
"""A team's stack file is a few kilobytes; a megabyte is generous and parses in a fraction of a second."""
MAX_DEPTH = 64
"""Stack config nests four or five levels; 64 leaves room and keeps every walk over the value shallow."""

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)")
_BOOLS = {"true": True, "false": False}
_NULLS = ("", "null")

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""Only its event parser is used (never its constructor); libyaml's when PyYAML was built with it."""


class StackFileError(Exception):
    """A project or stack file that cannot be used; the message is one line naming the file and the key."""


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The file's top-level mapping (empty file: `{}`), read under the rules in the module docstring."""
    text = _read_text(Path(path))
    value = _Reader(path, text).document()
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StackFileError(f"{path}: expected a YAML mapping at the top level")
    return value


def _read_text(path: Path) -> str:
    try:
        if path.is_dir():
            raise StackFileError(f"{path}: is a directory; give a stack file (Pulumi.<stack>.yaml)")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such file") from None
    except OSError as error:
        raise StackFileError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise StackFileError(f"{path}: larger than {MAX_BYTES // 1024} KiB; a stack file is a few kilobytes of YAML")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StackFileError(f"{path}: byte {error.start} is not UTF-8; stack files are UTF-8 text (YAML)") from None


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar as YAML 1.2's JSON schema reads it; anything else stays the string."""
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


class _Reader:
    """Builds the value from the event stream with an explicit stack: no recursion, bounded depth."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.parser = _Parser(text)

    def _events(self) -> Iterator[Any]:
        try:
            while self.parser.check_event():
                yield self.parser.get_event()
        except yaml.YAMLError as error:
            raise StackFileError(f"{self.path}: not valid YAML ({_one_line(error)})") from None
        finally:
            self.parser.dispose()

    def _fail(self, event: Any, keys: list[str], what: str) -> StackFileError:
        mark = getattr(event, "start_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        path = ".".join(keys)
        where = f"{path if len(path) <= 80 else path[:77] + '...'}: " if keys else ""
        return StackFileError(f"{self.path}: {line}{where}{what}")

    def document(self) -> Any:
        # Each open collection: [container, its key path, the pending key (mappings only), keys seen so far].
        stack: list[list[Any]] = []
        root: Any = None
        documents = 0
        for event in self._events():
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self._fail(event, [], "more than one YAML document; a stack file is one mapping")
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
                continue
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                value = stack.pop()[0]
                if not stack:
                    root = value
                continue
            top = stack[-1] if stack else None
            here = _path(top)
            if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
                raise self._fail(event, here, "YAML anchors and aliases (&, *) are not allowed; write the value out")
            if event.tag is not None:
                raise self._fail(
                    event,
                    here,
                    f"the YAML tag {event.tag} is not allowed; write plain strings, numbers, true/false, lists "
                    "and mappings",
                )
            if top is not None and isinstance(top[0], dict) and top[2] is None:
                top[2] = self._key(event, top)
                continue
            if isinstance(event, yaml.ScalarEvent):
                value = resolve_plain(event.value) if event.implicit[0] else event.value
                if top is None:
                    root = value
                else:
                    _store(top, value)
                continue
            if len(stack) >= MAX_DEPTH:
                raise self._fail(event, here, f"nested deeper than {MAX_DEPTH} levels")
            container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
            if top is not None:
                _store(top, container)
            stack.append([container, here, None, set()])
        return root

    def _key(self, event: Any, top: list[Any]) -> str:
        keys = top[1]
        if not isinstance(event, yaml.ScalarEvent):
            raise self._fail(event, keys, "a mapping key must be a string, not a list or mapping")
        key = resolve_plain(event.value) if event.implicit[0] else event.value
        if not isinstance(key, str):
            raise self._fail(event, keys, f"key {event.value!r} must be a string; quote it")
        if key in top[3]:
            raise self._fail(event, keys, f"duplicate key {key!r}; each key may appear once in a mapping")
        top[3].add(key)
        return key


def _path(top: list[Any] | None) -> list[str]:
    """The key path of the node about to be read inside `top`, for messages (`access.members[2]`)."""
    if top is None:
        return []
    container, keys, pending = top[0], top[1], top[2]
    if isinstance(container, dict):
        return [*keys, pending] if pending is not None else list(keys)
    index = f"[{len(container)}]"
    return [*keys[:-1], f"{keys[-1]}{index}"] if keys else [index]


def _store(top: list[Any], value: Any) -> None:
    container = top[0]
    if isinstance(container, dict):
        container[top[2]] = value
        top[2] = None
    else:
        container.append(value)


def _one_line(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return " ".join(str(error).split())[:200]


def read_project(root: Path = ROOT) -> tuple[str, dict[str, Any]]:
    """The project name and the config defaults declared in Pulumi.yaml (namespaced keys)."""
    data = read_yaml_mapping(root / "Pulumi.yaml")
    name = data.get("name")
    if not isinstance(name, str):
        raise StackFileError(f"{root / 'Pulumi.yaml'}: missing project name")
    defaults = {}
    for key, decl in (data.get("config") or {}).items():
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(decl, dict) and "default" in decl:
            defaults[full] = decl["default"]
        elif isinstance(decl, dict) and "value" in decl:
            defaults[full] = decl["value"]
        elif not isinstance(decl, dict):
            defaults[full] = decl
    return name, defaults


def read_stack_config(path: Path, project: str) -> dict[str, Any]:
    """A `Pulumi.<stack>.yaml` file's `config:` block, keys namespaced as the CLI does."""
    data = read_yaml_mapping(path)
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping of key to value")
    return {(key if ":" in key else f"{project}:{key}"): value for key, value in config.items()}
