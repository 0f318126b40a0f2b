"""Check 2, the credentials: which Application Default Credentials Claude Code would find, whose they are,
and an access token for the checks after this one.

The file is found where Google's auth libraries look (`GOOGLE_APPLICATION_CREDENTIALS`, then gcloud's
well-known file, then the metadata server) and read with google-auth, which knows every kind, including the
workforce (`external_account_authorized_user`, `external_account`) credentials a corporate login writes.
Secrets in the file and the token are handed to the report to scrub; none is ever put in a message.
A token endpoint that cannot be reached is "cannot reach <host>" with a network fix, never "sign in again".
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import google.auth
import google.auth.exceptions
import requests
from claude_vertex_gcp.iam import CLOUD_PLATFORM_SCOPE, TOKEN_CREATOR
from claude_vertex_gcp.names import IMPERSONATED_ACCOUNT, POOL_PROVIDER_IN, workforce_subject
from google.auth.transport.requests import Request

from claude_vertex_doctor import network
from claude_vertex_doctor.report import Report

SCOPES = [CLOUD_PLATFORM_SCOPE]
WELL_KNOWN_FILE = "application_default_credentials.json"
_SECRET_KEYS = ("refresh_token", "client_secret", "private_key", "private_key_id", "access_token", "token")
LOGIN_FIX = (
    "gcloud auth application-default login --disable-quota-project  (with a corporate login: add --login-config=FILE)"
)
TIMEOUT_SECONDS = 20.0
_TOKEN_URL_KEYS = ("token_uri", "token_url", "service_account_impersonation_url")
_DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"


class BoundedRequest(Request):
    """google-auth's transport with a time limit on every call (its own default is two minutes per call)."""

    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        super().__init__()
        self.timeout = timeout

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):  # type: ignore[no-untyped-def]
        limit = self.timeout if timeout is None else min(float(timeout), self.timeout)
        return super().__call__(url, method=method, body=body, headers=headers, timeout=limit, **kwargs)


def _unreached_url(exc: BaseException, info: Mapping[str, object]) -> str | None:
    """The URL a refresh could not reach, when the failure is the network's (no HTTP answer); None otherwise."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 12 and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    network_errors = (google.auth.exceptions.TransportError, requests.ConnectionError, requests.Timeout, TimeoutError)
    if not any(isinstance(e, network_errors) for e in seen):
        return None
    for e in seen:
        request = getattr(e, "request", None)
        if isinstance(getattr(request, "url", None), str):
            return request.url
    urls = [info.get(k) for k in _TOKEN_URL_KEYS]
    return next((u for u in urls if isinstance(u, str) and u), _DEFAULT_TOKEN_URL)


@dataclass(frozen=True)
class Auth:
    """What the later checks send: a bearer token (None when Claude Code would send none) and the quota project
    Claude Code's auth library would send as `x-goog-user-project`."""

    token: str | None
    quota_project: str | None = None
    kind: str = ""


def adc_path(env: Mapping[str, str]) -> tuple[Path | None, str]:
    """The ADC file google-auth would read, and where its path came from."""
    explicit = env.get("GOOGLE_APPLICATION_CREDENTIALS")
    if explicit:
        return Path(explicit).expanduser(), "GOOGLE_APPLICATION_CREDENTIALS"
    if env.get("CLOUDSDK_CONFIG"):
        config = Path(env["CLOUDSDK_CONFIG"])
    elif os.name == "nt" and env.get("APPDATA"):
        config = Path(env["APPDATA"]) / "gcloud"
    elif env.get("HOME"):
        config = Path(env["HOME"]) / ".config" / "gcloud"
    else:
        return None, "gcloud's well-known file"
    return config / WELL_KNOWN_FILE, "gcloud's well-known file"


def _secrets(info: object) -> list[str]:
    """Every secret-looking value in a credentials file, nested ones included (impersonation source)."""
    found: list[str] = []
    if isinstance(info, dict):
        for key, value in info.items():
            if key in _SECRET_KEYS and isinstance(value, str):
                found.append(value)
            else:
                found.extend(_secrets(value))
    return found


