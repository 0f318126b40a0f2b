"""The gateway checks' clock, in UTC (certificate expiry and session expiry are both UTC instants)."""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc  # noqa: UP017 (the doctor runs on Python 3.10, which has no datetime.UTC)


def utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)
