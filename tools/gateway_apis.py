"""The two Google APIs `make gateway-secrets` calls: Secret Manager for the versions of the gateway's secrets, and
Cloud SQL Admin for the password of the gateway's database user.

Only the calls the tool needs, each as the REST reference gives it: `versions.list` (with the `state:ENABLED`
filter; newest first), `testIamPermissions`, `addVersion` (the payload base64, with its CRC32C as `dataCrc32c`, which
Secret Manager checks and keeps for every later `access`), `users.update` (an operation, polled until done) and
`operations.get`. A credential crosses them only as a `SecretValue`, which never prints itself.
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import google_crc32c
from claude_vertex_gcp.iam import SECRET_VERSION_ADD
from claude_vertex_gcp.services import SECRET_MANAGER, SQL_ADMIN

from tools.google_rest import Api, ApiRefusal, GoogleApi, one_line

SECRET_MANAGER_API = Api("Secret Manager", "GOOGLE_SECRET_MANAGER_CUSTOM_ENDPOINT", f"https://{SECRET_MANAGER}/v1/")
SQL_ADMIN_API = Api("Cloud SQL Admin", "GOOGLE_SQL_CUSTOM_ENDPOINT", f"https://{SQL_ADMIN}/sql/v1beta4/")

ENABLED = "ENABLED"
PAGE_SIZE = 100
MAX_PAGES = 10
OPERATION_SECONDS = 300
"""How long a password change may take before the tool gives up waiting (Cloud SQL queues it behind other work)."""
POLL_SECONDS = (0.25, 0.5, 1.0, 2.0, 5.0)
"""Waits between looks at the operation; the last repeats."""
_VERSION = re.compile(r"/versions/([1-9][0-9]{0,17})$")
_OPERATION = re.compile(r"[A-Za-z0-9_-]{1,128}")


class SecretValue:
    """A credential. It prints, formats and reprs as `[secret]`, so no message, log line or traceback can carry it;
    `reveal()` is the one way to the text, used where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretValue([secret])"

    def __str__(self) -> str:
        return "[secret]"

    def __format__(self, spec: str) -> str:
        return "[secret]"


def payload(value: SecretValue) -> dict[str, str]:
    """A `SecretPayload`: the bytes base64, and their CRC32C (an int64 as a decimal string) for Secret Manager to
    check on arrival."""
    data = value.reveal().encode("utf-8")
    return {"data": base64.b64encode(data).decode("ascii"), "dataCrc32c": str(google_crc32c.value(data))}


class SecretManager:
    """The versions of secrets in one project (`projects/<project>/secrets/<id>`)."""

    def __init__(self, api: GoogleApi, project: str) -> None:
        self.api = api
        self.project = project

    def resource(self, secret_id: str) -> str:
        return f"projects/{self.project}/secrets/{secret_id}"

    def newest_enabled_version(self, secret_id: str) -> int | None:
        """The number of the secret's newest enabled version (what `latest` gives Cloud Run), or None."""
        resource = self.resource(secret_id)
        params: dict[str, str | int] = {"filter": f"state:{ENABLED}", "pageSize": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            listed = self.api.call(
                "GET",
                f"{resource}/versions",
                doing="list the versions of",
                resource=resource,
                params=params,
                hints={404: " (has `pulumi up` created the gateway stack's secrets yet?)"},
            )
            versions = listed.get("versions", [])
            enabled = [
                _version_number(v.get("name"), resource, self.api)
                for v in (versions if isinstance(versions, list) else [])
                if isinstance(v, dict) and v.get("state") == ENABLED
            ]
            if enabled:
                return max(enabled)
            token = listed.get("nextPageToken")
            if not isinstance(token, str) or not token:
                return None
            params = {**params, "pageToken": token}
        raise ApiRefusal(f"{self.api.api.name} listed more than {MAX_PAGES} pages of versions of {resource}")

    def may_add_version(self, secret_id: str) -> bool:
        """Whether the caller holds `secretmanager.versions.add` on the secret (`testIamPermissions`: no secret is
        read or written to find out)."""
        resource = self.resource(secret_id)
        granted = self.api.call(
            "POST",
            f"{resource}:testIamPermissions",
            doing="report your permissions on",
            resource=resource,
            body={"permissions": [SECRET_VERSION_ADD]},
        ).get("permissions", [])
        return isinstance(granted, list) and SECRET_VERSION_ADD in granted

    def add_version(self, secret_id: str, value: SecretValue) -> int:
        """Add `value` as the secret's newest version; its number."""
        resource = self.resource(secret_id)
        added = self.api.call(
            "POST",
            f"{resource}:addVersion",
            doing="add a version to",
            resource=resource,
            body={"payload": payload(value)},
        )
        return _version_number(added.get("name"), resource, self.api)


def _version_number(name: Any, resource: str, api: GoogleApi) -> int:
    """`projects/123/secrets/s/versions/4` -> 4 (Secret Manager names the project by number)."""
    match = _VERSION.search(name) if isinstance(name, str) else None
    if match is None:
        raise ApiRefusal(
            f"{api.api.name} named a version of {resource} {one_line(str(name), 120)!r}, not .../versions/N"
        )
    return int(match.group(1))


class SqlAdmin:
    """Users of Cloud SQL instances in one project."""

    def __init__(self, api: GoogleApi, project: str) -> None:
        self.api = api
        self.project = project

    def set_password(self, instance: str, user: str, value: SecretValue) -> None:
        """Set a built-in user's password, and wait until Cloud SQL has applied it."""
        resource = f"projects/{self.project}/instances/{instance}/users/{user}"
        operation = self.api.call(
            "PUT",
            f"projects/{self.project}/instances/{instance}/users",
            doing="set the password of",
            resource=resource,
            params={"name": user},
            body={"name": user, "password": value.reveal()},
            hints={404: " (has `pulumi up` created the gateway's database and its user yet?)"},
        )
        self._wait(operation, resource)

    def _wait(self, operation: dict[str, Any], resource: str) -> None:
        deadline = time.monotonic() + OPERATION_SECONDS
        polls = 0
        while operation.get("status") != "DONE":
            name = operation.get("name")
            if not isinstance(name, str) or _OPERATION.fullmatch(name) is None:
                raise ApiRefusal(
                    f"{self.api.api.name} answered the password change of {resource} with no operation to follow"
                )
            if time.monotonic() > deadline:
                raise ApiRefusal(
                    f"{self.api.api.name}: the password change of {resource} did not finish within "
                    f"{OPERATION_SECONDS} s (operation {name}); nothing was added to Secret Manager. Once `gcloud sql "
                    f"operations describe {name} --project {self.project}` says DONE, run again with "
                    "--rotate db-password"
                )
            time.sleep(POLL_SECONDS[min(polls, len(POLL_SECONDS) - 1)])
            polls += 1
            path = f"projects/{self.project}/operations/{name}"
            operation = self.api.call("GET", path, doing="report on", resource=path)
        errors = (operation.get("error") or {}).get("errors") if isinstance(operation.get("error"), dict) else None
        if errors:
            first = errors[0] if isinstance(errors, list) and isinstance(errors[0], dict) else {}
            said = ": ".join(one_line(str(first.get(k, ""))) for k in ("code", "message") if first.get(k))
            raise ApiRefusal(f"{self.api.api.name} could not set the password of {resource}: {said or 'failed'}")
