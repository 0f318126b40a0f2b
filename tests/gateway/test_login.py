"""The real `/login`, in a pseudo-terminal: it stores the sign-in exactly as the proof's harness does, and then
`claude -p` runs as that developer. Slow and interactive: left out of `make test-gateway`, run by
`make test-gateway-login`.

What it proves: the stored sign-in every other gateway test starts from (developer.sign_in_home) is the one the
client itself writes after the browser device flow, key for key, pin included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.claude_client.vertex_server import VertexServer
from tests.support.gateway.config import email_domain, teams
from tests.support.gateway.developer import client_environment, managed_settings, run_claude, sign_in_home
from tests.support.gateway.device_flow import sign_in
from tests.support.gateway.lab import VERTEX_ANSWER, Lab, RunningGateway
from tests.support.gateway.oidc_issuer import Person
from tests.support.gateway.terminal_login import login_in_terminal

pytestmark = [pytest.mark.gateway_login, pytest.mark.slow]


def _stored(home: Path) -> dict[str, Any]:
    return json.loads((home / ".claude" / ".credentials.json").read_text())


def test_login_in_a_terminal_stores_what_the_harness_stores_and_claude_then_runs(
    gateway: RunningGateway, lab: Lab, vertex: VertexServer, claude_binary: Path, tmp_path: Path
) -> None:
    team = next(team for team in teams(gateway.config) if team.start_model)
    person = Person("terminal-dev", f"terminal.dev@{email_domain(gateway.config)}", (team.group,))
    lab.issuer.enroll(person)
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text(json.dumps(managed_settings(gateway.url)))
    env = {**client_environment(home, lab.trap.url), "TERM": "xterm-256color", "BROWSER": "/bin/true"}
    (home / "work").mkdir()

    login_in_terminal(claude_binary, env, home / "work", gateway.url, person)

    by_login = _stored(home)
    harness_home = tmp_path / "harness-home"
    sign_in_home(harness_home, gateway.url, sign_in(gateway.url, person))
    by_harness = _stored(harness_home)
    assert set(by_login) == set(by_harness) == {"enterpriseGateway", "gatewayTrust"}
    assert by_login["gatewayTrust"] == by_harness["gatewayTrust"]
    assert set(by_login["enterpriseGateway"]) == set(by_harness["enterpriseGateway"])
    for key in ("url", "tokenEndpoint", "vouchedAtLogin"):
        assert by_login["enterpriseGateway"][key] == by_harness["enterpriseGateway"][key], key

    before = len(vertex.requests)
    done = run_claude(claude_binary, home, home / "work", (), lab.trap.url)
    assert done.returncode == 0, done.stderr or done.stdout
    assert done.stdout.strip() == VERTEX_ANSWER
    start = team.route(team.start_model)  # type: ignore[arg-type]
    assert any(start.project in request.path for request in vertex.requests[before:] if request.is_generation)
