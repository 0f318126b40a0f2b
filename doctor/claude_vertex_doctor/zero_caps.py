"""`CLAUDE_VERTEX_ZERO_CAPS`: the model families the team's guardrails cap at 0, as the stack hands them to the doctor.

The stack renders it beside the pins (Claude Code ignores it): a comma-separated list of `<family>:<limit>` pairs,
`opus:requestsPerMinute` or `opus:requestsPerMinute,fable:inputTokensPerMinute`, one per limit of
`guardrails.quotas.<family>` that is 0. Absent (or empty): nothing is capped at 0.

Why the doctor needs it: a family capped at 0 answers every request with 429, and Vertex's 429 body cannot tell
"capped at 0 on purpose" from "used up this minute". Knowing the cap, the doctor does not probe that family and says
what the team decided instead of failing the run.

A value the doctor cannot read is the stack's output gone wrong (or edited by hand), not something the developer
typed on the doctor's command line: it is reported as a warning and ignored as a whole (the doctor then probes every
pinned model, as if nothing were capped), rather than stopping the doctor with exit 2 before it checks anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

VARIABLE = "CLAUDE_VERTEX_ZERO_CAPS"
LIMITS = ("requestsPerMinute", "inputTokensPerMinute", "outputTokensPerMinute")
"""The limit names of `guardrails.quotas.<family>` in the stack file."""
MAX_LENGTH = 1000
_PAIR_RE = re.compile(rf"^(?P<family>[a-z][a-z0-9]{{0,30}}):(?P<limit>{'|'.join(LIMITS)})$")


@dataclass(frozen=True)
class ZeroCap:
    """One family the team may not call, and the limits of `guardrails.quotas.<family>` set to 0."""

    family: str
    limits: tuple[str, ...]

    @property
    def keys(self) -> str:
        """`guardrails.quotas.opus.requestsPerMinute = 0` (every zero limit of the family, in the stack's words)."""
        return ", ".join(f"guardrails.quotas.{self.family}.{limit} = 0" for limit in self.limits)


class Unreadable(ValueError):
    """The variable is set to something that is not a `<family>:<limit>` list; the message says what is wrong."""


def _shown(value: str) -> str:
    """A bounded, printable excerpt of a value (it came from outside the doctor)."""
    text = "".join(c if c.isprintable() else "?" for c in value[:60])
    return repr(text + ("..." if len(value) > 60 else ""))


def parse(value: str) -> dict[str, ZeroCap]:
    """Family -> its zero cap; Unreadable for anything but a list of `<family>:<limit>` pairs."""
    if len(value) > MAX_LENGTH:
        raise Unreadable(f"{len(value)} characters, more than the {MAX_LENGTH} a list of families can take")
    limits: dict[str, list[str]] = {}
    for item in value.split(","):
        pair = item.strip()
        if not pair and not value.strip():
            continue  # the whole value is empty: nothing capped
        match = _PAIR_RE.match(pair)
        if match is None:
            raise Unreadable(f"{_shown(pair)} is not <family>:<limit> with <limit> one of {', '.join(LIMITS)}")
        found = limits.setdefault(match["family"], [])
        if match["limit"] not in found:
            found.append(match["limit"])
    return {family: ZeroCap(family, tuple(names)) for family, names in limits.items()}


def read(env: Mapping[str, str]) -> dict[str, ZeroCap]:
    """The zero caps the environment declares (none when the variable is absent); Unreadable when it is garbled."""
    value = env.get(VARIABLE)
    return {} if value is None else parse(value)
