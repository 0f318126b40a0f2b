"""The one date a stack is judged on: model retirements, default pins and quota caps all follow it.

It is read once, where a stack is parsed (`load_stack_config`), and passed down; nothing else in the program
reads the wall clock. `CLAUDE_VERTEX_TODAY=YYYY-MM-DD` judges the stack as of another day: the test suite sets
it so that its verdicts do not change with the calendar, and a platform engineer sets it (or
`tools.preview --today`) to see what a stack will do on the day a pinned model retires. It is an environment
variable because that is the one channel that reaches the program the same way under the offline preview and
under the real `pulumi preview` / `pulumi up`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping

from claude_vertex.config.base import ConfigError

TODAY_VARIABLE = "CLAUDE_VERTEX_TODAY"
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATE_RULE = "a calendar date as YYYY-MM-DD (unset: today)"


def parse_date(text: str, *, setting: str = TODAY_VARIABLE) -> dt.date:
    """`YYYY-MM-DD` as a date, or a one-line error naming `setting` (never a traceback)."""
    if isinstance(text, str) and _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ConfigError(setting, text, DATE_RULE, subject=setting)


def stack_date(environ: Mapping[str, str] | None = None) -> dt.date:
    """`CLAUDE_VERTEX_TODAY` when set, else today's date: read once per stack, by whoever parses it."""
    text = (os.environ if environ is None else environ).get(TODAY_VARIABLE, "")
    return parse_date(text) if text else dt.date.today()
