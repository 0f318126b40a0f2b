"""A signed-in developer runs the real `claude -p` through the gateway and lands in their own team's project.

What a developer and the platform notice: after the device-flow sign-in, plain `claude -p` answers; the request
reaches Vertex in the team's project and region, on the model the team pinned, signed with the gateway's own
Google identity (never the developer's session); a model outside the group's list is refused with 400 and never
reaches Vertex; another team's developer lands in the other team's project. Expectations are read from the config
under test (`teams()`), never written here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import requests

from tests.claude_client.expectations import Target
from tests.claude_client.vertex_server import PUBLISHER_PATH, Recorded, VertexServer
from tests.support.gateway.config import Team, teams
from tests.support.gateway.developer import SignedIn
from tests.support.gateway.lab import VERTEX_ANSWER, Lab, RunningGateway

pytestmark = [pytest.mark.gateway, pytest.mark.slow]


def _teams(config: dict[str, Any]) -> list[Team]:
    found = [team for team in teams(config) if team.routes and team.start_model]
    assert len(found) >= 2, "the config under test must give at least two teams a start model and a route"
    return found


def _landed(recorded: list[Recorded]) -> list[tuple[str, str, str]]:
    """(project, region, model) of every request that reached Vertex."""
    spots = []
    for request in recorded:
        match = PUBLISHER_PATH.match(unquote(request.path))
        assert match, f"Vertex got a request outside the publisher API: {request.method} {request.path}"
        spots.append((match["project"], match["location"], match["model"]))
    return spots


def _message(model: str) -> dict[str, Any]:
    return {"model": model, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}


@pytest.mark.parametrize("which", [0, 1], ids=["team A", "team B"])
def test_a_signed_in_developer_lands_on_the_teams_project_and_pinned_model(
    which: int,
    gateway: RunningGateway,
    vertex: VertexServer,
    lab: Lab,
    claude_binary: Path,
    sign_in_developer: Any,
) -> None:
    team = _teams(gateway.config)[which]
    developer: SignedIn = sign_in_developer(gateway, team, "dev")
    before = len(vertex.requests)

    done = developer.claude(claude_binary, lab.trap.url)

    assert done.returncode == 0, f"claude exited {done.returncode}: {done.stderr or done.stdout}"
    assert done.stdout.strip() == VERTEX_ANSWER
    assert "doesn't recognize the model" not in done.stderr, done.stderr
    recorded = vertex.requests[before:]
    start = team.route(team.start_model)  # type: ignore[arg-type]
    generation = [request for request in recorded if request.is_generation]
    assert [request.path for request in generation] == [
        Target(start.project, start.region, start.vertex_model).stream_path
    ]
    assert {project for project, _, _ in _landed(recorded)} == {start.project}
    for request in recorded:
        assert request.headers.get("Authorization") == f"Bearer {lab.metadata.access_token}"
        assert developer.session.access_token not in str(request.headers)


def test_every_model_a_team_may_use_reaches_its_pinned_vertex_model_in_its_project(
    gateway: RunningGateway, vertex: VertexServer, sign_in_developer: Any
) -> None:
    for team in _teams(gateway.config):
        developer: SignedIn = sign_in_developer(gateway, team, "every-model")
        for route in team.routes:
            if route != team.route(route.model_id):
                continue  # a later upstream for the same model is only tried when the first fails
            before = len(vertex.requests)
            answer = requests.post(
                f"{gateway.url}/v1/messages",
                json=_message(route.model_id),
                headers={"Authorization": f"Bearer {developer.session.access_token}"},
                timeout=30,
            )
            assert answer.status_code == 200, (route, answer.text)
            assert _landed(vertex.requests[before:]) == [(route.project, route.region, route.vertex_model)]


def test_a_model_outside_the_groups_list_is_refused_with_400_and_never_reaches_vertex(
    gateway: RunningGateway, vertex: VertexServer, sign_in_developer: Any
) -> None:
    team, other = _teams(gateway.config)[:2]
    developer: SignedIn = sign_in_developer(gateway, team, "outsider")
    outside = [
        other.start_model,  # another team's model ID
        team.route(team.start_model).vertex_model,  # the Vertex ID itself: only the team's own IDs route
        "claude-opus-4-1@20250805",  # a model nobody pinned
    ]
    before = len(vertex.requests)
    for model in outside:
        answer = requests.post(
            f"{gateway.url}/v1/messages",
            json=_message(model),
            headers={"Authorization": f"Bearer {developer.session.access_token}"},
            timeout=30,
        )
        assert answer.status_code == 400, (model, answer.text)
        assert answer.json()["error"]["type"] == "invalid_request_error"
        assert "availableModels" in answer.json()["error"]["message"], answer.text
    assert vertex.requests[before:] == []


def test_the_gateway_lists_and_serves_each_developer_only_their_teams_models(
    gateway: RunningGateway, sign_in_developer: Any
) -> None:
    for team in _teams(gateway.config):
        developer: SignedIn = sign_in_developer(gateway, team, "lister")
        bearer = {"Authorization": f"Bearer {developer.session.access_token}"}
        listed = requests.get(f"{gateway.url}/v1/models", headers=bearer, timeout=10).json()
        assert {model["id"] for model in listed["data"]} == {route.model_id for route in team.routes}
        served = requests.get(f"{gateway.url}/managed/settings", headers=bearer, timeout=10).json()["settings"]
        assert served.get("model", served.get("env", {}).get("ANTHROPIC_MODEL")) == team.start_model
        assert set(served["availableModels"]) == {route.model_id for route in team.routes}
