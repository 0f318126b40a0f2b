"""Check 3, the permission: does my principal hold `aiplatform.endpoints.predict` on the team project?

Resource Manager's `testIamPermissions` answers that for anyone (it needs no permission) without costing
anything. It goes to `https://cloudresourcemanager.googleapis.com` unless gcloud's own override,
`CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER`, names another base URL. It sees IAM allow policies
only: not deny policies, org policy or quota, which the model checks find.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import requests
from claude_vertex_gcp.iam import PREDICT, SERVICE_USAGE_USE
from claude_vertex_gcp.services import RESOURCE_MANAGER

from claude_vertex_doctor import network
from claude_vertex_doctor.credentials import LOGIN_FIX
from claude_vertex_doctor.google_errors import parse
from claude_vertex_doctor.report import Report

DEFAULT_ENDPOINT = f"https://{RESOURCE_MANAGER}/"
OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER"
TIMEOUT_SECONDS = 20.0
MAX_BODY = 64 * 1024
"""testIamPermissions answers a few hundred bytes; more than this is not its answer."""
NOT_CHECKED = "the doctor cannot tell whether you hold the permission; the model checks below ask Vertex directly"


class NoAnswer(Exception):
    """Resource Manager could not be reached at all (a network failure): the message is "cannot reach ..."."""


class BadAnswer(Exception):
    """Resource Manager answered, but not with the permissions: an HTTP error, or a body that is not its answer."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


def endpoint(env: Mapping[str, str]) -> str:
    return env.get(OVERRIDE) or DEFAULT_ENDPOINT


def _read(response: requests.Response) -> str:
    """The body, at most MAX_BODY bytes of it (a hostile answer is cut, never read whole)."""
    data = response.raw.read(MAX_BODY + 1, decode_content=True)
    if len(data) > MAX_BODY:
        raise BadAnswer(f"Resource Manager answered {response.status_code} with more than {MAX_BODY} bytes")
    return data.decode("utf-8", "replace")


def granted(
    env: Mapping[str, str], project: str, token: str, permissions: list[str], timeout: float = TIMEOUT_SECONDS
) -> set[str]:
    """The subset of `permissions` the token's principal holds on `project`."""
    url = f"{endpoint(env).rstrip('/')}/v1/projects/{project}:testIamPermissions"

    def ask() -> tuple[requests.Response, str]:
        with requests.post(
            url,
            json={"permissions": permissions},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            stream=True,
        ) as response:
            return response, _read(response)

    try:
        response, body = network.within(timeout + network.GRACE_SECONDS, ask)
    except (requests.RequestException, OSError) as exc:  # OSError: Overtime, or the connection dropped mid-body
        raise NoAnswer(network.cannot_reach(url, exc, timeout)) from None
    if response.status_code != 200:
        error = parse(response.status_code, body)
        message = " ".join(f"Resource Manager answered {error.code} {error.status}: {error.message}".split())
        raise BadAnswer(message[:300].rstrip(": "), error.code)
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        answer = None
    held = answer.get("permissions", []) if isinstance(answer, dict) else None
    if not isinstance(held, list):
        excerpt = " ".join("".join(c if c.isprintable() else " " for c in body[:160]).split()) or "(empty)"
        raise BadAnswer(f"Resource Manager answered 200 with something that is not a permission list: {excerpt}")
    return {p for p in held if isinstance(p, str)}


def check(
    env: Mapping[str, str],
    report: Report,
    project: str,
    token: str,
    quota_project: str | None,
    timeout: float = TIMEOUT_SECONDS,
) -> bool | None:
    """Report on the grant (and on the quota project's); True/False whether predict is granted, None if unknown.

    Claude Code never calls Resource Manager: when it cannot be reached, or answers something other than a verdict
    on the grant, that is a warning (the model checks, which call Vertex as Claude Code does, decide the run)."""
    try:
        has = granted(env, project, token, [PREDICT], timeout)
    except NoAnswer as exc:
        report.add("permission", "warn", f"{exc}: {NOT_CHECKED}", network.fix(env))
        return None
    except BadAnswer as exc:
        if exc.code == 401:
            report.add("permission", "fail", f"{exc}: your credentials were rejected", LOGIN_FIX)
        elif exc.code == 403:
            report.add(
                "permission",
                "fail",
                f"{exc} (a 403 here means project {project} does not exist or you hold no role in it)",
                "check ANTHROPIC_VERTEX_PROJECT_ID, and that the team onboarded you (access.members in its stack file)",
            )
        else:
            report.add(
                "permission",
                "warn",
                f"{exc}: {NOT_CHECKED}",
                "rerun in a minute; if it stays, tell your platform team (with this line)",
            )
        return None
    if PREDICT in has:
        report.add("permission", "ok", f"you hold {PREDICT} on {project}")
    else:
        report.add(
            "permission",
            "fail",
            f"you do not hold {PREDICT} on {project}",
            "ask your team to add you (or your group) to access.members in its stack file; a group membership "
            "change can take minutes to hours to reach Vertex AI",
        )
    if quota_project:
        _check_quota_project(env, report, quota_project, token, timeout)
    return PREDICT in has


def _check_quota_project(
    env: Mapping[str, str], report: Report, quota_project: str, token: str, timeout: float
) -> None:
    """A quota project in ADC makes every request name it (`x-goog-user-project`): that needs
    `serviceusage.services.use` there, which the team's minimal role leaves out on purpose."""
    fix = (
        "gcloud auth application-default login --disable-quota-project  (Vertex AI bills the project in the "
        "request URL anyway), or get roles/serviceusage.serviceUsageConsumer on " + quota_project
    )
    try:
        has = granted(env, quota_project, token, [SERVICE_USAGE_USE], timeout)
    except NoAnswer as exc:
        report.add(
            "permission.quota-project",
            "warn",
            f"your ADC names quota project {quota_project}, and {exc}: the doctor cannot check it",
            network.fix(env),
        )
        return
    except BadAnswer as exc:
        report.add("permission.quota-project", "fail", f"your ADC names quota project {quota_project}: {exc}", fix)
        return
    if SERVICE_USAGE_USE in has:
        report.add(
            "permission.quota-project", "ok", f"you hold {SERVICE_USAGE_USE} on your quota project {quota_project}"
        )
    else:
        report.add(
            "permission.quota-project",
            "fail",
            f"your ADC names quota project {quota_project}, where you lack {SERVICE_USAGE_USE}: every request will be "
            "refused with 403 USER_PROJECT_DENIED",
            fix,
        )
