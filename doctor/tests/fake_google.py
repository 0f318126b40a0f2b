"""A real HTTP server on 127.0.0.1 that answers as Vertex AI, Resource Manager and Google's token endpoint do.

The doctor reaches it the way Claude Code and gcloud would reach a stand-in: Vertex through
`ANTHROPIC_VERTEX_BASE_URL`, Resource Manager through `CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER`,
the token endpoint through the `token_uri`/`token_url` a credentials file names. Status codes and error bodies
are the ones Vertex sends (including its habit of wrapping the error object in a JSON array). Every request is
recorded, so a test can prove the doctor never sent one that would be billed.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

VERTEX_RE = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/publishers/anthropic/models/"
    r"(?P<model>[^/:]+):(?P<method>rawPredict|streamRawPredict)$"
)
RM_RE = re.compile(r"^/v1/projects/(?P<project>[^/:]+):testIamPermissions$")
PREDICT = "aiplatform.endpoints.predict"
SERVICE_USAGE = "serviceusage.services.use"


@dataclass
class Scenario:
    """The state of the Google side: who holds what, which models are enabled and served where, quotas."""

    project: str = "team-proj"
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> principal
    grants: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (principal, project) -> permissions
    enabled: set[str] = field(default_factory=set)  # model IDs enabled in Model Garden for the project
    served: dict[str, tuple[str, ...]] = field(default_factory=dict)  # model ID -> regions that serve it
    quota: dict[tuple[str, str], str] = field(default_factory=dict)  # (model, region) -> "exhausted" | "zero"
    quota_base_model: dict[tuple[str, str], str] = field(default_factory=dict)  # (model, region) -> base_model
    allowed_models: set[str] | None = None  # vertexai.allowedModels on the project (None: no policy)
    issued_token: str = ""  # what the token endpoint hands out for any valid grant
    refresh_tokens: set[str] = field(default_factory=set)
    workforce_principal: str = ""  # what token introspection names for a workforce token


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: object


def _error(code: int, status: str, message: str, reason: str | None = None) -> dict:
    error: dict = {"code": code, "message": message, "status": status}
    if reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}]
    return {"error": error}


class FakeGoogle:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGoogle:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # -- the services ---------------------------------------------------------------------------------------

    def _principal(self, headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        return self.scenario.tokens.get(auth[len("Bearer ") :]) if auth.startswith("Bearer ") else None

    def token_endpoint(self, form: dict[str, list[str]]) -> tuple[int, object]:
        grant = form.get("grant_type", [""])[0]
        if grant == "refresh_token" and form.get("refresh_token", [""])[0] not in self.scenario.refresh_tokens:
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        if grant not in ("refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"):
            return 400, {"error": "unsupported_grant_type"}
        return 200, {"access_token": self.scenario.issued_token, "expires_in": 3599, "token_type": "Bearer"}

    def introspect(self, form: dict[str, list[str]]) -> tuple[int, object]:
        """Google STS token introspection (RFC 7662) for a workforce access token."""
        principal = self.scenario.tokens.get(form.get("token", [""])[0])
        if principal is None:
            return 200, {"active": False}
        return 200, {"active": True, "username": self.scenario.workforce_principal, "client_id": "32555940559"}

    def resource_manager(self, project: str, headers: dict[str, str], body: dict) -> tuple[int, object]:
        principal = self._principal(headers)
        if principal is None:
            return 401, _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        held = self.scenario.grants.get((principal, project))
        if held is None:
            return 403, _error(403, "PERMISSION_DENIED", "The caller does not have permission")
        granted = [p for p in body.get("permissions", []) if p in held]
        return 200, ({"permissions": granted} if granted else {})

    def vertex(self, m: re.Match, headers: dict[str, str], body: object) -> tuple[int, object]:
        s = self.scenario
        project, region, model = m["project"], m["region"], m["model"]
        if model == "count-tokens":
            model = body.get("model", "") if isinstance(body, dict) else ""
        resource = f"projects/{project}/locations/{region}/publishers/anthropic/models/{model}"
        principal = self._principal(headers)
        if principal is None:
            return 401, _error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential.",
                "ACCESS_TOKEN_TYPE_UNSUPPORTED",
            )
        user_project = headers.get("x-goog-user-project")
        if user_project and SERVICE_USAGE not in s.grants.get((principal, user_project), set()):
            return 403, _error(
                403,
                "PERMISSION_DENIED",
                f"Caller does not have required permission to use project {user_project}. Grant the caller the "
                "roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use "
                f"permission, by visiting https://console.developers.google.com/iam-admin/iam/admin?project="
                f"{user_project} and then retry. Propagation of the new permission may take a few minutes.",
                "USER_PROJECT_DENIED",
            )
        if PREDICT not in s.grants.get((principal, project), set()):
            return 403, _error(
                403,
                "PERMISSION_DENIED",
                f"Permission '{PREDICT}' denied on resource '//aiplatform.googleapis.com/{resource}' "
                "(or it may not exist).",
                "IAM_PERMISSION_DENIED",
            )
        if s.allowed_models is not None and model not in s.allowed_models:
            return 400, [
                _error(
                    400,
                    "FAILED_PRECONDITION",
                    f"Org Policy constraint `constraints/vertexai.allowedModels` violated for `projects/{project}` "
                    f"attempting to use a disallowed Gen AI model publishers/anthropic/models/{model}.",
                )
            ]
        if model not in s.enabled or region not in s.served.get(model, ()):
            return 404, [
                _error(
                    404,
                    "NOT_FOUND",
                    f"Publisher Model `{resource}` was not found or your project does not have access to it. "
                    "Please ensure you are using a valid model version.",
                )
            ]
        if (model, region) in s.quota:
            metric = {
                "zero": "online_prediction_requests_per_base_model",
                "exhausted": "online_prediction_input_tokens_per_minute_per_base_model",
            }[s.quota[(model, region)]]
            base = s.quota_base_model[(model, region)]
            return 429, [
                _error(
                    429,
                    "RESOURCE_EXHAUSTED",
                    f"Quota exceeded for aiplatform.googleapis.com/{metric} with base model: {base}. Please submit "
                    "a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.",
                )
            ]
        if m["model"] == "count-tokens":
            return 200, {"input_tokens": 8}
        if not isinstance(body, dict) or not body.get("messages"):
            invalid = {"type": "invalid_request_error", "message": "messages: Field required"}
            return 400, {"type": "error", "error": invalid}
        return 200, {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": model,
            "usage": {"input_tokens": 8, "output_tokens": 1},
        }

    def billable(self) -> list[Recorded]:
        """Requests Vertex would bill: generation (not token counting) with a non-empty message list."""
        out = []
        for r in self.requests:
            m = VERTEX_RE.match(r.path)
            if m and m["model"] != "count-tokens" and isinstance(r.body, dict) and r.body.get("messages"):
                out.append(r)
        return out

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                self._reply(404, _error(404, "NOT_FOUND", "Not found"))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                    body: object = parse_qs(raw)
                else:
                    try:
                        body = json.loads(raw) if raw else None
                    except json.JSONDecodeError:
                        body = raw
                with fake._lock:
                    fake.requests.append(Recorded("POST", self.path, headers, body))
                if self.path == "/introspect":
                    status, payload = fake.introspect(body if isinstance(body, dict) else {})
                elif self.path == "/token":
                    status, payload = fake.token_endpoint(body if isinstance(body, dict) else {})
                elif m := RM_RE.match(self.path):
                    status, payload = fake.resource_manager(m["project"], headers, body or {})
                elif m := VERTEX_RE.match(self.path):
                    status, payload = fake.vertex(m, headers, body)
                else:
                    status, payload = 404, _error(404, "NOT_FOUND", f"no route for {self.path}")
                self._reply(status, payload)

            def _reply(self, status: int, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
