"""A parser for the small subset of JavaScript literals a minifier emits for constant data tables.

The client's model tables are object literals inside its bundled JavaScript. They are read here as data, never
evaluated: the parser accepts objects (unquoted or quoted keys), arrays, double-quoted strings, numbers, `null`,
`true`/`false` and the minifier's `!0`/`!1`, and refuses anything else (a call, a variable, a template string, a
spread) with an error naming the byte offset. Every read stays inside the window it is given and nesting is
capped, so truncated or hostile bytes end in a `LiteralError` quickly, never in a hang or a recursion crash.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 32
"""The data tables nest three or four levels; anything deeper is not one of them."""

_IDENTIFIER = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(rb"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_STRING_BODY = re.compile(rb'(?:[^"\\\n\r]|\\[^\n\r])*')
_NAME_BYTES = frozenset(bytes([c]) for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$")
_FLOAT_MARKS = frozenset(b".eE")
_KEYWORDS: dict[bytes, Any] = {b"null": None, b"true": True, b"false": False, b"!0": True, b"!1": False}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", '"': '"', "'": "'"}
_ESCAPES |= {"\\": "\\", "/": "/"}
_UNICODE_ESCAPE = re.compile(r"\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|(.))", re.DOTALL)


class LiteralError(ValueError):
    """The bytes are not a literal of the accepted subset; the message names the offset and what was found."""


def parse_literal(data: bytes, start: int = 0) -> tuple[Any, int]:
    """The literal that starts at `data[start]`, as Python values, and the offset just past it.

    Objects become dicts (a repeated key is refused), arrays lists, `!0`/`!1` booleans.
    """
    return _Parser(data).value(start, 0)


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.end = len(data)

    def value(self, at: int, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise LiteralError(f"at byte {at}: nested deeper than {MAX_DEPTH} levels")
        at = self._skip_space(at)
        head = self.data[at : at + 1]
        if head == b"{":
            return self._object(at + 1, depth + 1)
        if head == b"[":
            return self._array(at + 1, depth + 1)
        if head == b'"':
            return self._string(at)
        if head and head in b"ntf!":
            for word, meaning in _KEYWORDS.items():
                if self.data.startswith(word, at) and not _continues_identifier(self.data, at + len(word)):
                    return meaning, at + len(word)
        number = _NUMBER.match(self.data, at) if head and head in b"-.0123456789" else None
        if number and not _continues_identifier(self.data, number.end()):
            raw = number.group()
            return (float(raw) if _FLOAT_MARKS.intersection(raw) else int(raw)), number.end()
        raise LiteralError(f"at byte {at}: {self._found(at)} is not an object, array, string, number, null or boolean")

    def _object(self, at: int, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        at = self._skip_space(at)
        if self.data.startswith(b"}", at):
            return result, at + 1
        while True:
            key, at = self._key(self._skip_space(at))
            if key in result:
                raise LiteralError(f"at byte {at}: the key {key!r} appears twice in one object")
            at = self._expect(at, b":")
            result[key], at = self.value(at, depth)
            at = self._skip_space(at)
            if self.data.startswith(b"}", at):
                return result, at + 1
            at = self._expect(at, b",")

    def _array(self, at: int, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        at = self._skip_space(at)
        if self.data.startswith(b"]", at):
            return result, at + 1
        while True:
            item, at = self.value(at, depth)
            result.append(item)
            at = self._skip_space(at)
            if self.data.startswith(b"]", at):
                return result, at + 1
            at = self._expect(at, b",")

    def _key(self, at: int) -> tuple[str, int]:
        if self.data.startswith(b'"', at):
            return self._string(at)
        name = _IDENTIFIER.match(self.data, at)
        if name is None:
            raise LiteralError(f"at byte {at}: {self._found(at)} is not an object key (a name or a string)")
        return name.group().decode("ascii"), name.end()

    def _string(self, at: int) -> tuple[str, int]:
        body = _STRING_BODY.match(self.data, at + 1)
        assert body is not None  # the pattern matches the empty string
        close = body.end()
        if not self.data.startswith(b'"', close):
            raise LiteralError(f"at byte {at}: the string is not closed before {self._found(close)}")
        try:
            raw = body.group().decode("utf-8")
        except UnicodeDecodeError as err:
            raise LiteralError(f"at byte {at}: the string is not UTF-8 ({err.reason})") from None
        return _unescape(raw, at), close + 1

    def _expect(self, at: int, token: bytes) -> int:
        at = self._skip_space(at)
        if not self.data.startswith(token, at):
            raise LiteralError(f"at byte {at}: expected {token.decode()!r}, found {self._found(at)}")
        return at + len(token)

    def _skip_space(self, at: int) -> int:
        while at < self.end and self.data[at] in b" \t\r\n":
            at += 1
        return at

    def _found(self, at: int) -> str:
        if at >= self.end:
            return "the end of the window (the literal is truncated)"
        return repr(self.data[at : at + 12].decode("utf-8", "replace"))


def _continues_identifier(data: bytes, at: int) -> bool:
    """`nullx`, `10n`: a word or number that runs on into a name is not the literal it starts like."""
    return data[at : at + 1] in _NAME_BYTES


def _unescape(raw: str, at: int) -> str:
    if "\\" not in raw:
        return raw

    def one(match: re.Match[str]) -> str:
        braced, four, two, other = match.groups()
        if braced or four or two:
            code = int(braced or four or two, 16)
            if code > 0x10FFFF:
                raise LiteralError(f"at byte {at}: the escape {match.group()!r} is not a character")
            return chr(code)
        if other in _ESCAPES:
            return _ESCAPES[other]
        raise LiteralError(f"at byte {at}: the string has an escape the reader does not know: {match.group()!r}")

    return _UNICODE_ESCAPE.sub(one, raw)
