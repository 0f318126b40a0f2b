"""Google REST calls from a platform engineer's machine: where they go, as whom, bounded, and one line when refused.

Where: the Google provider's own endpoint variables (`GOOGLE_<API>_CUSTOM_ENDPOINT`: a base URL ending in the API
version and a slash, as terraform-provider-google, and so pulumi-gcp, reads them), else Google's. A tool that changes
what a stack created goes where that stack's `pulumi up` went: a Private Service Connect or regional endpoint the
engineer set for the provider serves the tool too. Only https, or http to this machine itself: the access token
goes with every call.

As whom: the engineer's Application Default Credentials, read and refreshed by google-auth (every kind gcloud
writes, workforce identity included). Its `AuthorizedSession` refreshes an expired token and retries once on 401.

Bounded: every call has a connect and a read timeout; a dropped connection and Google's transient answers (429,
5xx) are retried a few times with backoff (urllib3's `Retry`); an answer is read up to 1 MiB.

Refused: Google's error body (`{"error": {"code", "message", "status"}}`) becomes one line naming the API, what was
asked, the resource, the status and Google's message. Nothing else of the answer or of the request is shown: a
request body may carry a secret.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import google.auth.exceptions
import requests
from claude_vertex_gcp.iam import CLOUD_PLATFORM_SCOPE
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tools.stack_scalars import printable

CONNECT_SECONDS = 10
READ_SECONDS = 30
RETRIES = 3
"""Attempts after the first, for a dropped connection or a 429/5xx answer."""
BACKOFF_SECONDS = 0.5
"""urllib3's backoff factor: no wait before the first retry, then 1 s, then 2 s."""
RETRYABLE_STATUSES = (429, 500, 502, 503, 504)
MAX_ANSWER_BYTES = 1024 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
MAX_SHOWN = 300
"""Characters of Google's message a one-line error shows."""

# The provider's rule for a custom endpoint (`validateCustomEndpoint`: `.*/[^/]+/$`), narrowed to an http(s) URL
# without credentials, query or fragment.
_BASE_PATH = re.compile(r"https?://[^/\s?#@]+(?:/[^/\s?#]+)*/[^/\s?#]+/")


class InputError(Exception):
    """Something the engineer gave (the stack, a file, an environment variable) cannot be used. One line."""


class ApiRefusal(Exception):
    """A Google API (or the token endpoint) refused or could not be reached. One line naming the API and the
    resource; `code` is Google's HTTP status when there was one."""

    def __init__(self, line: str, code: int = 0) -> None:
        super().__init__(line)
        self.code = code


