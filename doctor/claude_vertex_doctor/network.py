"""Network failures, told apart from answers: "cannot reach <host>" and why (the name does not resolve, the connection
is refused, no answer in time, TLS failed, the proxy failed), with a fix about the network, never about grants.

Every HTTP library the doctor uses on the Vertex path (requests for the token endpoint and Resource Manager, the
Anthropic SDK for Vertex) wraps the socket's error in its own, several layers deep; the cause is found by walking
the chain (`__cause__`, `__context__`, an exception carried in `args` or `reason`), bounded.

Those libraries bound each socket operation, not a whole exchange: a server that trickles a byte just inside each
read's timeout could hold the doctor for as long as it likes. `within` puts a wall clock on the whole exchange.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
"""What the doctor's HTTP clients (and Claude Code) read for a proxy to an https URL, in that order."""
_MAX_CHAIN = 24
GRACE_SECONDS = 2.0
"""How much longer than the per-operation timeout a whole exchange may take (so a silent server is reported by the
library's own timeout, and only a trickle by the wall clock)."""
T = TypeVar("T")


class Overtime(TimeoutError):
    """An exchange that had not finished when its wall-clock time was up (its thread is left to die with the doctor)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


def within(seconds: float, call: Callable[[], T]) -> T:
    """`call()`'s result or exception, or Overtime when it has not finished within `seconds`: it runs in a daemon
    thread, so an exchange that never ends neither holds the verdict nor the doctor's exit."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the caller as it is
            outcome.append((False, exc))

    worker = threading.Thread(target=run, name="claude-vertex-doctor request", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise Overtime(seconds)
    done, value = outcome[0]
    if done:
        return value  # type: ignore[return-value]
    raise value  # type: ignore[misc]


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps, each once, at most _MAX_CHAIN of them."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo and len(seen) < _MAX_CHAIN:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(w for w in wrapped if isinstance(w, BaseException))


def _named(exc: BaseException, word: str) -> bool:
    return any(word in cls.__name__ for cls in type(exc).__mro__)


def reason(exc: BaseException, timeout: float) -> str:
    """Why a request got no answer, in a developer's words (one short clause)."""
    chain = list(_chain(exc))
    if isinstance(exc, Overtime):
        return str(exc)
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return f"the name does not resolve: {cause.strerror or 'no address'}"
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"TLS failed: the certificate is not trusted ({cause.verify_message or cause.reason or 'unverified'})"
            )
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed ({cause.reason or type(cause).__name__})"
    if any(_named(cause, "Proxy") for cause in chain):
        return "the proxy refused or failed the connection"
    for cause in chain:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset"
    if any(isinstance(cause, TimeoutError) or _named(cause, "Timeout") for cause in chain):
        return f"no answer within {timeout:g} s"
    for cause in chain:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    return f"no answer ({type(exc).__name__})"


def host_of(url: str) -> str:
    """`host[:port]` of a URL, for the line that names what could not be reached."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return url[:80]
    return netloc.rpartition("@")[2] or url[:80]


def proxy(env: Mapping[str, str]) -> tuple[str, str] | None:
    """(variable, proxy without any user:password) of the proxy an https request goes through, if one is set."""
    for name in PROXY_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            parts = urlsplit(value if "://" in value else f"http://{value}")
            shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}" if parts.netloc else value[:80]
            return name, shown
    return None


def fix(env: Mapping[str, str]) -> str:
    """What to do about a network failure: the network, the VPN, the proxy (named when one is set)."""
    through = proxy(env)
    if through is not None:
        name, shown = through
        return (
            f"check your network and VPN, and the proxy {name}={shown}: is it up, and does it let this host through? "
            "Then rerun"
        )
    return (
        "check your network connection and VPN (behind a corporate proxy, set HTTPS_PROXY: Claude Code needs it too), "
        "then rerun"
    )


def cannot_reach(url: str, exc: BaseException, timeout: float) -> str:
    return f"cannot reach {host_of(url)} ({reason(exc, timeout)})"