def describe(info: Mapping[str, object]) -> tuple[str, str]:
    """(kind, principal) of an ADC file, from what the file itself says (no call needed)."""
    kind = str(info.get("type", "unknown"))
    audience = str(info.get("audience", ""))
    pool = POOL_PROVIDER_IN.search(audience)
    impersonated = IMPERSONATED_ACCOUNT.search(str(info.get("service_account_impersonation_url", "")))
    target = f", impersonating service account {impersonated.group(1)}" if impersonated else ""
    if kind == "authorized_user":
        return kind, "your Google user account (gcloud auth application-default login --disable-quota-project)"
    if kind == "service_account":
        return kind, f"service account {info.get('client_email', '?')} (a key file)"
    if kind == "impersonated_service_account":
        source = info.get("source_credentials")
        source_kind = source.get("type", "?") if isinstance(source, dict) else "?"
        return kind, f"service account {impersonated.group(1) if impersonated else '?'}, impersonated by {source_kind}"
    if kind in ("external_account_authorized_user", "external_account") and pool:
        pool_kind, pool_id, provider = pool.groups()
        if pool_kind == "workforcePools":
            how = "signed in with gcloud --login-config" if kind == "external_account_authorized_user" else "config"
            principal = f"a workforce identity (pool {pool_id}, provider {provider}, {how}): " + workforce_subject(
                pool_id, "<your IdP subject>"
            )
            return f"{kind} (workforce)", principal + target
        return f"{kind} (workload identity)", f"workload identity pool {pool_id}, provider {provider}{target}"
    return kind, f"a {kind} credential{target}"


def _refresh_failure(kind: str, exc: Exception) -> tuple[str, str]:
    text = str(exc)
    if "impersonat" in text.lower() or "generateAccessToken" in text:
        return (
            "your credentials could not impersonate the service account",
            f"ask for {TOKEN_CREATOR} on that service account (the stack's impersonators)",
        )
    if "workforce" in kind:
        return (
            "your workforce sign-in has expired or was refused",
            "gcloud auth application-default login --disable-quota-project --login-config=FILE  (FILE from "
            "gcloud iam workforce-pools create-login-config; see docs/corporate-identities.md)",
        )
    return ("your credentials could not be refreshed (expired, revoked or reauthentication needed)", LOGIN_FIX)


def _load_file(
    path: Path, source: str, report: Report, env: Mapping[str, str], timeout: float = TIMEOUT_SECONDS
) -> Auth | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        report.add(
            "credentials",
            "fail",
            f"{source} names {path}, which does not exist",
            f"unset GOOGLE_APPLICATION_CREDENTIALS, or run: {LOGIN_FIX}",
        )
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.add(
            "credentials", "fail", f"{path} ({source}) is not a JSON credentials file: {type(exc).__name__}", LOGIN_FIX
        )
        return None
    if not isinstance(info, dict):
        report.add("credentials", "fail", f"{path} ({source}) is not a credentials object", LOGIN_FIX)
        return None
    report.keep_secret(*_secrets(info))
    kind, principal = describe(info)
    try:
        with warnings.catch_warnings():
            # google-auth warns that the generic loader accepts every kind; reading every kind is the point here
            # (it is what Claude Code's auth library does), and nothing from the file is executed or trusted blindly.
            warnings.simplefilter("ignore", DeprecationWarning)
            credentials, _ = google.auth.load_credentials_from_file(str(path), scopes=SCOPES)
        # Two exchanges at most (an impersonation asks the source's token endpoint, then IAM Credentials).
        network.within(2 * timeout + network.GRACE_SECONDS, lambda: credentials.refresh(BoundedRequest(timeout)))
    except google.auth.exceptions.DefaultCredentialsError as exc:
        report.add("credentials", "fail", f"{path} ({source}): google-auth cannot use it: {exc}", LOGIN_FIX)
        return None
    except (google.auth.exceptions.GoogleAuthError, network.Overtime) as exc:  # RefreshError, TransportError, ...
        unreached = _unreached_url(exc, info)
        if unreached is not None:
            report.add(
                "credentials",
                "fail",
                f"{principal}: {network.cannot_reach(unreached, exc, timeout)} to get an access token",
                network.fix(env),
            )
            return None
        message, fix = _refresh_failure(kind, exc)
        report.add("credentials", "fail", f"{principal}: {message}", fix)
        return None
    token = credentials.token
    report.keep_secret(token)
    if info.get("type") == "external_account_authorized_user":
        principal = _workforce_principal(info, token, timeout) or principal
    quota_project = info.get("quota_project_id") or None
    notes = f"; quota project {quota_project}" if quota_project else ""
    report.add("credentials", "ok", f"{kind} ADC from {path} ({source}): {principal}{notes}")
    key_project = info.get("project_id")
    project = env.get("ANTHROPIC_VERTEX_PROJECT_ID")
    if kind == "service_account" and key_project and project and key_project != project:
        report.add(
            "credentials.project",
            "warn",
            f"the key file names project {key_project}, not {project}; Claude Code's docs let a credentials file's "
            "project come before ANTHROPIC_VERTEX_PROJECT_ID",
            "fine when the model checks below pass; otherwise use impersonation instead of a key file",
        )
    return Auth(token=token, quota_project=str(quota_project) if quota_project else None, kind=kind)


