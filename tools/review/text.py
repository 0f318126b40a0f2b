"""Untrusted text made safe to show: bounded, printable, and unable to escape the markdown it is placed in.

A pull request controls every byte of its preview's output (a stack file's values are echoed back), so the
comment treats it as hostile: ANSI colour codes are dropped, control, bidirectional and zero-width characters
are shown as `\\u....` escapes, `@mentions` are broken with a word joiner so nobody is pinged, and the text goes
in a fence longer than any run of backticks inside it (CommonMark closes a fence only with one at least as
long). Names shown outside a fence (stacks, rules) are checked against a strict pattern first.
"""

from __future__ import annotations

import re
import unicodedata

ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
MENTION = re.compile(r"@(?=[A-Za-z0-9_])")
WORD_JOINER = "\u2060"
STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
RULE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_LINE = 400
"""Characters kept of one line: a minified blob on one line must not crowd out every other line of the tail."""


def is_stack_name(value: object) -> bool:
    return isinstance(value, str) and STACK_NAME.fullmatch(value) is not None


def is_rule_name(value: object) -> bool:
    return isinstance(value, str) and RULE_NAME.fullmatch(value) is not None


def _visible(char: str) -> str:
    if char in "\n\t":
        return char
    if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
        return f"\\u{ord(char):04x}"
    return char


def printable(text: str) -> str:
    """The text with colour codes dropped and every invisible or control character shown as an escape."""
    text = ANSI_ESCAPE.sub("", text.replace("\r\n", "\n"))
    return "".join(_visible(char) for char in text)


def unmention(text: str) -> str:
    return MENTION.sub("@" + WORD_JOINER, text)


def shorten_lines(text: str, width: int = MAX_LINE) -> str:
    return "\n".join(line if len(line) <= width else line[:width] + " …" for line in text.split("\n"))


def tail(text: str, max_chars: int, max_lines: int) -> tuple[str, bool]:
    """The last lines of `text` within both bounds, and whether anything was cut."""
    lines = text.rstrip("\n").split("\n")
    kept: list[str] = []
    size = 0
    for line in reversed(lines[-max_lines:]):
        if size + len(line) + 1 > max_chars:
            break
        kept.append(line)
        size += len(line) + 1
    kept.reverse()
    return "\n".join(kept), len(kept) < len(lines)


def fenced(text: str, info: str = "text") -> str:
    """`text` in a backtick fence that nothing inside it can close (and mentions that ping nobody)."""
    body = unmention(printable(text))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"
