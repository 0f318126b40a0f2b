"""Check 3, the permission: does my principal hold `aiplatform.endpoints.predict` on the team project?

Resource Manager's `testIamPermissions` answers that for anyone (it needs no permission) without costing
anything. It goes to `https://cloudresourcemanager.googleapis.com` unless gcloud's own override,
`CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER`, names another base URL. It sees IAM allow policies
only: not deny policies, org policy or quota, which the model checks find.
"""

from __future__ import annotations

from collections.abc import Mapping

import requests
from claude_vertex_gcp.iam import PREDICT, SERVICE_USAGE_USE
from claude_vertex_gcp.services import RESOURCE_MANAGER

from claude_vertex_doctor.credentials import LOGIN_FIX
from claude_vertex_doctor.google_errors import parse
from claude_vertex_doctor.report import Report

DEFAULT_ENDPOINT = f"https://{RESOURCE_MANAGER}/"
OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER"
TIMEOUT_SECONDS = 15


class Unreachable(Exception):
    """Resource Manager could not be reached or answered an error; the message says which."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


def endpoint(env: Mapping[str, str]) -> str:
    return env.get(OVERRIDE) or DEFAULT_ENDPOINT


def granted(env: Mapping[str, str], project: str, token: str, permissions: list[str]) -> set[str]:
    """The subset of `permissions` the token's principal holds on `project`."""
    url = f"{endpoint(env).rstrip('/')}/v1/projects/{project}:testIamPermissions"
    try:
        response = requests.post(
            url,
            json={"permissions": permissions},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise Unreachable(f"cannot reach Resource Manager at {endpoint(env)}: {type(exc).__name__}") from None
    if response.status_code != 200:
        error = parse(response.status_code, response.text)
        raise Unreachable(f"Resource Manager answered {error.code} {error.status}: {error.message}".strip(), error.code)
    return set(response.json().get("permissions", []))


def check(env: Mapping[str, str], report: Report, project: str, token: str, quota_project: str | None) -> bool | None:
    """Report on the grant (and on the quota project's); True/False whether predict is granted, None if unknown."""
    try:
        has = granted(env, project, token, [PREDICT])
    except Unreachable as exc:
        if exc.code == 401:
            report.add("permission", "fail", f"{exc}: your credentials were rejected", LOGIN_FIX)
            return None
        report.add(
            "permission",
            "fail",
            f"{exc} (a 403 here means project {project} does not exist or you hold no role in it)",
            "check ANTHROPIC_VERTEX_PROJECT_ID, and that the team onboarded you (access.members in its stack file)",
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
        _check_quota_project(env, report, quota_project, token)
    return PREDICT in has


def _check_quota_project(env: Mapping[str, str], report: Report, quota_project: str, token: str) -> None:
    """A quota project in ADC makes every request name it (`x-goog-user-project`): that needs
    `serviceusage.services.use` there, which the team's minimal role leaves out on purpose."""
    fix = (
        "gcloud auth application-default login --disable-quota-project  (Vertex AI bills the project in the "
        "request URL anyway), or get roles/serviceusage.serviceUsageConsumer on " + quota_project
    )
    try:
        has = granted(env, quota_project, token, [SERVICE_USAGE_USE])
    except Unreachable as exc:
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