def _workforce_principal(info: Mapping[str, object], token: str, timeout: float) -> str | None:
    """The exact `principal://...` of a workforce sign-in, from the pool's token introspection endpoint (the
    file's `token_info_url`; RFC 7662 calls the field `username`, unverified for Google's endpoint), so a developer
    can quote what `access.members` must hold. Best effort: without an answer the doctor names the pool and
    provider only."""
    url, client_id, secret = info.get("token_info_url"), info.get("client_id"), info.get("client_secret")
    if not (isinstance(url, str) and isinstance(client_id, str) and isinstance(secret, str)):
        return None
    try:
        response = requests.post(
            url,
            data={"token": token, "token_type_hint": "urn:ietf:params:oauth:token-type:access_token"},
            auth=(client_id, secret),
            timeout=min(timeout, 10),
        )
        answer = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        return None
    username = answer.get("username") if isinstance(answer, dict) and answer.get("active") else None
    if isinstance(username, str) and username.startswith("principal://"):
        return f"workforce identity {username}"
    return None


def _metadata(report: Report) -> Auth | None:
    from google.auth import compute_engine
    from google.auth.compute_engine import _metadata

    request = BoundedRequest()
    if not _metadata.is_on_gce(request):
        return None
    credentials = compute_engine.Credentials()
    try:
        credentials.refresh(request)
    except (google.auth.exceptions.RefreshError, google.auth.exceptions.TransportError) as exc:
        report.add(
            "credentials",
            "fail",
            f"the metadata server gave no token: {type(exc).__name__}",
            "attach a service account to this machine, or run: " + LOGIN_FIX,
        )
        return Auth(token=None, kind="error")
    report.keep_secret(credentials.token)
    report.add("credentials", "ok", f"the metadata server's service account {credentials.service_account_email}")
    return Auth(token=credentials.token, kind="compute_engine")


def check(
    env: Mapping[str, str],
    report: Report,
    *,
    skip_auth: bool,
    base_url: str | None,
    token: str | None,
    token_file: Path | None,
    timeout: float = TIMEOUT_SECONDS,
) -> Auth | None:
    """Report on the credentials; the Auth to call with, or None when there is nothing to call with."""
    if skip_auth:
        if base_url:
            report.add(
                "credentials",
                "ok",
                "CLAUDE_CODE_SKIP_VERTEX_AUTH is set: no credentials are looked up and requests carry none "
                f"(your gateway at {base_url} authenticates)",
            )
        else:
            report.add(
                "credentials",
                "fail",
                "CLAUDE_CODE_SKIP_VERTEX_AUTH is set without ANTHROPIC_VERTEX_BASE_URL: requests to Google "
                "would carry no credentials",
                "unset CLAUDE_CODE_SKIP_VERTEX_AUTH (it is meant for a gateway that authenticates for you)",
            )
        return Auth(token=None, kind="none")
    if token is not None:
        report.keep_secret(token)
        report.add(
            "credentials",
            "ok",
            f"the access token in {token_file} (--access-token-file); the file does not say whose it is",
        )
        return Auth(token=token, kind="access_token")
    path, source = adc_path(env)
    if path is not None and (source == "GOOGLE_APPLICATION_CREDENTIALS" or path.is_file()):
        return _load_file(path, source, report, env, timeout)
    auth = _metadata(report)
    if auth is not None:
        return auth if auth.token else None
    report.add(
        "credentials", "fail", "no Application Default Credentials found (no file, no metadata server)", LOGIN_FIX
    )
    return None
