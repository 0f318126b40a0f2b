"""IAM as the offline engine serves it: a local HTTP server (127.0.0.1 only) that answers like Google's IAM API.

The program itself calls IAM under `pulumi up` (the readiness gate, claude_vertex/resources/readiness_gate.py), at
the endpoint and with the credentials the Google provider would use (`provider_environment.py`: environment
variables). So every render the offline engine runs as `pulumi up` (mocks with `preview=False`) points those
variables at this server (`stand_in_iam`), exactly as a deployer points the provider at a custom endpoint; nothing
in the program knows it runs under mocks, and nothing reaches Google.

It serves `GET /v1/projects/<p>/serviceAccounts` and `/roles` with GCP's real SERVICE_DISABLED error body
for the first `disabled_for` requests to each path, then 200 with GCP's list shape; and Google's STS
token endpoint (`POST /token`) the way it answers a token exchange, so Application Default
Credentials can be exercised end to end without any real credential.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from claude_vertex.resources.provider_environment import ACCESS_TOKEN_VARIABLE, IAM_ENDPOINT_VARIABLE, VARIABLES

PROJECT_NUMBER = "123456789012"


def service_disabled_body(project_number: str = PROJECT_NUMBER) -> bytes:
    """The 403 GCP returns while iam.googleapis.com is off (or not yet served) for the project."""
    activation = f"https://console.developers.google.com/apis/api/iam.googleapis.com/overview?project={project_number}"
    message = (
        f"Identity and Access Management (IAM) API has not been used in project {project_number} before or it "
        f"is disabled. Enable it by visiting {activation} then retry. If you enabled this API recently, wait a "
        "few minutes for the action to propagate to our systems and retry."
    )
    return json.dumps(
        {
            "error": {
                "code": 403,
                "message": message,
                "status": "PERMISSION_DENIED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "SERVICE_DISABLED",
                        "domain": "googleapis.com",
                        "metadata": {
                            "service": "iam.googleapis.com",
                            "consumer": f"projects/{project_number}",
                            "serviceTitle": "Identity and Access Management (IAM) API",
                            "containerInfo": project_number,
                            "activationUrl": activation,
                        },
                    },
                    {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message},
                    {
                        "@type": "type.googleapis.com/google.rpc.Help",
                        "links": [{"description": "Google developers console API activation", "url": activation}],
                    },
                ],
            }
        }
    ).encode()


def unauthenticated_body() -> bytes:
    """The 401 GCP returns for an expired or foreign token."""
    return json.dumps(
        {
            "error": {
                "code": 401,
                "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                "cookie or other valid authentication credential.",
                "status": "UNAUTHENTICATED",
            }
        }
    ).encode()


@dataclass
class IamState:
    """What the server answers and what it saw."""

    disabled_for: int = 0  # SERVICE_DISABLED answers per path before it turns ready; -1: never ready
    status_override: int | None = None  # answer every IAM call with this instead: 401 (expired token), 302 (moved)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, authorization)
    seen: Counter[str] = field(default_factory=Counter)
    token: str = "ya29.local-test-token"


class _Handler(BaseHTTPRequestHandler):
    state: IamState

    def log_message(self, *_args: object) -> None:
        pass

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self.state.requests.append(("POST", self.path, ""))
        if self.path == "/token":
            # Google's STS answer to a token exchange (RFC 8693), which is what keyless CI's ADC does.
            body = {
                "access_token": self.state.token,
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "token_type": "Bearer",
                "expires_in": 3599,
            }
            self._send(200, json.dumps(body).encode())
        else:
            self._send(404, b"{}")

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.state.requests.append(("GET", self.path, self.headers.get("Authorization", "")))
        if not (path.endswith("/serviceAccounts") or path.endswith("/roles")):
            self._send(404, b'{"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}}')
            return
        if self.state.status_override == 401:
            self._send(401, unauthenticated_body())
            return
        if self.state.status_override == 302:
            # Somewhere else entirely: a client that follows would hand that host the bearer token.
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/stolen" + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.state.seen[path] += 1
        if self.state.disabled_for < 0 or self.state.seen[path] <= self.state.disabled_for:
            self._send(403, service_disabled_body())
            return
        self._send(200, b"{}\n" if path.endswith("/roles") else b'{"accounts": []}\n')


@contextmanager
def iam_server(state: IamState) -> Iterator[str]:
    """Serve on 127.0.0.1 (an ephemeral port) for the duration; yields the base URL."""
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # Stopping waits for the serve loop's next poll: every offline render starts and stops one, so poll often.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.002}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def iam_endpoint(base: str) -> str:
    """The `GOOGLE_IAM_CUSTOM_ENDPOINT` value for a server at `base`: its IAM base path, as the provider takes it."""
    return f"{base}/v1/"


@contextmanager
def stand_in_iam(state: IamState | None = None) -> Iterator[dict[str, str]]:
    """A local IAM (ready at once unless `state` says otherwise) and a token for it: the variables to point at it."""
    state = state if state is not None else IamState()
    with iam_server(state) as base:
        yield {IAM_ENDPOINT_VARIABLE: iam_endpoint(base), ACCESS_TOKEN_VARIABLE: state.token}


@contextmanager
def google_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """`os.environ` with the variables that decide where and as whom the program calls IAM set to exactly
    `variables` (the others removed) for the duration: nothing of the caller's own Google setup leaks in."""
    saved = {name: os.environ.get(name) for name in VARIABLES}
    unknown = sorted(set(variables) - set(VARIABLES))
    if unknown:
        raise ValueError(f"not a variable the program reads for IAM: {', '.join(unknown)}")
    try:
        for name in VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(variables)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
