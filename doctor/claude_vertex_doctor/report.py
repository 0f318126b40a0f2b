"""Checks and how they are printed: one line of what the doctor saw, one line of what to do.

Every string leaves through `Report.render*`, which scrubs every secret the doctor handled (the access token,
refresh tokens, client secrets, private keys) however it got into a message: nothing printed may hold one. It also
keeps each message and fix one bounded line, whatever a variable or an answer put into it (a model ID with a newline
cannot forge a line of its own).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["ok", "warn", "fail"]
REDACTED = "[redacted]"
VERTEX = "Claude Code on Vertex AI"
MAX_LINE = 2000
"""Characters of one message or fix at most; the rest is cut (nothing the doctor says needs more)."""


@dataclass(frozen=True)
class Check:
    id: str
    status: Status
    message: str
    fix: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    subject: str = VERTEX  # what the closing verdict is about

    def add(self, check_id: str, status: Status, message: str, fix: str = "") -> Check:
        check = Check(check_id, status, message, fix)
        self.checks.append(check)
        return check

    def keep_secret(self, *values: str | None) -> None:
        """Remember values that must never be printed (only non-trivial ones: a short string is no secret)."""
        self.secrets.update(v for v in values if v and len(v) >= 8)

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    def _scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        line = "".join(c if c.isprintable() else "?" for c in text)
        return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."

    def as_dict(self) -> dict[str, object]:
        checks = [{k: self._scrub(v) for k, v in asdict(c).items()} for c in self.checks]
        return {"ok": self.ok, "checks": checks}

    def render_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def render_text(self) -> str:
        width = max((len(self._scrub(c.id)) for c in self.checks), default=0)
        lines = []
        for check in self.checks:
            lines.append(f"{check.status.upper():<4}  {self._scrub(check.id):<{width}}  {self._scrub(check.message)}")
            if check.fix:
                lines.append(f"{'':<4}  {'':<{width}}  fix: {self._scrub(check.fix)}")
        failed = sum(c.status == "fail" for c in self.checks)
        warned = sum(c.status == "warn" for c in self.checks)
        verdict = f"{self.subject} {'should work' if failed == 0 else 'will not work'}."
        warnings = f"{warned} warning{'' if warned == 1 else 's'}"
        lines.append(f"{verdict} {failed} failed, {warnings}, {len(self.checks)} checks.")
        return "\n".join(lines) + "\n"