def one_line(text: str, width: int = MAX_SHOWN) -> str:
    """Text for a one-line message: whitespace runs squashed, unprintable characters escaped, cut at `width`."""
    text = printable(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class Api:
    """One Google API as the provider knows it: a display name, its custom-endpoint variable, Google's base path."""

    name: str
    endpoint_variable: str
    default_base_path: str

    def base_path(self, environ: Mapping[str, str]) -> str:
        """Where calls to this API go: the provider's custom endpoint when set, else Google's."""
        value = environ.get(self.endpoint_variable, "")
        if not value:
            return self.default_base_path
        if _BASE_PATH.fullmatch(value) is None or not _secure(value):
            raise InputError(
                f"{self.endpoint_variable} is {one_line(value, 120)!r}; allowed: an https base URL ending in the API "
                f"version and a slash, such as {self.default_base_path}, as the Google provider reads it (http only "
                f"to this machine, {', '.join(LOOPBACK_HOSTS)}: the access token goes with every call)"
            )
        return value


def _secure(url: str) -> bool:
    """https, or http to this machine only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)


def retry_policy() -> Retry:
    """Retries for a dropped connection or a transient answer, every method included: each call this module makes
    is safe to repeat (a repeated addVersion holds the same value; a repeated password change sets the same one)."""
    return Retry(
        total=RETRIES,
        connect=RETRIES,
        read=RETRIES,
        status=RETRIES,
        other=0,
        allowed_methods=None,
        status_forcelist=RETRYABLE_STATUSES,
        backoff_factor=BACKOFF_SECONDS,
        respect_retry_after_header=False,  # a Retry-After of an hour would unbound the run
        raise_on_status=False,  # the last answer is reported as Google's refusal
    )


def adc_session() -> requests.Session:
    """A session that sends the engineer's Application Default Credentials with every call, retried and bounded."""
    import google.auth
    import google.auth.credentials
    from google.auth.transport.requests import AuthorizedSession

    try:
        # Scopes after, not in, `default()`: with scopes it also looks up a project ID for external_account
        # credentials, one more call and one more permission this does not need. Its warning that it found no
        # project is silenced: every call here names its project.
        logging.getLogger("google.auth._default").setLevel(logging.ERROR)
        credentials, _ = google.auth.default()
    except google.auth.exceptions.DefaultCredentialsError as error:
        raise InputError(
            f"no usable Application Default Credentials ({one_line(str(error), 200)}); run `gcloud auth "
            "application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)"
        ) from None
    credentials = google.auth.credentials.with_scopes_if_required(credentials, [CLOUD_PLATFORM_SCOPE])
    session = AuthorizedSession(credentials, refresh_timeout=READ_SECONDS)
    adapter = HTTPAdapter(max_retries=retry_policy())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class GoogleApi:
    """Calls to one API at its base path, over an authorized session; answers are JSON objects or an `ApiRefusal`."""

    def __init__(self, api: Api, base_path: str, session: requests.Session) -> None:
        self.api = api
        self.base_path = base_path
        self.session = session

    def call(
        self,
        method: str,
        path: str,
        *,
        doing: str,
        resource: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        hints: Mapping[int, str] | None = None,
    ) -> dict[str, Any]:
        """`method` on `base_path + path`. `doing` and `resource` name the request in a refusal ("refused to
        `doing` `resource`"); `hints` add what to do for a status code."""
        try:
            response = self.session.request(
                method,
                self.base_path + path,
                json=body,
                params=params,
                timeout=(CONNECT_SECONDS, READ_SECONDS),
                stream=True,
            )
            with response:
                status, answer = response.status_code, _read(response)
        except _TooLarge:
            raise ApiRefusal(
                f"{self.api.name} answered the request to {doing} {resource} with more than {MAX_ANSWER_BYTES} bytes"
            ) from None
        except google.auth.exceptions.GoogleAuthError as error:
            detail = one_line(str(error.args[0]) if error.args else type(error).__name__, 200)
            raise ApiRefusal(
                f"Application Default Credentials: google-auth could not get an access token ({detail}); run "
                "`gcloud auth application-default login`"
            ) from None
        except requests.RequestException as error:
            host = urlsplit(self.base_path).netloc
            raise ApiRefusal(
                f"{self.api.name}: could not reach {host} to {doing} {resource} ({type(error).__name__}, after "
                f"{RETRIES} retries)"
            ) from None
        if 200 <= status < 300:
            try:
                data = json.loads(answer)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise ApiRefusal(f"{self.api.name} answered the request to {doing} {resource} with no JSON object")
            return data
        code, state, message = google_error(status, answer)
        hint = (hints or {}).get(code, "")
        said = ": ".join(part for part in (f"{code} {state}".strip(), one_line(message)) if part)
        raise ApiRefusal(f"{self.api.name} refused to {doing} {resource}: {said}{hint}", code)


class _TooLarge(Exception):
    pass


def _read(response: requests.Response) -> bytes:
    """The answer's body, at most `MAX_ANSWER_BYTES` of it."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def google_error(http_status: int, answer: bytes) -> tuple[int, str, str]:
    """(code, status, message) of Google's error body, read the way it comes: `{"error": {...}}`, the same object
    wrapped in a JSON array, or not JSON at all (a proxy's page: then only the HTTP status is shown)."""
    try:
        data = json.loads(answer)
    except (ValueError, UnicodeDecodeError):
        return http_status, "", "the answer is not Google's error JSON"
    if isinstance(data, list) and data:
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return http_status, "", "the answer is not Google's error JSON"
    code = error.get("code")
    status = error.get("status")
    message = error.get("message")
    return (
        code if isinstance(code, int) and 100 <= code <= 599 else http_status,
        one_line(status, 64) if isinstance(status, str) else "",
        message if isinstance(message, str) else "",
    )
