"""The gateway's name and the network path to it: does the name resolve, to an address Claude Code accepts, and does
a TCP connection to it open?

Resolution is bounded (the system resolver has no timeout of its own: it runs in a daemon thread, so a hung lookup
neither blocks the verdict nor the doctor's exit). A failure here is a network failure ("cannot reach"): it says
nothing about the developer's groups or sign-in, and the fix says so.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence

from claude_vertex_doctor.gateway_url import GatewayUrl
from claude_vertex_doctor.private_network import IPv4Network, judge
from claude_vertex_doctor.report import Report

MAX_ATTEMPTS = 4
Resolver = Callable[[str, float], Sequence[str]]
"""(host, timeout in seconds) -> the addresses the name resolves to; OSError when it does not resolve."""
NETWORK_FIX = (
    "connect to the company network (office or VPN) and rerun; if you are on it, tell your platform team the gateway "
    "does not answer"
)


def _literal(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return True
        except OSError:
            continue
    return False


def system_resolver(host: str, timeout: float) -> Sequence[str]:
    """The system resolver, as Claude Code asks it (every address, IPv4 and IPv6), given at most `timeout` seconds."""
    if _literal(host):
        return [host]
    outcome: list[object] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            outcome.append(list(dict.fromkeys(str(info[4][0]) for info in infos)))
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise TimeoutError(f"no answer within {timeout:g} s")
    result = outcome[0]
    if isinstance(result, OSError):
        raise result
    return result  # type: ignore[return-value]


def check_address(
    url: GatewayUrl, declared: Sequence[IPv4Network], resolve: Resolver, timeout: float, report: Report
) -> list[str] | None:
    """The addresses the gateway's name resolves to, if Claude Code would accept them."""
    try:
        addresses = list(resolve(url.host, timeout))
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        report.add(
            "gateway.address",
            "fail",
            f"cannot resolve {url.host} ({reason})",
            "connect to the company network (office or VPN): the gateway's name resolves there; if you are on it, "
            "check the URL and tell your platform team",
        )
        return None
    if not addresses:
        report.add("gateway.address", "fail", f"{url.host} resolves to no address", NETWORK_FIX)
        return None
    verdict = judge(addresses, declared)
    if not verdict.accepted:
        report.add(
            "gateway.address",
            "fail",
            f"{url.host} resolves to {verdict.detail}: Claude Code refuses a gateway that is not on a private network",
            "on the company network (or VPN) the name resolves to a private address: connect and rerun; if it still "
            "resolves publicly, tell your platform team to publish only private records for it",
        )
        return None
    named = f"{url.host} is an address, not a name:" if _literal(url.host) else f"{url.host} resolves to"
    report.add("gateway.address", "ok", f"{named} {verdict.detail}")
    return addresses


def check_connect(url: GatewayUrl, addresses: Sequence[str], timeout: float, report: Report) -> str | None:
    """The first address a TCP connection opens to, trying each in turn (the first MAX_ATTEMPTS: a name with a hundred
    addresses must not hold the doctor for a hundred timeouts)."""
    failures: list[str] = []
    for address in addresses[:MAX_ATTEMPTS]:
        started = time.monotonic()
        try:
            with socket.create_connection((address, url.port), timeout=timeout):
                elapsed = (time.monotonic() - started) * 1000
        except TimeoutError:
            failures.append(f"{address}: no answer within {timeout:g} s")
            continue
        except OSError as exc:
            failures.append(f"{address}: {exc.strerror or type(exc).__name__}")
            continue
        report.add("gateway.connect", "ok", f"{url.host} port {url.port} answers at {address} ({elapsed:.0f} ms)")
        return address
    report.add(
        "gateway.connect", "fail", f"cannot reach {url.host} port {url.port} ({'; '.join(failures)})", NETWORK_FIX
    )
    return None
