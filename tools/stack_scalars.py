"""What one YAML scalar of a stack file means to Pulumi, and the scalars the offline gate refuses to guess at.

Pulumi reads a stack file with go-yaml v3 into untyped values, and hands the program what that reader made of
each plain (unquoted) scalar (checked against pulumi 3.272's `workspace.LoadProjectStack`). That reader and the
ones a reviewer, an editor or a JSON Schema check use disagree on many spellings: to go-yaml, `0777` is the
octal number 511, `0x1F` is 31, `1_000` is 1000, `2024-01-01` becomes the text `2024-01-01 00:00:00 +0000 UTC`,
an integer past 2^64 - 1 (past 2^63 - 1 inside an object or list) becomes a rounded float, and `.inf` makes the
whole file unreadable (checked against pulumi 3.276's CLI: tests/e2e/test_config_reader.py). The offline gate must
judge what the engine will deploy, so a plain scalar either means the same thing to every reader
(`true`, `null`, `12`, `0.5`, `team`) or it is refused with the way to write it unambiguously (quote it).

The same goes for characters a reviewer cannot see (bidirectional overrides, zero-width and control
characters): a stack file is reviewed as text in a pull request, so what is invisible there is refused.

Standard library only: the offline preview reads the stack file before it imports anything heavy.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

MAX_NUMBER_DIGITS = 20
"""The most digits a plain number may have. The longest number a config field takes is a 20-digit numeric ID
(`project.folderId`; past 2^63 - 1 it must be quoted, `EXACT_NESTED_INTEGERS`); quotas and budgets stop at 10^12;
and 2^64 - 1, the largest integer Pulumi reads exactly, has 20 digits. Checked against the declarations in
components/config by tests/test_stack_file.py."""
EXACT_INTEGERS = range(-(2**63), 2**64)
"""The integers Pulumi hands the program exactly as a setting's whole value: go-yaml v3 reads int64, then uint64;
past them, a float."""
EXACT_NESTED_INTEGERS = range(-(2**63), 2**63)
"""The integers Pulumi hands the program exactly inside a setting's object or list: it keeps such a value as JSON and
reads its numbers back as int64, else as a float (sdk config/object.go `unmarshalObject`; `2^63` arrives as
`9223372036854776000`, checked with the CLI by tests/e2e/test_config_reader.py)."""

_WORDS: dict[str, bool | None] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
}
"""go-yaml v3's booleans and nulls (YAML 1.2's core schema): `yes`, `on` and `off` are text."""
_NUMBER_START = frozenset("0123456789+-.")
_NOT_NUMBERS = frozenset(
    [".nan", ".NaN", ".NAN"] + [f"{sign}{inf}" for sign in ("", "+", "-") for inf in (".inf", ".Inf", ".INF")]
)
"""go-yaml's NaN and infinities: Pulumi cannot encode them and refuses the whole file."""
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?P<mantissa>(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9].*)?", re.DOTALL)
"""What go-yaml v3 tries as a timestamp (`2006-1-2`, with a time after `T`, `t` or a space)."""
# go-yaml v3 `resolve`: with underscores removed, Go's `ParseInt(s, 0, 64)` (sign, 0x, 0o, 0b, a leading 0 for
# octal), then its float pattern; a scalar starting with `.` goes to `ParseFloat` as written.
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")

HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
"""Characters a reviewer cannot see: Unicode's control, format (bidirectional overrides, zero-width, tags),
surrogate and line/paragraph-separator characters, except tab and newline."""


class ScalarRefused(ValueError):
    """A scalar the gate will not read; the message says why and how to write it (the caller adds where)."""


