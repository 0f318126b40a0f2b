"""A small JSON REST client for the forges' APIs: bounded answers, pagination, and one-line errors.

urllib, because the comment and drift jobs run the runner's bare `python3` from the default branch, with nothing
installed (the point is to run no code a pull request could have changed, its requirements included).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_RESPONSE = 16 * 1024 * 1024
MAX_PAGES = 50
TIMEOUT = 30
LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class ForgeError(RuntimeError):
    """A call the forge refused or answered with something unusable: one line, with the status and the path."""


class NotFound(ForgeError):
    pass


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any


@dataclass
class Client:
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)

    def url(self, path: str, query: Mapping[str, str | int] | None = None) -> str:
        url = self.base_url.rstrip("/") + path
        return url + ("?" + urllib.parse.urlencode(query) if query else "")

    def call(self, method: str, url: str, body: Any = None) -> Response:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=dict(self.headers))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        where = f"{method} {urllib.parse.urlsplit(url).path}"
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                raw = answer.read(MAX_RESPONSE + 1)
                status, headers = answer.status, answer.headers
        except urllib.error.HTTPError as error:
            raise _refusal(error, where) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ForgeError(f"{where}: cannot reach the API ({reason})") from None
        if len(raw) > MAX_RESPONSE:
            raise ForgeError(f"{where}: answer larger than {MAX_RESPONSE} bytes")
        try:
            parsed = json.loads(raw) if raw.strip() else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ForgeError(f"{where}: answer is not JSON") from None
        return Response(status, {k.lower(): v for k, v in headers.items()}, parsed)

    def get(self, path: str, query: Mapping[str, str | int] | None = None) -> Any:
        return self.call("GET", self.url(path, query)).data

    def send(self, method: str, path: str, body: Any) -> Any:
        return self.call(method, self.url(path), body).data

    def pages(self, path: str, query: Mapping[str, str | int]) -> Iterator[Any]:
        """Every item of a listed collection, following `Link: rel="next"` (GitHub, GitLab) or `X-Next-Page`."""
        url: str | None = self.url(path, query)
        for _ in range(MAX_PAGES):
            if url is None:
                return
            answer = self.call("GET", url)
            if not isinstance(answer.data, list):
                raise ForgeError(f"GET {path}: expected a list")
            yield from answer.data
            url = self._next(answer, path, query)
        raise ForgeError(f"GET {path}: more than {MAX_PAGES} pages")

    def _next(self, answer: Response, path: str, query: Mapping[str, str | int]) -> str | None:
        if match := LINK_NEXT.search(answer.headers.get("link", "")):
            following = match.group(1)
            if not following.startswith(self.base_url.rstrip("/") + "/"):
                raise ForgeError(f"GET {path}: next page {following[:80]!r} is outside the API")
            return following
        page = answer.headers.get("x-next-page", "").strip()
        if page.isdigit():
            return self.url(path, {**query, "page": int(page)})
        return None


def _refusal(error: urllib.error.HTTPError, where: str) -> ForgeError:
    try:
        detail = json.loads(error.read(64 * 1024) or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        detail = {}
    message = detail.get("message") if isinstance(detail, dict) else None
    text = str(message)[:200].replace("\n", " ") if message else error.reason
    headers = {k.lower(): v for k, v in (error.headers or {}).items()}
    if error.code in (403, 429) and (headers.get("x-ratelimit-remaining") == "0" or error.code == 429):
        reset = headers.get("x-ratelimit-reset") or headers.get("retry-after") or "?"
        return ForgeError(f"{where}: rate limited ({error.code}; resets at {reset}): {text}")
    if error.code == 404:
        return NotFound(f"{where}: 404 not found")
    return ForgeError(f"{where}: {error.code} {text}")
