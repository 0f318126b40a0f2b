"""A spend cap set through the gateway's admin API, as the deploy job sets it, stops a developer at once.

What the platform and the developer notice: the deploy job's write key upserts a per-developer cap (the same
limit twice is one limit: the job can run after every deploy); at a cap of 0 the developer's `claude -p` fails
with the gateway's 429 and nothing reaches Vertex; without the write key the admin API refuses.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.claude_client.vertex_server import VertexServer
from tests.support.gateway.config import teams
from tests.support.gateway.developer import SignedIn
from tests.support.gateway.lab import Lab, RunningGateway
from tests.support.gateway.rendered import spend_cap_job

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
    # The rendered gateway.yaml knows developers by email (`oidc.user_id_claim`), as `spendCaps.developers` names them.
    scope = {"type": "user", "user_id": developer.person.email}

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


def test_the_deploy_jobs_script_sets_every_declared_cap_and_a_rerun_changes_nothing(gateway: RunningGateway) -> None:
    """The spend-cap job's own command (`sh -c <script>`, with curl), from the rendered stack, against the real admin
    API: every cap the stack declares is in place, in cents, and running it again (the next deploy) is a no-op."""
    command, plain = spend_cap_job()
    env = {"PATH": os.environ["PATH"], "GATEWAY_URL": gateway.url, "GATEWAY_ADMIN_WRITE_KEY": gateway.admin_key}
    runs = [subprocess.run(command, env=env, capture_output=True, text=True, timeout=60) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
        assert gateway.admin_key not in run.stdout + run.stderr
    declared = json.loads(plain["SPEND_LIMITS"])
    assert runs[0].stdout.splitlines()[-1] == f"{len(declared)} spend limit(s) in place"
    listed = requests.get(f"{gateway.url}{SPEND_LIMITS}", headers={"x-api-key": gateway.admin_key}, timeout=10)
    limits = {json.dumps(limit["scope"], sort_keys=True): limit for limit in listed.json()["data"]}
    for body in declared:
        limit = limits[json.dumps(body["scope"], sort_keys=True)]
        assert (limit["amount"], limit["period"]) == (body["amount"], body["period"])
    assert len(limits) >= len(declared)


def test_the_deploy_jobs_script_fails_the_job_when_the_admin_api_refuses(gateway: RunningGateway) -> None:
    command, _ = spend_cap_job()
    env = {"PATH": os.environ["PATH"], "GATEWAY_URL": gateway.url, "GATEWAY_ADMIN_WRITE_KEY": "w" * 40}
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "spend limit(s) in place" not in run.stdout
