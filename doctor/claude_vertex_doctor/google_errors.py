"""Google's error bodies, read the way they come: `{"error": {...}}`, or (Vertex's habit) the same object
wrapped in a JSON array, or not JSON at all (a proxy's HTML page)."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class GoogleError:
    code: int
    status: str
    message: str
    reasons: tuple[str, ...] = ()

    def mentions(self, *needles: str) -> bool:
        text = " ".join((self.status, self.message, *self.reasons))
        return any(n in text for n in needles)


def parse(http_status: int, body: str) -> GoogleError:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, TypeError):
        return GoogleError(http_status, "", " ".join(str(body or "").split())[:200])
    if isinstance(data, list) and data:
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return GoogleError(http_status, "", " ".join(json.dumps(data).split())[:200])
    reasons = tuple(
        str(d.get("reason", "")) for d in error.get("details", []) if isinstance(d, dict) and d.get("reason")
    )
    return GoogleError(
        int(error.get("code", http_status)), str(error.get("status", "")), str(error.get("message", "")), reasons
    )
