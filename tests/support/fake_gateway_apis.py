"""A real HTTP server on 127.0.0.1 that answers as Secret Manager, Cloud SQL Admin and Google's token endpoint do.

`make gateway-secrets` reaches it the way it would reach a Private Service Connect endpoint: through the Google
provider's endpoint variables (`GOOGLE_SECRET_MANAGER_CUSTOM_ENDPOINT`, `GOOGLE_SQL_CUSTOM_ENDPOINT`), with
Application Default Credentials whose token endpoint is this server's (`token_url` of an
`external_account_authorized_user` file, what gcloud writes for a workforce identity; google-auth refreshes it).

What it serves, as the REST references give it: Secret Manager v1 `versions.list` (newest first, the `state:ENABLED`
filter, pages), `testIamPermissions` (the granted subset, `{}` for none), `addVersion` (base64 payload, at most 64
KiB, its `dataCrc32c` checked: a mismatch is 400), `versions.access` (a number or `latest`: the newest enabled), and
404 for a secret that does not exist; Cloud SQL Admin v1beta4 `users.update` (an operation, `PENDING` first when
asked to be slow) and `operations.get`; errors as `{"error": {"code", "message", "status"}}`. Every request is
recorded (method, path, query; bodies are not kept: they carry secrets) so a test can prove what was, and was not,
changed, and in which order.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import google_crc32c

MAX_PAYLOAD = 64 * 1024


@dataclass
class Version:
    number: int
    data: bytes
    crc32c: int
    state: str = "ENABLED"
    in_state: bool = False
    """Written by the stack itself (gateway.yaml's references): in Pulumi's state by design, so no secret."""


@dataclass
class GoogleSide:
    """What the project holds and who may do what: the fake's whole state, set by the test."""

    project: str
    project_number: str = "123456789012"
    secrets: dict[str, list[Version]] = field(default_factory=dict)
    sql_users: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (instance, user) -> password
    denied: set[tuple[str, str]] = field(default_factory=set)  # (permission, secret id or instance)
    access_token: str = "ya29.a0AfB_Qx7Lm2Rk9Tz4Vw8Np3Hs6Jd1Gc5"
    refresh_token: str = "1//09Fq2Xk7Lp4Zr8Tm3Wn6Vb1Hc5Jd"
    client_secret: str = "d-FL95Q19q7MQmFpd7hHD0Ty"
    operation_polls: int = 0
    """How many `operations.get` answers say RUNNING before DONE (0: `users.update` answers DONE at once)."""
    unavailable: dict[str, int] = field(default_factory=dict)  # Secret Manager method -> 503 answers before serving
    operations: dict[str, int] = field(default_factory=dict)  # operation name -> polls left

    def values(self) -> list[str]:
        """Every secret value held, on either side, and the credentials: none may ever be printed."""
        held = [v.data.decode() for versions in self.secrets.values() for v in versions if not v.in_state]
        held += [p for p in self.sql_users.values() if p]
        return [*held, self.access_token, self.refresh_token, self.client_secret]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]


def _error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


