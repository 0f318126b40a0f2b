"""The Google metadata server on loopback: where the gateway's `auth: {}` (ADC) finds its credentials.

On Cloud Run, a Vertex upstream with `auth: {}` gets its access token from the metadata server as the service's own
service account; Google's auth library finds it through `GCE_METADATA_HOST` (here: this server) and asks

    GET /computeMetadata/v1/instance                                      is a metadata server there?
    GET /computeMetadata/v1/universe/universe-domain                      which Google universe
    GET /computeMetadata/v1/instance/service-accounts/default/token       an access token (scopes in the query)

each with `Metadata-Flavor: Google`, which the real server requires (403 without) and echoes in every answer. The
token this server hands out is the one the fake Vertex must see: proof that the gateway calls Vertex with its own
identity, never with the developer's gateway session.
"""

from __future__ import annotations

import json
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

ROOT = "/computeMetadata/v1"
FLAVOR = ("Metadata-Flavor", "Google")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    access_token: str
    service_account: str
    tokens_issued: int
    lock: threading.Lock


class MetadataServer:
    """`with MetadataServer(service_account) as metadata:`; give the gateway `metadata.environment`."""

    def __init__(self, service_account: str) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.access_token = f"ya29.gateway-sa-{secrets.token_urlsafe(16)}"
        self._server.service_account = service_account
        self._server.tokens_issued = 0
        self._server.lock = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever, name="metadata-server", daemon=True)

    @property
    def access_token(self) -> str:
        """The gateway service account's token: what Vertex must see in `Authorization: Bearer ...`."""
        return self._server.access_token

    @property
    def tokens_issued(self) -> int:
        with self._server.lock:
            return self._server.tokens_issued

    @property
    def environment(self) -> dict[str, str]:
        """How Google's auth library is pointed at a metadata server that is not 169.254.169.254."""
        return {"GCE_METADATA_HOST": f"127.0.0.1:{self._server.server_address[1]}"}

    def __enter__(self) -> MetadataServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the assertions read what Vertex received."""

    def do_GET(self) -> None:
        if self.headers.get(FLAVOR[0]) != FLAVOR[1]:
            self._send(HTTPStatus.FORBIDDEN, "text/plain", b"Missing Metadata-Flavor:Google header.")
            return
        path = urlsplit(self.path).path.rstrip("/")
        account = f"{ROOT}/instance/service-accounts/default"
        if path == f"{ROOT}/instance":
            self._send(HTTPStatus.OK, "application/text", b"attributes/\nservice-accounts/\nzone\n")
        elif path == f"{ROOT}/universe/universe-domain":
            self._send(HTTPStatus.OK, "application/text", b"googleapis.com")
        elif path == f"{account}/email":
            self._send(HTTPStatus.OK, "application/text", self.server.service_account.encode())
        elif path == f"{account}/token":
            with self.server.lock:
                self.server.tokens_issued += 1
            token = {"access_token": self.server.access_token, "expires_in": 3599, "token_type": "Bearer"}
            self._send(HTTPStatus.OK, "application/json", json.dumps(token).encode())
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"Not Found")

    def _send(self, status: HTTPStatus, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header(*FLAVOR)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
