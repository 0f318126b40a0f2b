"""The gateway proof's fixtures: one lab (IdP, PostgreSQL, metadata server, egress trap) and one fake Vertex per
session, the config under test (`gateway_config_for_test()`), and the real gateway booted from it.

Under `make test-gateway` (CLAUDE_VERTEX_GATEWAY=required) a missing PostgreSQL or client fails the run; elsewhere
the tests skip, saying why. Every test checks that nothing tried to leave loopback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.claude_client.install import ClientUnavailable, ensure_client
from tests.claude_client.vertex_server import VertexServer
from tests.support.gateway.config import Team, email_domain, gateway_config_for_test, parse
from tests.support.gateway.developer import MACHINE_MANAGED_SETTINGS, SignedIn, sign_in_home
from tests.support.gateway.device_flow import sign_in
from tests.support.gateway.lab import VERTEX_ANSWER, Lab, RunningGateway
from tests.support.gateway.oidc_issuer import Person
from tests.support.gateway.postgres import PostgresUnavailable

REQUIRED = os.environ.get("CLAUDE_VERTEX_GATEWAY") == "required"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def claude_binary() -> Path:
    try:
        return ensure_client()
    except ClientUnavailable as err:
        _unavailable(f"the real Claude Code client cannot run here: {err}")
        raise


@pytest.fixture(scope="session")
def rendered_config() -> dict[str, Any]:
    """The gateway.yaml under test, parsed, exactly as rendered (no loopback override yet)."""
    return parse(gateway_config_for_test())


@pytest.fixture(scope="session")
def lab(
    claude_binary: Path, rendered_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lab]:
    if MACHINE_MANAGED_SETTINGS.exists():
        _unavailable(
            f"{MACHINE_MANAGED_SETTINGS} exists: its managed settings would override the developer's gateway "
            "settings the proof gives each client; run the proof on a machine (or namespace) without it"
        )
    try:
        with Lab(claude_binary, tmp_path_factory.mktemp("gateway-lab"), rendered_config["oidc"]["client_id"]) as lab:
            yield lab
    except PostgresUnavailable as err:
        _unavailable(f"PostgreSQL cannot run here: {err}")


@pytest.fixture(scope="session")
def vertex() -> Iterator[VertexServer]:
    with VertexServer(VERTEX_ANSWER) as server:
        yield server


@pytest.fixture(scope="session")
def gateway(lab: Lab, rendered_config: dict[str, Any], vertex: VertexServer) -> Iterator[RunningGateway]:
    """The rendered config booted with every upstream on the fake Vertex."""
    with lab.boot(rendered_config, "main", lambda upstream: vertex.base_url) as running:
        yield running


@pytest.fixture(autouse=True)
def nothing_leaves_loopback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every process is proxied to the lab's egress trap for any host but 127.0.0.1: it must see nothing."""
    if "lab" not in request.fixturenames:
        yield
        return
    lab: Lab = request.getfixturevalue("lab")
    before = len(lab.trap.requests)
    yield
    escaped = [f"{seen.method} {seen.path}" for seen in lab.trap.requests[before:]]
    assert not escaped, f"something tried to leave loopback: {escaped}"


@pytest.fixture
def sign_in_developer(lab: Lab, tmp_path: Path) -> Callable[[RunningGateway, Team, str], SignedIn]:
    """`sign_in_developer(gateway, team, "alice")`: enrolled at the IdP in the team's group, signed in, HOME ready."""

    def sign_in_as(gateway: RunningGateway, team: Team, who: str) -> SignedIn:
        slug = re.sub(r"[^a-z0-9]+", "-", team.group.lower()).strip("-")
        domain = email_domain(gateway.config)
        person = Person(sub=f"{who}-{slug}", email=f"{who}.{slug}@{domain}", groups=(team.group,))
        lab.issuer.enroll(person)
        session = sign_in(gateway.url, person)
        home = tmp_path / f"home-{who}-{slug}"
        sign_in_home(home, gateway.url, session)
        return SignedIn(person, session, home, gateway)

    return sign_in_as
