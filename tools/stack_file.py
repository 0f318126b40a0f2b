"""Read a Pulumi project or stack file the way Pulumi reads it, refusing whatever Pulumi would not take.

A stack file is attacker-controlled input: the offline preview runs on pull requests from forks. So this
reader never hands the bytes to a YAML constructor. It walks libyaml's event stream itself, iteratively,
and stops at the first thing outside the small language a stack file needs:

* at most `MAX_BYTES` bytes, UTF-8, one document, nested at most `MAX_DEPTH` deep, no character a reviewer
  cannot see (`tools.stack_scalars.HIDDEN`), in the text or behind an escape;
* no anchors or aliases (an alias bomb expands a few hundred bytes into gigabytes), no merge keys (`<<`), no
  explicit tags (`!!binary`, `!!set`, `!!python/...`, `!!timestamp`), no duplicate keys (Pulumi's own reader
  rejects them), keys are strings;
* plain scalars mean what Pulumi (go-yaml v3) makes of them, or are refused where YAML readers disagree
  (`0777`, `0x1F`, `1_000`, `2024-01-01`, integers past 2^64 - 1 or, inside an object, 2^63 - 1, numbers of
  more than 20 digits):
  `tools.stack_scalars`;
* a stack file holds `config` and the CLI's secrets bookkeeping, no ESC `environment`; config keys are
  namespaced as Pulumi does, one spelling per key, in the program's namespace or its provider's (`gcp`), never
  encrypted in the program's: `tools.stack_keys`.

Each refusal is a `StackFileError` whose message is one line: the file, the line, the key path, and what
is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.project_config import Declaration, ProjectConfigRefused, apply, declare
from tools.stack_keys import (
    CONFIG,
    PROJECT_FILE_KEYS,
    SECURE,
    STACK_FILE_KEYS,
    KeyRefused,
    is_secure,
    namespaced,
    top_level_refusal,
)
from tools.stack_scalars import (
    HIDDEN,
    ScalarRefused,
    check_visible,
    hidden_character,
    printable,
    resolve_plain,
    shown,
)

ROOT = Path(__file__).resolve().parent.parent
"""The project directory: `Pulumi.yaml`, the stack files, `__main__.py`."""

MAX_BYTES = 1024 * 1024
"""A team's stack file is a few kilobytes; a megabyte is generous and parses in a fraction of a second."""
MAX_DEPTH = 64
"""Stack config nests four or five levels; 64 leaves room and keeps every walk over the value shallow."""
MERGE_KEY = "<<"
"""go-yaml merges a mapping given under a plain `<<` key into its parent: keys the reviewer reads elsewhere."""
BOM = "\ufeff"
PROJECT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""Pulumi's rule for project names (tokens.ValidateProjectName); the name is the namespace of bare config keys."""

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""Only its event parser is used (never its constructor); libyaml's when PyYAML was built with it."""


class StackFileError(Exception):
    """A project or stack file that cannot be used; the message is one line naming the file and the key."""


@dataclass
class Document:
    """A file's value, and where its keys are, for messages that name lines."""

    value: Any
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    """The 1-based line of each key of the top two levels: `("config",)`, `("config", "access")`."""
    secure: list[tuple[tuple[str, ...], str, int]] = field(default_factory=list)
    """Each encrypted value: the top two keys above it, its key path for messages, the line of its `secure`."""


def read_document(path: Path) -> Document:
    """The file read under the rules in the module docstring."""
    path = Path(path)
    return _Reader(path, _read_text(path)).document()


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The file's top-level mapping (empty file: `{}`), read under the rules in the module docstring."""
    return _mapping(read_document(path), Path(path))


def _mapping(document: Document, path: Path) -> dict[str, Any]:
    if document.value is None:
        return {}
    if not isinstance(document.value, dict):
        raise StackFileError(f"{_name(path)}: expected a YAML mapping at the top level")
    return document.value


def _name(path: Path) -> str:
    return printable(str(path))


