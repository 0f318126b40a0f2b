"""A spend cap set through the gateway's admin API, as the deploy job sets it, stops a developer at once.

What the platform and the developer notice: the deploy job's write key upserts a per-developer cap (the same
limit twice is one limit: the job can run after every deploy); at a cap of 0 the developer's `claude -p` fails
with the gateway's 429 and nothing reaches Vertex; without the write key the admin API refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.claude_client.vertex_server import VertexServer
from tests.support.gateway.config import teams
from tests.support.gateway.developer import SignedIn
from tests.support.gateway.lab import Lab, RunningGateway

pytestmark = [pytest.mark.gateway, pytest.mark.slow]

SPEND_LIMITS = "/v1/organizations/spend_limits"


def _set_limit(gateway: RunningGateway, key: str, scope: dict[str, str], amount_cents: str) -> requests.Response:
    return requests.post(
        f"{gateway.url}{SPEND_LIMITS}",
        json={"scope": scope, "amount": amount_cents, "period": "monthly"},
        headers={"x-api-key": key},
        timeout=10,
    )


def test_the_admin_api_refuses_anyone_without_the_write_key(gateway: RunningGateway) -> None:
    scope = {"type": "organization"}
    assert _set_limit(gateway, "", scope, "0").status_code == 401
    assert _set_limit(gateway, "x" * 40, scope, "0").status_code == 401
    assert requests.get(f"{gateway.url}{SPEND_LIMITS}", timeout=10).status_code == 401


def test_a_cap_of_zero_set_by_the_deploy_job_gives_429_and_nothing_reaches_vertex(
    gateway: RunningGateway, vertex: VertexServer, lab: Lab, claude_binary: Path, sign_in_developer: Any
) -> None:
    team = next(team for team in teams(gateway.config) if team.start_model)
    developer: SignedIn = sign_in_developer(gateway, team, "capped")
    scope = {"type": "user", "user_id": developer.person.sub}  # the principal is the IdP's subject

    first = _set_limit(gateway, gateway.admin_key, scope, "0")
    again = _set_limit(gateway, gateway.admin_key, scope, "0")
    assert first.status_code == again.status_code == 200, first.text + again.text
    assert first.json()["id"] == again.json()["id"], "the same limit twice must stay one limit"
    listed = requests.get(f"{gateway.url}{SPEND_LIMITS}", headers={"x-api-key": gateway.admin_key}, timeout=10)
    assert [limit["scope"] for limit in listed.json()["data"]].count(scope) == 1

    before = len(vertex.requests)
    answer = requests.post(
        f"{gateway.url}/v1/messages",
        json={"model": team.start_model, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]},
        headers={"Authorization": f"Bearer {developer.session.access_token}"},
        timeout=30,
    )
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"] == {"type": "billing_error", "message": "spend limit reached"}
    done = developer.claude(claude_binary, lab.trap.url)
    assert done.returncode != 0, done.stdout
    assert "spend limit reached" in done.stdout + done.stderr, done.stdout + done.stderr
    assert vertex.requests[before:] == []
