"""With a team's first upstream down, its developers' requests fail over to the next upstream serving the model.

The config under test plus a second upstream for team A in another region, listed after the first and mapped to
the same Vertex models, as a platform adds one for a second region; the first region's endpoint refuses every
connection. What the developer notices: `claude -p` still answers; it reached Vertex in the team's project, in the
second region, on the same pinned model, and the gateway's audit log names the upstream that served it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.claude_client.expectations import Target
from tests.claude_client.vertex_server import VertexServer
from tests.support.gateway.config import teams, with_second_region
from tests.support.gateway.developer import SignedIn
from tests.support.gateway.lab import VERTEX_ANSWER, Lab, RunningGateway, dead_upstream

pytestmark = [pytest.mark.gateway, pytest.mark.slow]

SECOND_REGION = ("europe-west1", "us-east5")


@pytest.fixture(scope="module")
def failover(lab: Lab, rendered_config: dict[str, Any], vertex: VertexServer) -> Iterator[tuple[RunningGateway, str]]:
    """A gateway whose team A has a dead first upstream and a live second one (the rendered failover region);
    yields it and the dead one's name."""
    team = next(team for team in teams(rendered_config) if team.start_model)
    first = team.route(team.start_model)  # type: ignore[arg-type]
    config = rendered_config
    if len([route for route in team.routes if route.model_id == team.start_model]) < 2:
        # A team without a failover region of its own gets one, as a platform would add it.
        region = next(region for region in SECOND_REGION if region != first.region)
        config = with_second_region(rendered_config, first.upstream, name=f"{first.upstream}-{region}", region=region)
    with dead_upstream() as dead:
        base_url = lambda upstream: dead if upstream == first.upstream else vertex.base_url  # noqa: E731
        with lab.boot(config, "failover", base_url) as running:
            yield running, first.upstream


def test_a_dead_first_upstream_fails_over_to_the_teams_second_region(
    failover: tuple[RunningGateway, str],
    vertex: VertexServer,
    lab: Lab,
    claude_binary: Path,
    sign_in_developer: Any,
) -> None:
    gateway, dead = failover
    team = next(team for team in teams(gateway.config) if team.start_model)
    primary, fallback = [route for route in team.routes if route.model_id == team.start_model][:2]
    assert primary.upstream == dead and fallback.upstream != dead
    developer: SignedIn = sign_in_developer(gateway, team, "failover")
    before = len(vertex.requests)

    done = developer.claude(claude_binary, lab.trap.url)

    assert done.returncode == 0, f"claude exited {done.returncode}: {done.stderr or done.stdout}"
    assert done.stdout.strip() == VERTEX_ANSWER
    generation = [request.path for request in vertex.requests[before:] if request.is_generation]
    assert generation == [Target(fallback.project, fallback.region, fallback.vertex_model).stream_path]
    assert (fallback.project, fallback.vertex_model) == (primary.project, primary.vertex_model)
    audit = [json.loads(line) for line in gateway.process.log().splitlines() if line.startswith("{")]
    served = [
        event["upstream"]
        for event in audit
        # The gateway names the developer by its user ID, which the rendered config takes from the email claim.
        if event.get("evt") == "inference" and event.get("sub") == developer.person.email
    ]
    assert served and set(served) == {fallback.upstream}, served