def _read_text(path: Path) -> str:
    try:
        if path.is_dir():
            raise StackFileError(f"{_name(path)}: is a directory; give a stack file (Pulumi.<stack>.yaml)")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise StackFileError(f"{_name(path)}: no such file") from None
    except OSError as error:
        raise StackFileError(f"{_name(path)}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise StackFileError(
            f"{_name(path)}: larger than {MAX_BYTES // 1024} KiB; a stack file is a few kilobytes of YAML"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StackFileError(
            f"{_name(path)}: byte {error.start} is not UTF-8; stack files are UTF-8 text (YAML)"
        ) from None
    # Comments and plain text included: what the reviewer reads is the whole file. A leading BOM is allowed
    # (Pulumi and libyaml drop it); `\r` only as the end of a line.
    hidden = HIDDEN.search(text, 1 if text.startswith(BOM) else 0)
    while hidden is not None and hidden.group() == "\r" and text.startswith("\n", hidden.end()):
        hidden = HIDDEN.search(text, hidden.end())
    if hidden is not None:
        line = text.count("\n", 0, hidden.start()) + 1
        column = hidden.start() - (text.rfind("\n", 0, hidden.start()) + 1) + 1
        raise StackFileError(f"{_name(path)}: line {line}, column {column}: {hidden_character(hidden.group())}")
    return text


class _Open:
    """One collection being read: the container, its key path, the key awaiting its value (mappings)."""

    __slots__ = ("container", "is_mapping", "keys", "path", "pending", "secure_line", "top")

    def __init__(self, container: dict[str, Any] | list[Any], path: list[str], top: tuple[str, ...]) -> None:
        self.container = container
        self.is_mapping = isinstance(container, dict)
        self.path = path
        self.top = top
        """The first two mapping keys on the way down from the document (`("config", "gcp:credentials")`)."""
        self.pending: str | None = None
        self.keys: set[str] = set()
        self.secure_line: int | None = None


_SKIPPED = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _Reader:
    """Builds the value from the event stream with an explicit stack: no recursion, bounded depth."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.parser = _Parser(text)
        self.document_ = Document(None)

    def _events(self) -> Iterator[Any]:
        try:
            while self.parser.check_event():
                yield self.parser.get_event()
        except yaml.YAMLError as error:
            raise StackFileError(f"{_name(self.path)}: not valid YAML ({_one_line(error)})") from None
        finally:
            self.parser.dispose()

    def _fail(self, event: Any, top: _Open | None, what: str) -> StackFileError:
        return _error(self.path, _line(event), _path(top), what)

    def document(self) -> Document:
        stack: list[_Open] = []
        documents = 0
        for event in self._events():
            kind = type(event)
            top = stack[-1] if stack else None
            if kind is yaml.ScalarEvent and event.anchor is None and event.tag is None:
                # The common case first: a scalar, as a key or a value.
                if top is None:
                    self.document_.value = self._scalar(event, top)
                elif not top.is_mapping:
                    top.container.append(self._scalar(event, top))  # type: ignore[union-attr]
                elif top.pending is None:
                    top.pending = self._key(event, top, len(stack))
                else:
                    top.container[top.pending] = self._scalar(event, top)  # type: ignore[call-overload]
                    top.pending = None
                continue
            if kind in _ENDS:
                done = stack.pop()
                if done.secure_line is not None and is_secure(done.container):
                    self.document_.secure.append((done.top, ".".join(done.path), done.secure_line))
                if not stack:
                    self.document_.value = done.container
                continue
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self._fail(event, None, "more than one YAML document; a stack file is one mapping")
                continue
            if kind in _SKIPPED:
                continue
            if kind is yaml.AliasEvent or event.anchor is not None:
                raise self._fail(event, top, "YAML anchors and aliases (&, *) are not allowed; write the value out")
            if event.tag is not None:
                raise self._fail(
                    event,
                    top,
                    f"the YAML tag {shown(event.tag)} is not allowed; write plain strings, numbers, true/false, lists "
                    "and mappings",
                )
            if top is not None and top.is_mapping and top.pending is None:
                self._key(event, top, len(stack))  # a list or mapping as a key: refused there
            if len(stack) >= MAX_DEPTH:
                raise self._fail(event, top, f"nested deeper than {MAX_DEPTH} levels")
            container: dict[str, Any] | list[Any] = {} if kind is yaml.MappingStartEvent else []
            inner = top.top if top is not None else ()
            if top is not None and top.is_mapping and len(inner) < 2:
                inner = (*inner, top.pending)  # type: ignore[assignment]
            here = _path(top)
            if top is not None:
                _store(top, container)
            stack.append(_Open(container, here, inner))
        return self.document_

    def _scalar(self, event: Any, top: _Open | None) -> Any:
        try:
            if event.implicit[0]:
                return resolve_plain(event.value, nested=top is not None and len(top.top) >= 2)
            if event.style == '"':  # the only style with escapes; the others were checked as text
                check_visible(event.value)
            return event.value
        except ScalarRefused as refused:
            raise self._fail(event, top, str(refused)) from None

    def _key(self, event: Any, top: _Open, depth: int) -> str:
        if not isinstance(event, yaml.ScalarEvent):
            raise self._fail(event, top, "a mapping key must be a string, not a list or mapping")
        if event.implicit[0] and event.value == MERGE_KEY:
            raise self._fail(event, top, "YAML merge keys (<<) are not allowed; write the keys out")
        key = self._scalar(event, top)
        if not isinstance(key, str):
            raise self._fail(event, top, f"key {shown(event.value)!r} must be a string; quote it")
        if key in top.keys:
            raise self._fail(event, top, f"duplicate key {shown(key)!r}; each key may appear once in a mapping")
        top.keys.add(key)
        if depth <= 2:
            self.document_.lines[(*top.top, key)] = _line(event) or 0
        if key == SECURE:
            top.secure_line = _line(event)
        return key


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _error(path: Path, line: int | None, keys: list[str], what: str) -> StackFileError:
    at = f"line {line}: " if line is not None else ""
    where = printable(".".join(keys))
    where = f"{where if len(where) <= 80 else where[:77] + '...'}: " if keys else ""
    return StackFileError(f"{_name(path)}: {at}{where}{what}")


def _path(top: _Open | None) -> list[str]:
    """The key path of the node about to be read inside `top`, for messages (`access.members[2]`)."""
    if top is None:
        return []
    if top.is_mapping:
        return [*top.path, top.pending] if top.pending is not None else list(top.path)
    index = f"[{len(top.container)}]"
    return [*top.path[:-1], f"{top.path[-1]}{index}"] if top.path else [index]


def _store(top: _Open, value: Any) -> None:
    if top.is_mapping:
        top.container[top.pending] = value  # type: ignore[index]
        top.pending = None
    else:
        top.container.append(value)


def _one_line(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem and mark is not None:
        return f"{printable(problem)} at line {mark.line + 1}, column {mark.column + 1}"
    return printable(" ".join(str(error).split()))[:200]


def _top_level(document: Document, path: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The file's mapping, each top-level key allowed, and `config` a mapping."""
    data = _mapping(document, path)
    for key in data:
        refusal = top_level_refusal(key, allowed)
        if refusal is not None:
            raise _error(path, document.lines.get((key,)), [key], refusal)
    config = data.get(CONFIG)
    if config is not None and not isinstance(config, dict):
        raise _error(path, document.lines.get((CONFIG,)), [], "'config' must be a mapping of key to value")
    return data


def _namespaced_keys(data: dict[str, Any], document: Document, path: Path, project: str) -> dict[str, str]:
    """Each key of the `config:` block of `data` -> Pulumi's key (`<namespace>:<name>`), checked (tools.stack_keys)."""
    config = data.get(CONFIG) or {}
    lines = document.lines
    try:
        full = namespaced(((key, lines.get((CONFIG, key))) for key in config), project)
    except KeyRefused as refused:
        raise _error(path, refused.line, [CONFIG, refused.key], str(refused)) from None
    for top, where, line in document.secure:
        if len(top) == 2 and top[0] == CONFIG and full[top[1]].startswith(f"{project}:"):
            raise _error(
                path,
                line,
                [where],
                "an encrypted value ({secure: ...}): the offline gate cannot decrypt it, and no "
                f"{project} setting is secret; write the value itself",
            )
    return full


def _project_file(root: Path) -> tuple[str, list[Declaration]]:
    """The project name and the declarations of Pulumi.yaml's `config:` block (tools.project_config)."""
    path = root / "Pulumi.yaml"
    document = read_document(path)
    data = _top_level(document, path, PROJECT_FILE_KEYS)
    name = data.get("name")
    if not isinstance(name, str) or not PROJECT_NAME.fullmatch(name):
        raise _error(
            path,
            document.lines.get(("name",)),
            ["name"],
            "missing project name, or not one Pulumi takes (up to 100 letters, digits, hyphens, underscores, periods)",
        )
    declarations = []
    for key, full in _namespaced_keys(data, document, path, name).items():
        try:
            declarations.append(declare(key, full, data[CONFIG][key], name))
        except ProjectConfigRefused as refused:
            raise _error(path, document.lines.get((CONFIG, key)), [CONFIG, key], str(refused)) from None
    return name, declarations


def read_project(root: Path = ROOT) -> tuple[str, dict[str, Any]]:
    """The project name and the config defaults and values declared in Pulumi.yaml (namespaced keys)."""
    name, declarations = _project_file(root)
    return name, {d.key: d.preset for d in declarations if d.preset is not None}


def read_stack_config(path: Path, project: str) -> dict[str, Any]:
    """A `Pulumi.<stack>.yaml` file's `config:` block, keys namespaced as the CLI does."""
    path = Path(path)
    document = read_document(path)
    data = _top_level(document, path, STACK_FILE_KEYS)
    for key in STACK_FILE_KEYS:
        if key != CONFIG and key in data and not isinstance(data[key], str):
            raise _error(path, document.lines.get((key,)), [key], "must be text, as `pulumi stack init` writes it")
    full = _namespaced_keys(data, document, path, project)
    config = data.get(CONFIG) or {}
    for key, value in config.items():
        if value is None:
            raise _error(
                path,
                document.lines.get((CONFIG, key)),
                [CONFIG, key],
                f'no value: Pulumi passes {full[key]} as "" today and as null in a later version; write a value, '
                "or remove the key",
            )
    return {full[key]: value for key, value in config.items()}


def read_stack(path: Path, root: Path = ROOT) -> tuple[str, dict[str, Any]]:
    """The project name and the config the CLI hands the program for the stack file at `path`: its own `config:`,
    then what Pulumi.yaml gives every stack (defaults, values), checked as the CLI checks it before the program
    runs (settings the project requires, declared types)."""
    project, declarations = _project_file(root)
    config = read_stack_config(path, project)
    try:
        return project, apply(declarations, config)
    except ProjectConfigRefused as refused:
        raise _error(Path(path), None, [CONFIG], str(refused)) from None