class FakeGatewayApis:
    def __init__(self, side: GoogleSide) -> None:
        self.side = side
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def writes(self) -> list[Recorded]:
        """The requests that change something: `addVersion` and `users.update`, in the order they came."""
        return [r for r in self.requests if r.path.endswith(":addVersion") or r.method == "PUT"]

    # Token endpoint -------------------------------------------------------------------------------------------

    def token(self, form: dict[str, list[str]]) -> tuple[int, Any]:
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [self.side.refresh_token]:
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        return 200, {"access_token": self.side.access_token, "expires_in": 3599, "token_type": "Bearer"}

    # Secret Manager -------------------------------------------------------------------------------------------

    def secret_manager(self, method: str, rest: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        parts = rest.split("/")  # projects/<p>/secrets/<id>[:verb] | .../versions | .../versions/<v>:access
        if len(parts) < 4 or parts[0] != "projects" or parts[1] != self.side.project or parts[2] != "secrets":
            return 404, _error(404, "NOT_FOUND", f"Resource not found: {rest}")
        secret, _, verb = parts[3].partition(":")
        name = f"projects/{self.side.project_number}/secrets/{secret}"
        shown = f"projects/{self.side.project}/secrets/{secret}"
        permission = {
            ("GET", "versions"): "secretmanager.versions.list",
            ("POST", "addVersion"): "secretmanager.versions.add",
            ("GET", "access"): "secretmanager.versions.access",
        }
        if verb == "testIamPermissions" and method == "POST" and len(parts) == 4:
            asked = body.get("permissions", []) if isinstance(body, dict) else []
            granted = [p for p in asked if (p, secret) not in self.side.denied and secret in self.side.secrets]
            return 200, ({"permissions": granted} if granted else {})
        if len(parts) == 4 and verb == "addVersion":
            key = ("POST", "addVersion")
        elif len(parts) == 5 and parts[4] == "versions" and not verb:
            key = ("GET", "versions")
        elif len(parts) == 6 and parts[4] == "versions" and parts[5].endswith(":access"):
            key = ("GET", "access")
        else:
            return 404, _error(404, "NOT_FOUND", f"Method not found: {method} {rest}")
        if self.side.unavailable.get(key[1], 0) > 0:
            self.side.unavailable[key[1]] -= 1
            return 503, _error(503, "UNAVAILABLE", "The service is currently unavailable.")
        if (permission[key], secret) in self.side.denied:
            return 403, _error(
                403,
                "PERMISSION_DENIED",
                f"Permission '{permission[key]}' denied for resource '{shown}' (or it may not exist).",
            )
        if secret not in self.side.secrets:
            return 404, _error(404, "NOT_FOUND", f"Secret [{name}] not found or has no versions.")
        versions = self.side.secrets[secret]
        if key == ("GET", "versions"):
            return self._list(name, versions, query)
        if key == ("POST", "addVersion"):
            return self._add(name, versions, body)
        return self._access(name, versions, parts[5].removesuffix(":access"))

    def _list(self, name: str, versions: list[Version], query: dict[str, list[str]]) -> tuple[int, Any]:
        wanted = query.get("filter", [""])[0]
        if wanted not in ("", "state:ENABLED"):
            return 400, _error(400, "INVALID_ARGUMENT", f"Invalid filter: {wanted}")
        shown = [v for v in reversed(versions) if not wanted or v.state == "ENABLED"]
        size = int(query.get("pageSize", ["0"])[0]) or 25000
        start = int(query.get("pageToken", ["0"])[0] or 0)
        page = shown[start : start + size]
        answer: dict[str, Any] = {"totalSize": len(shown)}
        if page:
            answer["versions"] = [self._version(name, v) for v in page]
        if start + size < len(shown):
            answer["nextPageToken"] = str(start + size)
        return 200, answer

    @staticmethod
    def _version(name: str, version: Version) -> dict[str, Any]:
        return {
            "name": f"{name}/versions/{version.number}",
            "createTime": "2026-11-25T12:00:00.000000Z",
            "state": version.state,
            "etag": f'"{version.number:016x}"',
            "clientSpecifiedPayloadChecksum": True,
        }

    def _add(self, name: str, versions: list[Version], body: Any) -> tuple[int, Any]:
        payload = body.get("payload") if isinstance(body, dict) else None
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), str):
            return 400, _error(400, "INVALID_ARGUMENT", "Request must include a payload.")
        try:
            data = base64.b64decode(payload["data"], validate=True)
        except (binascii.Error, ValueError):
            return 400, _error(400, "INVALID_ARGUMENT", "Invalid value at 'payload.data' (TYPE_BYTES)")
        if len(data) > MAX_PAYLOAD:
            return 400, _error(400, "INVALID_ARGUMENT", "Secret Payload cannot exceed 65536 bytes.")
        crc = google_crc32c.value(data)
        if "dataCrc32c" in payload and payload["dataCrc32c"] != str(crc):
            return 400, _error(400, "INVALID_ARGUMENT", "Checksum mismatch: the data_crc32c does not match the data.")
        version = Version(len(versions) + 1, data, crc)
        versions.append(version)
        return 200, self._version(name, version)

    def _access(self, name: str, versions: list[Version], which: str) -> tuple[int, Any]:
        enabled = [v for v in versions if v.state == "ENABLED"]
        found = enabled[-1:] if which == "latest" else [v for v in versions if str(v.number) == which]
        if not found or found[0].state != "ENABLED":
            return 404, _error(404, "NOT_FOUND", f"Secret Version [{name}/versions/{which}] not found.")
        version = found[0]
        data = {"data": base64.b64encode(version.data).decode(), "dataCrc32c": str(version.crc32c)}
        return 200, {"name": f"{name}/versions/{version.number}", "payload": data}

    def access(self, secret: str, which: str = "latest") -> str:
        """The payload the gateway's instance would read (`versions.access`), as text."""
        status, answer = self._access(
            f"projects/{self.side.project_number}/secrets/{secret}", self.side.secrets[secret], which
        )
        assert status == 200, answer
        payload = answer["payload"]
        data = base64.b64decode(payload["data"])
        assert payload["dataCrc32c"] == str(google_crc32c.value(data))
        return data.decode()

    # Cloud SQL Admin ------------------------------------------------------------------------------------------

    def sql(self, method: str, rest: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        parts = rest.split("/")
        if len(parts) < 4 or parts[0] != "projects" or parts[1] != self.side.project:
            return 404, _error(404, "NOT_FOUND", "The project does not exist.")
        if method == "GET" and len(parts) == 4 and parts[2] == "operations":
            return self._operation(parts[3])
        if not (method == "PUT" and len(parts) == 5 and parts[2] == "instances" and parts[4] == "users"):
            return 404, _error(404, "NOT_FOUND", f"Method not found: {method} {rest}")
        instance, user = parts[3], query.get("name", [""])[0]
        if ("cloudsql.users.update", instance) in self.side.denied:
            return 403, _error(403, "PERMISSION_DENIED", "The client is not authorized to make this request.")
        if not any(i == instance for i, _ in self.side.sql_users):
            return 404, _error(404, "NOT_FOUND", "The Cloud SQL instance does not exist.")
        if (instance, user) not in self.side.sql_users:
            return 404, _error(404, "NOT_FOUND", f"The user {user} does not exist.")
        if not isinstance(body, dict) or not isinstance(body.get("password"), str) or body.get("name") != user:
            return 400, _error(400, "INVALID_ARGUMENT", "Invalid request: user name or password missing.")
        self.side.sql_users[(instance, user)] = body["password"]
        name = str(uuid.uuid4())
        self.side.operations[name] = self.side.operation_polls
        return 200, self._operation_body(name, instance, "PENDING" if self.side.operation_polls else "DONE")

    def _operation(self, name: str) -> tuple[int, Any]:
        if name not in self.side.operations:
            return 404, _error(404, "NOT_FOUND", f"The operation {name} does not exist.")
        left = self.side.operations[name]
        self.side.operations[name] = max(left - 1, 0)
        return 200, self._operation_body(name, "", "RUNNING" if left > 1 else "DONE")

    def _operation_body(self, name: str, instance: str, status: str) -> dict[str, Any]:
        return {
            "kind": "sql#operation",
            "status": status,
            "operationType": "UPDATE_USER",
            "name": name,
            "targetId": instance,
            "targetProject": self.side.project,
            "selfLink": f"https://sqladmin.googleapis.com/sql/v1beta4/projects/{self.side.project}/operations/{name}",
        }

    # Plumbing -------------------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                split = urlsplit(self.path)
                query = parse_qs(split.query)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with fake._lock:
                    fake.requests.append(Recorded(self.command, split.path, query))
                    status, answer = fake._route(
                        self.command, split.path, query, raw, self.headers.get("Authorization")
                    )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _answer

        return Handler

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], raw: bytes, authorization: str | None
    ) -> tuple[int, Any]:
        if path == "/token" and method == "POST":
            return self.token(parse_qs(raw.decode()))
        if authorization != f"Bearer {self.side.access_token}":
            return 401, _error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential.",
            )
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return 400, _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if path.startswith("/v1/"):
            return self.secret_manager(method, path.removeprefix("/v1/"), query, body)
        if path.startswith("/sql/v1beta4/"):
            return self.sql(method, path.removeprefix("/sql/v1beta4/"), query, body)
        return 404, _error(404, "NOT_FOUND", f"The requested URL {path} was not found on this server.")


@contextmanager
def fake_gateway_apis(side: GoogleSide) -> Iterator[FakeGatewayApis]:
    """Serve on 127.0.0.1 (an ephemeral port) for the duration."""
    fake = FakeGatewayApis(side)
    fake.thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        fake.thread.join(timeout=5)
