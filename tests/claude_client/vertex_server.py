"""A loopback HTTP server that answers Claude Code as Vertex AI's Anthropic publisher endpoints do.

Claude Code on Vertex (with `CLAUDE_CODE_SKIP_VERTEX_AUTH=1` and `ANTHROPIC_VERTEX_BASE_URL` pointing here)
sends Anthropic Messages requests to

    POST /v1/projects/<project>/locations/<region>/publishers/anthropic/models/<model>:streamRawPredict
    POST /v1/projects/<project>/locations/<region>/publishers/anthropic/models/<model>:rawPredict
    POST /v1/projects/<project>/locations/<region>/publishers/anthropic/models/count-tokens:rawPredict

Vertex takes the model from the path and the API version from the body (`anthropic_version:
vertex-2023-10-16`), answers a streaming call with an Anthropic Messages SSE stream and a non-streaming
one with a Messages JSON object, counts tokens as `{"input_tokens": N}`, and rejects anything else with
a Google error object. This server does the same and records every request, so a test can assert where
each one went. `EgressTrap` is the other half: an HTTP(S) proxy the client is pointed at for any host
that is not loopback, which refuses and records whatever reaches it.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"
MAX_BODY_BYTES = 16 * 1024 * 1024
PUBLISHER_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/publishers/anthropic/models/(?P<model>[^/:]+):(?P<verb>rawPredict|streamRawPredict)$"
)


@dataclass(frozen=True)
class Recorded:
    """One request as it arrived: the raw path (exactly what the client sent) and its JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def is_generation(self) -> bool:
        match = PUBLISHER_PATH.match(unquote(self.path))
        return bool(match and match["model"] != "count-tokens")


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.recorded: list[Recorded] = []
        self.lock = threading.Lock()
        self.answer = ""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (as it does on a refused tunnel) is not a server error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def record(self, request: Recorded) -> None:
        with self.lock:
            self.recorded.append(request)


class _Background:
    """Runs a `_RecordingServer` on a thread for the length of a `with` block."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = _RecordingServer(handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def requests(self) -> list[Recorded]:
        with self._server.lock:
            return list(self._server.recorded)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class _VertexHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _RecordingServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads the recorded requests instead."""

    def do_POST(self) -> None:
        raw = self._read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.server.record(Recorded("POST", self.path, dict(self.headers.items()), body))
        match = PUBLISHER_PATH.match(unquote(self.path))
        if match is None:
            self._google_error(HTTPStatus.NOT_FOUND, f"The requested URL {self.path} was not found on this server.")
            return
        if not isinstance(body, dict):
            self._google_error(HTTPStatus.BAD_REQUEST, "Invalid JSON payload received.")
            return
        if body.get("anthropic_version") != VERTEX_ANTHROPIC_VERSION:
            self._google_error(HTTPStatus.BAD_REQUEST, f"anthropic_version must be {VERTEX_ANTHROPIC_VERSION}")
            return
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            self._google_error(HTTPStatus.BAD_REQUEST, "messages: field required")
            return
        if match["model"] == "count-tokens":
            self._json(HTTPStatus.OK, {"input_tokens": _estimate_tokens(body)})
        elif match["verb"] == "streamRawPredict":
            self._stream(match["model"], body)
        else:
            self._json(HTTPStatus.OK, _message(match["model"], body, self.server.answer))

    def do_GET(self) -> None:
        self.server.record(Recorded("GET", self.path, dict(self.headers.items()), None))
        self._google_error(HTTPStatus.NOT_FOUND, f"The requested URL {self.path} was not found on this server.")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY_BYTES)) if length > 0 else b""

    def _stream(self, model: str, body: dict[str, Any]) -> None:
        data = b"".join(
            f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
            for event in _stream_events(model, body, self.server.answer)
        )
        self._send(HTTPStatus.OK, "text/event-stream; charset=utf-8", data)

    def _json(self, status: HTTPStatus, payload: Any) -> None:
        self._send(status, "application/json; charset=UTF-8", json.dumps(payload).encode())

    def _google_error(self, status: HTTPStatus, message: str) -> None:
        error = {"error": {"code": status.value, "message": message, "status": _GOOGLE_STATUS[status]}}
        self._json(status, error)

    def _send(self, status: HTTPStatus, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


_GOOGLE_STATUS = {HTTPStatus.BAD_REQUEST: "INVALID_ARGUMENT", HTTPStatus.NOT_FOUND: "NOT_FOUND"}


def _estimate_tokens(body: dict[str, Any]) -> int:
    return max(1, len(json.dumps(body.get("messages"))) // 4)


def _message(model: str, body: dict[str, Any], answer: str) -> dict[str, Any]:
    return {
        "id": "msg_vrtx_local",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": answer}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": _estimate_tokens(body), "output_tokens": len(answer.split())},
    }


def _stream_events(model: str, body: dict[str, Any], answer: str) -> Iterator[dict[str, Any]]:
    """The Anthropic Messages stream for one text block, as Vertex relays it."""
    usage = {"input_tokens": _estimate_tokens(body), "output_tokens": 1}
    start = {**_message(model, body, answer), "content": [], "stop_reason": None, "usage": usage}
    yield {"type": "message_start", "message": start}
    yield {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    yield {"type": "ping"}
    yield {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": answer}}
    yield {"type": "content_block_stop", "index": 0}
    yield {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": len(answer.split())},
    }
    yield {"type": "message_stop"}


class VertexServer(_Background):
    """`with VertexServer(answer) as vertex:` then point the client at `vertex.base_url`."""

    def __init__(self, answer: str) -> None:
        super().__init__(_VertexHandler)
        self._server.answer = answer

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


class _TrapHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _RecordingServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads the recorded requests instead."""

    def _refuse(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(min(length, MAX_BODY_BYTES))
        self.server.record(Recorded(self.command, self.path, dict(self.headers.items()), None))
        data = b"egress from the offline client test is refused\n"
        self.send_response(HTTPStatus.FORBIDDEN)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    do_CONNECT = do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _refuse


class EgressTrap(_Background):
    """An HTTP(S) proxy on loopback that refuses every request and records its target (`CONNECT host:443`)."""

    def __init__(self) -> None:
        super().__init__(_TrapHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
