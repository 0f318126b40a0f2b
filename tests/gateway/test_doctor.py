"""`claude-vertex-doctor --gateway` against the real gateway on loopback, as a developer runs it.

What a developer notices: signed in (after the scripted device flow, stored as `/login` stores it), the doctor says
exactly the models their group may use and where Claude Code starts; not signed in, it says so and gives `/login`;
signed in but in no team's group, it fails with the gateway's own words and nothing reaches Vertex. Expectations are
read from the config under test (`teams()`), never written here. The doctor runs in its own process, from nothing
but the developer's HOME and the managed-settings file MDM would install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.claude_client.vertex_server import VertexServer
from tests.support.gateway.config import Team, email_domain, teams
from tests.support.gateway.developer import managed_settings, sign_in_home
from tests.support.gateway.device_flow import sign_in
from tests.support.gateway.lab import Lab, RunningGateway
from tests.support.gateway.oidc_issuer import Person

pytestmark = [pytest.mark.gateway, pytest.mark.slow]

DOCTOR = Path(__file__).resolve().parents[2] / "doctor"  # this checkout's doctor
DOCTOR_TIMEOUT_S = 60
SIGN_IN_FIX = "start `claude` and type /login (your browser opens the company sign-in)"


@pytest.fixture(scope="module")
def gateway(lab: Lab, rendered_config: dict[str, Any], vertex: VertexServer) -> Iterator[RunningGateway]:
    """A gateway of these tests' own (its own database), booted from the same rendered config: their sign-ins do not
    spend the session gateway's device-confirmation allowance (10 per 10 minutes from one address, the default)."""
    with lab.boot(rendered_config, "doctor", lambda upstream: vertex.base_url) as running:
        yield running


def _doctor(home: Path, gateway: RunningGateway, tmp_path: Path) -> tuple[int, dict[str, Any], str]:
    """`python -m claude_vertex_doctor --gateway --json` on a machine whose managed settings name this gateway."""
    managed = tmp_path / f"managed-{home.name}" / "managed-settings.json"
    managed.parent.mkdir(parents=True)
    managed.write_text(json.dumps(managed_settings(gateway.url)))
    done = subprocess.run(
        [sys.executable, "-m", "claude_vertex_doctor", "--gateway", "--managed-settings", str(managed), "--json"],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PYTHONPATH": str(DOCTOR), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=DOCTOR_TIMEOUT_S,
        check=False,
    )
    assert done.stderr == "", done.stderr
    return done.returncode, json.loads(done.stdout), done.stdout


def _check(doc: dict[str, Any], check_id: str) -> dict[str, str]:
    return next(c for c in doc["checks"] if c["id"] == check_id)


def _team(gateway: RunningGateway) -> Team:
    return next(team for team in teams(gateway.config) if team.routes and team.start_model)


def test_a_signed_in_developer_is_told_exactly_their_groups_models(
    gateway: RunningGateway, sign_in_developer: Any, tmp_path: Path
) -> None:
    for team in [t for t in teams(gateway.config) if t.routes and t.start_model]:
        developer = sign_in_developer(gateway, team, "doctor")

        code, doc, out = _doctor(developer.home, gateway, tmp_path)

        assert code == 0, out
        assert {c["id"]: c["status"] for c in doc["checks"]} == {
            "gateway.settings": "ok",
            "gateway.address": "ok",
            "gateway.connect": "ok",
            "gateway.tls": "ok",
            "gateway.health": "ok",
            "gateway.sign-in": "ok",
            "gateway.models": "ok",
        }
        models = _check(doc, "gateway.models")["message"]
        listed, start = models.removeprefix("your group may use: ").split("; Claude Code starts on ")
        assert set(listed.split(", ")) == {route.model_id for route in team.routes}
        assert start == team.start_model
        assert f"as {developer.person.email}" in _check(doc, "gateway.sign-in")["message"]
        assert developer.session.access_token not in out


def test_a_developer_who_has_not_signed_in_is_told_to_login(gateway: RunningGateway, lab: Lab, tmp_path: Path) -> None:
    home = tmp_path / "home-never-signed-in"
    home.mkdir()

    code, doc, _ = _doctor(home, gateway, tmp_path)

    assert code == 1
    sign_in_check = _check(doc, "gateway.sign-in")
    assert sign_in_check["status"] == "fail"
    assert sign_in_check["message"].startswith("you are not signed in to the gateway")
    assert sign_in_check["fix"] == SIGN_IN_FIX
    assert [c["id"] for c in doc["checks"] if c["status"] == "fail"] == ["gateway.sign-in"]
    assert _check(doc, "gateway.health")["status"] == "ok"


def _signs_in_but_reaches_no_upstream(config: dict[str, Any]) -> str:
    """A group the gateway lets sign in (`oidc.allowed_groups`) that no upstream serves: the gateway admins'."""
    served = {group for upstream in config["upstreams"] for group in upstream.get("groups", [])}
    allowed = config["oidc"].get("allowed_groups") or config["admin"]["admin_groups"]
    candidates = [group for group in allowed if group not in served]
    assert candidates, "the config under test lets no group sign in that no upstream serves"
    return candidates[0]


def test_a_developer_in_no_teams_group_gets_the_gateways_verdict_and_nothing_reaches_vertex(
    gateway: RunningGateway, lab: Lab, vertex: VertexServer, tmp_path: Path
) -> None:
    group = _signs_in_but_reaches_no_upstream(gateway.config)
    person = Person("doctor-nobody", f"doctor.nobody@{email_domain(gateway.config)}", groups=(group,))
    lab.issuer.enroll(person)
    home = tmp_path / "home-nobody"
    sign_in_home(home, gateway.url, sign_in(gateway.url, person))
    before = len(vertex.requests)

    code, doc, _ = _doctor(home, gateway, tmp_path)

    assert code == 1
    assert _check(doc, "gateway.sign-in")["status"] == "ok"  # signed in: the sign-in is not the problem
    models = _check(doc, "gateway.models")
    assert models["status"] == "fail"
    assert models["message"].startswith("you aren't in a group that can use this gateway (the gateway: ")
    assert models["message"].endswith(f"; your sign-in carries the groups: {group}")
    assert "team's group" in models["fix"]
    assert vertex.requests[before:] == []


def test_a_developer_whose_session_the_gateway_no_longer_accepts_is_told_to_login(
    gateway: RunningGateway, sign_in_developer: Any, tmp_path: Path
) -> None:
    developer = sign_in_developer(gateway, _team(gateway), "stale")
    stored_file = developer.home / ".claude" / ".credentials.json"
    stored = json.loads(stored_file.read_text())
    stored["enterpriseGateway"]["jwt"] = developer.session.access_token[:-6] + "AAAAAA"  # a signature it never made
    stored_file.write_text(json.dumps(stored))

    code, doc, out = _doctor(developer.home, gateway, tmp_path)

    assert code == 1
    models = _check(doc, "gateway.models")
    assert models["status"] == "fail"
    assert models["message"] == "the gateway does not accept your session (401: invalid token)"
    assert "/login" in models["fix"]
    assert stored["enterpriseGateway"]["jwt"] not in out
