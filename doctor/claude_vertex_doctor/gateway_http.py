"""HTTP to the gateway, bounded: one connection per request to the address the doctor checked, the TLS trust it
checked, a wall-clock limit on the whole exchange and a byte limit on the answer.

Whatever comes back (a huge body, a trickle, garbage, a proxy's HTML page) ends as an `Answer` or as one
`HttpFailure` line; nothing read is ever larger than the limit. Proxy variables are not read: the doctor judges the
direct path to the address it resolved, as Claude Code's own host check does.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from claude_vertex_doctor.deadline import bounded
from claude_vertex_doctor.gateway_url import GatewayUrl

MAX_BODY = 1 << 20
USER_AGENT = "claude-vertex-doctor"


class HttpFailure(Exception):
    """No usable answer: the line says what happened (never the request's credentials)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> object:
        """The body as JSON; HttpFailure (one line) when it is not."""
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise HttpFailure(f"answered {self.status} with a body that is not JSON: {self.excerpt()}") from None

    def excerpt(self, limit: int = 160) -> str:
        text = self.body[: limit * 4].decode("utf-8", "replace")
        return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:limit] or "(empty)"


class _Connection(http.client.HTTPSConnection):
    """An HTTP(S) connection to a given address, named by the gateway's host (Host header, SNI, certificate)."""

    def __init__(self, url: GatewayUrl, address: str, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(url.host, url.port, timeout=timeout, context=context)
        self._address = address
        self._tls = context if url.tls else None

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), timeout=self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host) if self._tls else sock


@dataclass(frozen=True)
class Client:
    url: GatewayUrl
    address: str
    context: ssl.SSLContext  # used only for an https URL
    timeout: float

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        limit: int = MAX_BODY,
    ) -> Answer:
        connection = _Connection(self.url, self.address, self.context, self.timeout)
        target = self.url.endpoint(path)
        where = f"{method} {target}"
        try:
            connection.connect()
            with bounded(connection.sock, self.timeout) as deadline:
                try:
                    connection.request(method, target, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
                    response = connection.getresponse()
                    data = response.read(limit + 1)
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    if deadline.expired:
                        raise TimeoutError from None
                    raise exc
            if deadline.expired:  # the cut ended the read early: what arrived is not the whole answer
                raise TimeoutError
        except TimeoutError:
            raise HttpFailure(f"{where}: no complete answer within {self.timeout:g} s") from None
        except ssl.SSLError as exc:
            raise HttpFailure(f"{where}: TLS failed ({exc.reason or type(exc).__name__})") from None
        except http.client.HTTPException as exc:
            raise HttpFailure(f"{where}: not an HTTP answer ({type(exc).__name__})") from None
        except (OSError, ValueError) as exc:
            raise HttpFailure(f"{where}: {getattr(exc, 'strerror', None) or type(exc).__name__}") from None
        finally:
            connection.close()
        if len(data) > limit:
            raise HttpFailure(f"{where}: answered {response.status} with more than {limit} bytes")
        return Answer(response.status, data)
