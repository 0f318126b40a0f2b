"""`claude-vertex-doctor --gateway`: the path through the company's Claude apps gateway, checked in the order a
developer's Claude Code meets it. No Google credentials are involved: the gateway holds them.

1. the managed settings that send Claude Code to the gateway (which file, what differs);
2. the gateway's name resolves, to an address Claude Code accepts (private, or a declared network);
3. a TCP connection opens; 4. the TLS certificate verifies, names the host and is not about to expire;
5. the gateway answers its health probes; 6. the developer is signed in (Claude Code's stored sign-in);
7. with that sign-in, the models the developer's group may use.
A network check that fails stops the network checks after it (Claude Code would stop there too); the sign-in is
read either way.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claude_vertex_doctor import gateway_access, gateway_health, gateway_network, gateway_signin, gateway_tls
from claude_vertex_doctor import managed_settings as managed
from claude_vertex_doctor.clock import utc_now
from claude_vertex_doctor.gateway_http import Client
from claude_vertex_doctor.gateway_network import Resolver, system_resolver
from claude_vertex_doctor.gateway_tls import Trust
from claude_vertex_doctor.gateway_url import GatewayUrl
from claude_vertex_doctor.report import Report

SUBJECT = "Claude Code through the gateway"


@dataclass(frozen=True)
class Timeouts:
    """Seconds each step may take at most (the name lookup's is the client's own)."""

    resolve: float = 10.0
    connect: float = 5.0
    tls: float = 10.0
    request: float = 15.0


@dataclass(frozen=True)
class Network:
    """How the doctor reaches the world: the resolver, the time limits, the clock (tests replace them)."""

    resolve: Resolver = system_resolver
    timeouts: Timeouts = field(default_factory=Timeouts)
    now: Callable[[], dt.datetime] = utc_now


@dataclass(frozen=True)
class Options:
    requested: GatewayUrl | None  # --gateway URL; None: the managed settings' URL
    managed_settings: Path
    trust: Trust
    platform: str = sys.platform


def diagnose(options: Options, environ: Mapping[str, str], network: Network | None = None) -> Report:
    """Every gateway check, in order."""
    network = network or Network()
    timeouts = network.timeouts
    report = Report(subject=SUBJECT)
    settings = managed.read(options.managed_settings)
    target = managed.check(settings, options.requested, report, options.platform)
    url = target.url
    if url is None:
        report.add(
            "gateway.url",
            "fail",
            "there is no gateway to check: no managed settings name one, and no URL was given",
            "pass its URL: claude-vertex-doctor --gateway https://<the gateway's host name>",
        )
        return report
    now = network.now()
    pin, client, answering = None, None, False
    addresses = gateway_network.check_address(url, target.declared, network.resolve, timeouts.resolve, report)
    address = gateway_network.check_connect(url, addresses, timeouts.connect, report) if addresses else None
    if address is not None:
        pin = gateway_tls.check(url, address, options.trust, timeouts.tls, report, now)
        if pin is not None:
            client = Client(url, address, options.trust.context, timeouts.request)
            answering = gateway_health.check(client, report)
    session = gateway_signin.check(url, pin, environ, report, now, options.platform)
    if session is not None and client is not None and answering:
        gateway_access.check(client, session, report)
    return report