def resolve_plain(text: str, *, nested: bool = False) -> Any:
    """A plain (unquoted) scalar as Pulumi reads it, when every YAML reader reads it the same way.

    `true`/`false` (also `True`, `TRUE`, ...), `null`, `~` or nothing, decimal integers without leading zeros
    and decimal floats are values; a scalar that does not start like a number is the text as written.
    Raises `ScalarRefused` for everything else that go-yaml would turn into something other than its text.
    """
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMBER_START:
        return text
    if _INT.fullmatch(text):
        return _integer(text, EXACT_NESTED_INTEGERS if nested else EXACT_INTEGERS)
    float_match = _FLOAT.fullmatch(text)
    if float_match:
        return _float(text, float_match["mantissa"])
    if text in _NOT_NUMBERS:
        raise ScalarRefused(f"Pulumi cannot read {text} (it refuses the whole file); quote it if it is text")
    if _DATE.fullmatch(text):
        raise ScalarRefused(
            f"Pulumi reads the plain value {shown(text)} as a timestamp and hands the program another text "
            f"('2024-01-01 00:00:00 +0000 UTC'); quote it: '{shown(text)}'"
        )
    if _go_number(text):
        raise ScalarRefused(
            f"Pulumi reads the plain value {shown(text)} as a number (a sign, a leading zero or point, 0x/0o/0b or "
            "underscores), other readers as text; write a plain decimal number, or quote it if it is text"
        )
    return text


def _digits(text: str) -> int:
    """The digits that carry a number's value: those of its mantissa, leading zeros aside."""
    return len(text.partition("e")[0].partition("E")[0].lstrip("-").replace(".", "").lstrip("0"))


def _too_long(text: str) -> ScalarRefused:
    return ScalarRefused(
        f"the number {shown(text, 24)} has {_digits(text)} digits; no config field takes more than "
        f"{MAX_NUMBER_DIGITS} (quote it if it is text)"
    )


def _integer(text: str, exact: range) -> int:
    # Counted before conversion: Python refuses to convert more than 4,300 digits, and a long conversion is slow.
    if len(text) < 19:  # well inside the range: the common case
        return int(text)
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _too_long(text)
    value = int(text)
    if value not in exact:
        where = "inside a setting's object or list " if exact is EXACT_NESTED_INTEGERS else ""
        raise ScalarRefused(
            f"the integer {text} is out of range: Pulumi reads integers {where}exactly only from {exact.start} "
            f"to {exact.stop - 1} (past them, a rounded float); quote it if it is text"
        )
    return value


def _float(text: str, mantissa: str) -> float:
    if _digits(mantissa) > MAX_NUMBER_DIGITS:
        raise _too_long(text)
    value = float(text)  # linear in the text, and never raises for this pattern: at worst inf or 0.0
    if value in (float("inf"), float("-inf")) or (value == 0 and mantissa.strip("0.")):
        raise ScalarRefused(
            f"the number {shown(text, 24)} is beyond what a 64-bit float holds (Pulumi reads it as text or 0); "
            "write it in range, or quote it if it is text"
        )
    return value


def _go_number(text: str) -> bool:
    """Whether go-yaml v3 reads this plain scalar (starting with a digit, sign or point) as a number."""
    if text.startswith("."):
        return bool(_GO_FLOAT.fullmatch(text))
    plain = text.replace("_", "")
    return bool(_GO_INT.fullmatch(plain) or _GO_FLOAT.fullmatch(plain))


def check_visible(text: str) -> None:
    """Raises `ScalarRefused` naming the first character a reviewer cannot see."""
    match = HIDDEN.search(text)
    if match:
        raise ScalarRefused(hidden_character(match.group()))


def hidden_character(char: str) -> str:
    name = unicodedata.name(char, "a control character")
    return (
        f"the invisible character U+{ord(char):04X} ({name}) is not allowed: a reviewer cannot see it in the "
        "pull request; remove it"
    )


def printable(text: str) -> str:
    """The text with every character a terminal would not show as one visible line escaped (`\\n`, `\\u202e`)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def shown(text: str, width: int = 40) -> str:
    """A value or key for a one-line message: printable, and cut at `width` characters."""
    text = printable(text[: width + 1])
    return text if len(text) <= width else text[: width - 3] + "..."
