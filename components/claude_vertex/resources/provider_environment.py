"""Where the program's own IAM calls go, and as whom: exactly where and as whom the Google provider's go.

The wait for IAM (`readiness_gate.py`) asks IAM, ahead of the provider, the questions the provider is about to
ask: it must ask the same IAM, as the same identity, or its answer says nothing about the provider's. So it reads
the provider's own environment variables (terraform-provider-google, which pulumi-gcp is built from:
`transport/config.go`, the `iam_custom_endpoint` and `access_token` settings) and nothing of its own:

* the endpoint: `GOOGLE_IAM_CUSTOM_ENDPOINT` when set (a base URL ending in the API version and a slash, the form
  the provider accepts), else Google's `https://iam.googleapis.com/v1/`;
* the credentials: `GOOGLE_OAUTH_ACCESS_TOKEN` when set (the token, or the path of a file holding it), which the
  provider prefers to everything else and which Pulumi ESC's `gcp-login` hands it; else Application Default
  Credentials, which the provider finds by default (`gcloud auth application-default login` locally,
  GOOGLE_APPLICATION_CREDENTIALS from keyless CI).

Both come from the deployer's environment, never from the stack: a stack file cannot set environment variables
(the stack-file reader refuses ESC `environment:` imports), and the policy pack refuses the provider settings
(`gcp:iamCustomEndpoint`, `gcp:accessToken`) that would send the provider elsewhere. Not followed:
`GOOGLE_IMPERSONATE_SERVICE_ACCOUNT` and key files in `GOOGLE_CREDENTIALS` (the pack refuses both as provider
settings too; a deployer who uses them through the environment gets the wait as the identity underneath).

`google-auth` is imported only on the ADC path: with a token in the environment (the offline preview sets one for
its stand-in IAM) the wait costs no import of it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from claude_vertex.resources.readiness import IAM_BASE_PATH, NotReadyError

IAM_ENDPOINT_VARIABLE = "GOOGLE_IAM_CUSTOM_ENDPOINT"
ACCESS_TOKEN_VARIABLE = "GOOGLE_OAUTH_ACCESS_TOKEN"
ADC_FILE_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"
VARIABLES = (IAM_ENDPOINT_VARIABLE, ACCESS_TOKEN_VARIABLE, ADC_FILE_VARIABLE)
"""Every environment variable that decides where the program's IAM calls go and as whom."""
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"

# The provider's rule for a custom endpoint (`validateCustomEndpoint`: `.*/[^/]+/$`), narrowed to an http(s) URL.
_BASE_PATH = re.compile(r"https?://[^/\s?#]+(?:/[^/\s?#]+)*/[^/\s?#]+/")
_TOKEN = re.compile(r"[\x21-\x7e]{1,4096}")  # printable, no spaces: it goes into one header line
_MAX_TOKEN_FILE = 16 * 1024

Headers = Callable[[], Mapping[str, str]]
"""The Authorization header for the next round of calls (a token source may refresh it in between)."""


def iam_base_path(environ: Mapping[str, str] = os.environ) -> str:
    """The IAM base path the provider calls: `GOOGLE_IAM_CUSTOM_ENDPOINT`, else Google's. A bad value is one line."""
    value = environ.get(IAM_ENDPOINT_VARIABLE, "")
    if not value:
        return IAM_BASE_PATH
    if _BASE_PATH.fullmatch(value) is None:
        shown = value if len(value) <= 120 else value[:117] + "..."
        raise NotReadyError(
            f"{IAM_ENDPOINT_VARIABLE} is {shown!r}; allowed: an http(s) base URL ending in the API version and a "
            f"slash, such as {IAM_BASE_PATH}, as the Google provider reads it"
        )
    return value


def deployer_headers(environ: Mapping[str, str] = os.environ) -> Headers:
    """The deployer's Authorization header, from the credentials the provider would use (module docstring)."""
    value = environ.get(ACCESS_TOKEN_VARIABLE, "")
    if value:
        token = _token(value)
        return lambda: {"Authorization": f"Bearer {token}"}
    return AdcHeaders()


def _token(value: str) -> str:
    """The provider's `pathOrContents`: the value is a file's path when such a file exists, else the token."""
    path = Path(value).expanduser() if "\0" not in value else None
    try:
        is_file = path is not None and path.is_file()
    except OSError:  # a token longer than a file name may be
        is_file = False
    if is_file and path is not None:
        try:
            with path.open("rb") as file:
                value = file.read(_MAX_TOKEN_FILE).decode("utf-8", "replace").strip()
        except OSError as error:
            raise NotReadyError(
                f"{ACCESS_TOKEN_VARIABLE} names {str(path)!r}, which cannot be read ({error.strerror})"
            ) from None
    if _TOKEN.fullmatch(value) is None:
        # Never shown: it is (or was meant to be) a credential.
        raise NotReadyError(
            f"{ACCESS_TOKEN_VARIABLE} holds no usable access token (printable characters without spaces, as "
            "`gcloud auth print-access-token` prints); unset it to use Application Default Credentials"
        )
    return value


class AdcHeaders:
    """Authorization headers from Application Default Credentials, refreshed when the token expires."""

    def __init__(self) -> None:
        self._credentials: Any = None

    def __call__(self) -> Mapping[str, str]:
        import google.auth
        import google.auth.credentials
        import google.auth.exceptions
        import google.auth.transport.requests

        try:
            if self._credentials is None:
                # Scopes after, not in, `default()`: with scopes it also looks up a project ID for keyless
                # (external_account) credentials, one more call and one more permission the wait does not need.
                credentials, _ = google.auth.default()
                self._credentials = google.auth.credentials.with_scopes_if_required(credentials, [CLOUD_PLATFORM_SCOPE])
            if not self._credentials.valid:
                self._credentials.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.GoogleAuthError as error:
            raise NotReadyError(
                "no usable Application Default Credentials to ask IAM whether it serves the project "
                f"({' '.join(str(error).split())[:300]}); run `gcloud auth application-default login` "
                f"or set {ADC_FILE_VARIABLE}, as for the Google provider (or {ACCESS_TOKEN_VARIABLE})"
            ) from None
        return {"Authorization": f"Bearer {self._credentials.token}"}
