"""Wait until a freshly enabled Google API answers for a project: capped exponential backoff, bounded in total.

Why this exists: enabling `iam.googleapis.com` in a new project completes before the IAM backend serves
the project. For a while, creating a service account, a custom role or a workload identity pool answers
`403 ... API has not been used in project ... before or it is disabled` (reason SERVICE_DISABLED), and the
Google provider does not retry 403 (terraform-provider-google #1694, its "newly activated service errors"
guide). A fixed sleep wastes that time on every healthy apply; this waits exactly as long as GCP needs by
asking a cheap read-only question (list one service account, list one custom role) until it answers 200.

Pure HTTP and no Pulumi: `claude_vertex/resources/readiness_gate.py` calls `wait_until_ready` from the program's own
process, and the tests drive it against a real HTTP server on 127.0.0.1 that answers the way GCP does. The HTTP
client is the standard library's, which the Pulumi SDK imports anyway: the wait runs on every `pulumi up` and
under the offline preview, so it costs no import of its own.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

IAM_BASE_PATH = "https://iam.googleapis.com/v1/"
"""Google's IAM API as the Google provider addresses it: a base path ending in the API version."""
MAX_BODY_BYTES = 64 * 1024
"""An error body is read up to this much: GCP's are a few KiB, and whatever answers is never read unbounded."""
# Messages GCP gives while a just-enabled API is not yet served for the project (ErrorInfo reason first).
_DISABLED_REASONS = frozenset({"SERVICE_DISABLED", "SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED"})
_DISABLED_PHRASES = ("has not been used in project", "it is disabled", "is not enabled")
# Answers that can change on their own within minutes of a project's creation: wait and ask again.
# 403 covers SERVICE_DISABLED and a just-created project IAM does not know yet ("or it may not exist").
_TRANSIENT_STATUSES = frozenset({403, 404, 408, 429, 500, 502, 503, 504})


class NotReadyError(Exception):
    """The API did not become ready within the bound, or answered something waiting cannot fix. One line."""


@dataclass(frozen=True)
class Backoff:
    """Delays between rounds: `first`, then times `factor`, at most `cap`; nothing past `total` seconds."""

    first: float = 2.0
    factor: float = 2.0
    cap: float = 30.0
    total: float = 600.0
    request_timeout: float = 20.0

    def delay(self, attempt: int) -> float:
        """The pause after round `attempt` (0-based)."""
        return min(self.cap, self.first * self.factor**attempt)


DEFAULT_BACKOFF = Backoff()


@dataclass(frozen=True)
class Answer:
    """What one probe got: the HTTP status (0 when no answer came) and GCP's error, flattened to one line."""

    status: int
    reason: str
    message: str

    @property
    def ready(self) -> bool:
        return self.status == 200

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status in _TRANSIENT_STATUSES

    @property
    def service_disabled(self) -> bool:
        return self.reason in _DISABLED_REASONS or any(p in self.message for p in _DISABLED_PHRASES)

    def describe(self) -> str:
        if self.status == 0:
            return f"no answer ({self.message})"
        detail = " ".join(part for part in (self.reason, self.message) if part)
        return f"HTTP {self.status}" + (f" {detail}" if detail else "")


@dataclass(frozen=True)
class Readiness:
    """How the wait went, for the resource's outputs and the log."""

    attempts: int
    waited_seconds: float


def iam_probe_urls(project: str, base_path: str = IAM_BASE_PATH) -> list[str]:
    """The calls whose 403s break a fresh apply: service accounts and custom roles, one item each, read-only.

    `base_path` ends in the API version and a slash (`https://iam.googleapis.com/v1/`), as the provider's own
    IAM base path does."""
    project = urllib.parse.quote(project, safe="")
    return [
        f"{base_path}projects/{project}/serviceAccounts?pageSize=1",
        f"{base_path}projects/{project}/roles?pageSize=1",
    ]


def parse_answer(status: int, body: bytes) -> Answer:
    """GCP's error JSON (`{"error": {"code", "message", "status", "details": [{"reason"}]}}`) as an Answer."""
    if status == 200:
        return Answer(200, "", "")
    reason, message = "", ""
    try:
        error = json.loads(body.decode("utf-8", "replace")).get("error", {})
    except (ValueError, AttributeError):
        error = {}
    if isinstance(error, Mapping):
        message = str(error.get("message", ""))
        reason = str(error.get("status", ""))
        for detail in error.get("details", []) or []:
            if isinstance(detail, Mapping) and detail.get("reason"):
                reason = str(detail["reason"])
                break
    if not message:
        message = body[:200].decode("utf-8", "replace")
    return Answer(status, reason, " ".join(message.split()))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, never followed: the bearer token goes to the one endpoint asked, nowhere else."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _probe(opener: urllib.request.OpenerDirector, url: str, headers: Mapping[str, str], timeout: float) -> Answer:
    request = urllib.request.Request(url, headers=dict(headers), method="GET")
    try:
        with opener.open(request, timeout=timeout) as response:
            return parse_answer(response.status, response.read(MAX_BODY_BYTES))
    except urllib.error.HTTPError as error:  # an answer other than 2xx (3xx included: not followed)
        with error:
            body = error.read(MAX_BODY_BYTES) if error.fp is not None else b""
        return parse_answer(error.code, body)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Answer(0, "", " ".join(str(reason).split())[:200] or type(error).__name__)


def wait_until_ready(
    what: str,
    urls: Sequence[str],
    headers: Callable[[], Mapping[str, str]],
    backoff: Backoff = DEFAULT_BACKOFF,
    *,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Readiness:
    """Ask every URL until each has answered 200 once; raise NotReadyError (one line) at the bound.

    `headers` is called before every round so that a token refreshed by its source is used. A URL that
    answered 200 is not asked again. Transient answers (SERVICE_DISABLED, other 403/404 of a project IAM
    does not know yet, 429, 5xx, no answer) are waited out; anything else (401, 400) fails at once,
    because waiting cannot fix it.
    """
    pending = list(dict.fromkeys(urls))
    start = clock()
    attempt = 0
    opener = urllib.request.build_opener(_NoRedirects)
    while True:
        attempt += 1
        remaining = backoff.total - (clock() - start)
        request_headers = headers()
        last: Answer | None = None
        for url in list(pending):
            answer = _probe(opener, url, request_headers, max(0.1, min(backoff.request_timeout, remaining)))
            if answer.ready:
                pending.remove(url)
                continue
            if not answer.transient:
                raise NotReadyError(f"{what}: {url} answered {answer.describe()}; waiting cannot fix this")
            last = answer
        if not pending:
            return Readiness(attempts=attempt, waited_seconds=round(clock() - start, 3))
        elapsed = clock() - start
        pause = min(backoff.delay(attempt - 1), backoff.total - elapsed)
        if pause <= 0:
            assert last is not None
            hint = " (the API was enabled but GCP has not started serving it for this project)"
            raise NotReadyError(
                f"{what}: not ready after {elapsed:.0f}s and {attempt} attempts (bound {backoff.total:.0f}s); "
                f"last answer {last.describe()}" + (hint if last.service_disabled else "")
            )
        sleep(pause)
