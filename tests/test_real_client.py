"""The real Claude Code client, run with each stack's rendered environment, reaches the pinned models.

For every `Pulumi.<stack>.yaml` the environment is rendered by the real program (as `tools.preview`
does), then the pinned Claude Code release (`claude_vertex.render.ci_snippets.CLAUDE_CODE_VERSION`, installed from
the npm registry into `.cache/claude-code/`, see tests/claude_client/install.py) runs `claude -p hi` and
`claude -p hi --model opus|sonnet|haiku|fable` offline against a local server answering as Vertex AI. What a
developer would notice: each alias calls exactly the model the stack pins, in the stack's project and the
region that model is reached through, and the client reaches nothing else.

Expectations come from the rendered environment and the model catalog (tests/claude_client/
expectations.py), never from model IDs written here. An alias the stack does not pin is left to the
client's own default: the test still checks project, family and region for what the client chose, and
warns, naming the model, because an unpinned alias moves on a Claude Code update.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from claude_vertex.catalog import catalog

from tests.claude_client.expectations import DEFAULT, INVOCATIONS, alias_variable, expected_target, pinned_model
from tests.claude_client.install import ClientUnavailable, ensure_client
from tests.claude_client.runner import CLIENT_TIMEOUT_S, Observation, client_environment, observe, run_client
from tests.claude_client.vertex_server import (
    PUBLISHER_PATH,
    VERTEX_ANTHROPIC_VERSION,
    EgressTrap,
    Recorded,
    VertexServer,
)
from tools.preview import load_rendering, team_stacks

ANSWER = "Pong from the local Vertex stand-in."
STACKS = team_stacks()
REAL_VERTEX = "https://aiplatform.googleapis.com/v1"
PARALLEL_RUNS = 4  # the client mostly waits on start-up I/O; four at once keep a 2-CPU machine busy


class UnpinnedAliasWarning(UserWarning):
    """A stack leaves an alias to Claude Code's built-in default, which changes with client releases."""


@pytest.fixture(scope="module")
def claude_binary() -> Path:
    """The pinned client, installed from the npm registry on first use (skips, saying why, if it cannot be)."""
    try:
        return ensure_client()
    except ClientUnavailable as err:
        pytest.skip(f"the real Claude Code client cannot run here: {err}")


@pytest.fixture(scope="module")
def runs(
    claude_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], tuple[dict[str, str], Observation]]:
    """Every (stack, invocation): the stack's rendered env and what the client did with it.

    Rendering goes first, one stack at a time (the Pulumi runtime is process-global); the client runs,
    each with its own server, trap and HOME, then go in parallel.
    """
    envs = {stack: dict(load_rendering(stack, None).outputs["env"]) for stack in STACKS}
    scratch = tmp_path_factory.mktemp("claude-client")
    cases = [(stack, invocation) for stack in STACKS for invocation in INVOCATIONS]
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        futures = {
            case: pool.submit(observe, claude_binary, envs[case[0]], case[1], scratch / "-".join(case), ANSWER)
            for case in cases
        }
        return {case: (envs[case[0]], future.result()) for case, future in futures.items()}


@pytest.mark.slow
@pytest.mark.parametrize("invocation", INVOCATIONS)
@pytest.mark.parametrize("stack", STACKS)
def test_client_requests_land_on_the_pinned_model(
    stack: str, invocation: str, runs: dict[tuple[str, str], tuple[dict[str, str], Observation]]
) -> None:
    env, run = runs[stack, invocation]
    command = " ".join(("claude -p hi", *run.arguments))
    assert run.returncode is not None, f"{command} did not exit within {CLIENT_TIMEOUT_S} s: {_tail(run.stderr)}"
    assert run.returncode == 0, f"{command} exited {run.returncode}: {_tail(run.stderr)}"
    assert run.stdout.strip() == ANSWER, f"{command} answered {run.stdout!r}; stderr: {_tail(run.stderr)}"
    assert not run.egress, f"{command} tried to reach beyond loopback: {[f'{r.method} {r.path}' for r in run.egress]}"
    unknown = [f"{r.method} {r.path}" for r in run.requests if not PUBLISHER_PATH.match(unquote(r.path))]
    assert not unknown, f"{command} sent requests Vertex does not serve: {unknown}"
    generations = [r for r in run.requests if r.is_generation]
    assert generations, f"{command}: no generation request reached the server: {[r.path for r in run.requests]}"
    for request in run.requests:
        assert _part(request, "project") == env["ANTHROPIC_VERTEX_PROJECT_ID"], request.path

    pinned = pinned_model(env, invocation)
    if pinned is not None:
        expected = expected_target(env, pinned).stream_path
        paths = [unquote(r.path) for r in generations]
        assert paths == [expected] * len(paths), f"{command} sent {paths}, expected every one to be {expected}"
        return
    chosen = sorted({_part(r, "model") for r in generations})
    for request in generations:
        model = _part(request, "model")
        entry = catalog().get(model)
        assert entry is not None, (
            f"{command}: the client's default {model} is not in components/claude_vertex/models.yaml"
        )
        if invocation != DEFAULT:
            assert entry.family == invocation, f"{command} reached {model}, a {entry.family} model"
        expected = expected_target(env, model).stream_path
        assert unquote(request.path) == expected, f"{command} sent {request.path}, expected {expected}"
    what = "ANTHROPIC_MODEL" if invocation == DEFAULT else alias_variable(invocation)
    warnings.warn(
        UnpinnedAliasWarning(f"stack {stack} does not pin {what}: Claude Code {command} chose {', '.join(chosen)}"),
        stacklevel=1,
    )


