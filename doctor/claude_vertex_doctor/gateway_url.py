"""The gateway's address as Claude Code reads it (`forceLoginGatewayUrl`, or what a developer types at `/login`).

The client's rule (2.1.331): an address without a scheme is https; plain http is allowed only when the host is
exactly localhost, 127.0.0.1 or [::1] ("Plain HTTP is only allowed for localhost during development"); trailing
slashes are dropped, and two spellings name the same gateway when they agree after that; an address that carries
a user name, a query or a fragment is no gateway address. `parse` applies that rule, so the doctor compares the URL
it was given with the managed settings' one exactly as the client would.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

HTTP_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""The only hosts Claude Code reaches a gateway on over plain http."""
DEFAULT_PORTS = {"https": 443, "http": 80}


class UrlError(ValueError):
    """Not an address Claude Code would accept for a gateway; the message says why, in one line."""


@dataclass(frozen=True)
class GatewayUrl:
    scheme: str
    host: str  # lowercase, IPv6 without brackets
    port: int
    path: str  # "" or "/prefix", never a trailing slash

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def endpoint(self, path: str) -> str:
        """The request target of one of the gateway's routes (`/healthz`), under the URL's own path."""
        return f"{self.path}{path}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}"


def parse(text: str) -> GatewayUrl:
    """The address in the one form Claude Code compares gateway addresses in."""
    raw = text.strip()
    if not raw:
        raise UrlError("is empty")
    if "://" not in raw:
        raw = f"https://{raw}"
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise UrlError(f"is not a URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlError(f"has scheme {parts.scheme!r}; a gateway is reached over https://")
    host = (parts.hostname or "").lower()
    if not host:
        raise UrlError("names no host")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise UrlError("carries a user name, a query or a fragment, which no gateway address has")
    if scheme == "http" and host not in HTTP_HOSTS:
        raise UrlError(
            "uses http://; Claude Code allows plain http only for localhost, 127.0.0.1 or [::1]: use https://"
        )
    return GatewayUrl(scheme, host, port or DEFAULT_PORTS[scheme], parts.path.rstrip("/"))