@pytest.mark.slow
def test_a_client_leaving_loopback_is_caught_and_refused(claude_binary: Path, tmp_path: Path) -> None:
    """The egress check above can fail: pointed at Google's real Vertex host, the client's call is refused."""
    env = {"CLAUDE_CODE_USE_VERTEX": "1", "CLOUD_ML_REGION": "global", "ANTHROPIC_VERTEX_PROJECT_ID": "p"}
    with EgressTrap() as trap:
        client_env = client_environment(env, base_url=REAL_VERTEX, home=tmp_path, proxy=trap.url)
        done = run_client(claude_binary, (), client_env, tmp_path)
        egress = trap.requests
    assert done.returncode != 0, done.stdout
    assert [(r.method, r.path) for r in egress] == [("CONNECT", f"{urlsplit(REAL_VERTEX).hostname}:443")]


def test_the_stand_in_answers_as_vertex_does() -> None:
    """Streaming, non-streaming and token counting on the publisher paths; Google's errors elsewhere."""
    base = "/v1/projects/p/locations/us-east5/publishers/anthropic/models"
    body = {
        "anthropic_version": VERTEX_ANTHROPIC_VERSION,
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with VertexServer(ANSWER) as vertex:
        url = f"http://127.0.0.1:{vertex.port}"
        status, kind, stream = _post(f"{url}{base}/m:streamRawPredict", {**body, "stream": True})
        assert (status, kind) == (200, "text/event-stream; charset=utf-8")
        events = [json.loads(line[len("data: ") :]) for line in stream.splitlines() if line.startswith("data: ")]
        assert (events[0]["type"], events[-1]["type"]) == ("message_start", "message_stop")
        assert "".join(e["delta"].get("text", "") for e in events if e["type"] == "content_block_delta") == ANSWER
        status, _, message = _post(f"{url}{base}/m:rawPredict", body)
        assert (status, json.loads(message)["content"]) == (200, [{"type": "text", "text": ANSWER}])
        status, _, counted = _post(f"{url}{base}/count-tokens:rawPredict", {**body, "model": "m"})
        assert status == 200 and json.loads(counted)["input_tokens"] > 0
        status, _, error = _post(f"{url}{base}/m:rawPredict", {**body, "anthropic_version": "2023-06-01"})
        assert (status, json.loads(error)["error"]["status"]) == (400, "INVALID_ARGUMENT")
        status, _, error = _post(f"{url}/v1/projects/p/locations/global/endpoints/x:predict", body)
        assert (status, json.loads(error)["error"]["status"]) == (404, "NOT_FOUND")
        assert len(vertex.requests) == 5
        assert [r.is_generation for r in vertex.requests] == [True, True, False, True, False]


def _post(url: str, payload: dict[str, Any]) -> tuple[int, str, str]:
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


def _part(request: Recorded, name: str) -> str:
    match = PUBLISHER_PATH.match(unquote(request.path))
    assert match is not None, request.path
    return match[name]


def _tail(text: str, limit: int = 600) -> str:
    """The end of the client's stderr, spinner padding squeezed out."""
    return " ".join(text.split())[-limit:]
