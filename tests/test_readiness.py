"""The IAM readiness gate, against a real HTTP server on 127.0.0.1 that answers the way GCP does.

What a user notices: a fresh project's apply waits while IAM answers 403 SERVICE_DISABLED and goes on at
the first 200; a project that never becomes ready fails at the bound with one line that says why; a
healthy project costs one round and no sleep; and the gate sits between the IAM API and everything that
calls IAM in the real program.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from claude_vertex.resources.readiness import Backoff, NotReadyError, iam_probe_urls, parse_answer, wait_until_ready
from claude_vertex.resources.readiness_gate import TYPE_TOKEN, IamReadyProvider
from pulumi.dynamic.dynamic import serialize_provider

from tests.conftest import Rendered, config_with
from tests.gcp_iam_server import IamState, iam_server, service_disabled_body

ROOT = Path(__file__).resolve().parent.parent
TINY = Backoff(first=0.01, factor=2.0, cap=0.04, total=0.2, request_timeout=2.0)  # for the failures
ROOMY = Backoff(first=0.01, factor=2.0, cap=0.04, total=30.0, request_timeout=5.0)  # for waits that succeed
BEARER = {"Authorization": "Bearer ya29.local-test-token"}


def _headers() -> dict[str, str]:
    return dict(BEARER)


def test_waits_through_service_disabled_then_goes_on_at_the_first_200() -> None:
    state = IamState(disabled_for=3)
    pauses: list[float] = []
    with iam_server(state) as base:
        result = wait_until_ready(
            "iam", iam_probe_urls("claude-payments-dev", base), _headers, TINY, sleep=pauses.append
        )
    assert result.attempts == 4
    # Capped exponential backoff: 0.01, 0.02, then the 0.04 cap.
    assert pauses == [0.01, 0.02, 0.04]
    paths = {path for _, path, _ in state.requests}
    assert paths == {
        "/v1/projects/claude-payments-dev/serviceAccounts?pageSize=1",
        "/v1/projects/claude-payments-dev/roles?pageSize=1",
    }
    assert {auth for *_, auth in state.requests} == {BEARER["Authorization"]}


def test_a_healthy_project_costs_one_round_and_no_sleep() -> None:
    state = IamState(disabled_for=0)
    with iam_server(state) as base:
        result = wait_until_ready("iam", iam_probe_urls("p-1234", base), _headers, ROOMY, sleep=pytest.fail)
    assert result.attempts == 1
    assert len(state.requests) == 2


def test_a_probe_that_answered_200_is_not_asked_again() -> None:
    state = IamState(disabled_for=2)
    with iam_server(state) as base:
        urls = iam_probe_urls("p-1234", base)
        state.seen["/v1/projects/p-1234/roles"] = 5  # roles is already served; service accounts are not yet
        wait_until_ready("iam", urls, _headers, ROOMY, sleep=lambda _s: None)
    roles = [path for _, path, _ in state.requests if "/roles" in path]
    assert len(roles) == 1


def test_never_ready_fails_at_the_bound_with_one_line() -> None:
    state = IamState(disabled_for=-1)
    started = time.monotonic()
    with iam_server(state) as base, pytest.raises(NotReadyError) as caught:
        wait_until_ready("iam.googleapis.com in project p-1234", iam_probe_urls("p-1234", base), _headers, TINY)
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("iam.googleapis.com in project p-1234: not ready after")
    assert "(bound 0s)" in message or "(bound 1s)" in message
    assert "HTTP 403 SERVICE_DISABLED" in message and "has not been used in project" in message
    assert "has not started serving it" in message
    assert TINY.total <= elapsed < TINY.total + 2.0


def test_unauthenticated_fails_at_once_because_waiting_cannot_fix_it() -> None:
    state = IamState(status_override=401)
    with iam_server(state) as base, pytest.raises(NotReadyError) as caught:
        wait_until_ready("iam", iam_probe_urls("p-1234", base), _headers, TINY, sleep=pytest.fail)
    assert "HTTP 401 UNAUTHENTICATED" in str(caught.value)
    assert "waiting cannot fix this" in str(caught.value)
    assert len(state.requests) == 1


def test_no_server_at_all_is_waited_out_then_reported() -> None:
    with iam_server(IamState()) as base:
        pass  # the port is closed again: connection refused, as when the network is briefly down
    with pytest.raises(NotReadyError) as caught:
        wait_until_ready("iam", iam_probe_urls("p-1234", base), _headers, TINY)
    assert "last answer no answer (" in str(caught.value)


def test_gcp_error_json_is_read_for_its_reason() -> None:
    answer = parse_answer(403, service_disabled_body())
    assert (answer.status, answer.reason, answer.service_disabled, answer.transient) == (
        403,
        "SERVICE_DISABLED",
        True,
        True,
    )
    assert parse_answer(502, b"<html>Bad Gateway</html>").describe() == "HTTP 502 <html>Bad Gateway</html>"


def _adc_file(tmp_path: Path, base: str) -> Path:
    """Keyless ADC as CI has it (workload identity federation): an OIDC token file traded at an STS endpoint.

    Both are local: the token is a dummy string and STS is the 127.0.0.1 server. No real credential anywhere.
    """
    token = tmp_path / "oidc-token.jwt"
    token.write_text("header.payload.signature")
    path = tmp_path / "credentials.json"
    path.write_text(
        json.dumps(
            {
                "universe_domain": "googleapis.com",
                "type": "external_account",
                "audience": "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/"
                "platform/providers/github",
                "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                "token_url": f"{base}/token",
                "credential_source": {"file": str(token), "format": {"type": "text"}},
            }
        )
    )
    return path


@pytest.fixture
def traceback_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider trims tracebacks in its own process; keep pytest's intact."""
    monkeypatch.setattr(sys, "tracebacklimit", 1000, raising=False)


def test_the_provider_waits_with_application_default_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, traceback_limit: None
) -> None:
    state = IamState(disabled_for=2)
    with iam_server(state) as base:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(_adc_file(tmp_path, base)))
        provider = IamReadyProvider(ROOMY)
        props = {"project": "claude-payments-dev", "service": "iam.googleapis.com", "endpoint": base}
        result = provider.create(props)
    assert result.id == "projects/claude-payments-dev/services/iam.googleapis.com/ready"
    assert result.outs == props
    assert state.requests[0][:2] == ("POST", "/token")
    assert {auth for method, _, auth in state.requests if method == "GET"} == {"Bearer ya29.local-test-token"}


def test_the_provider_fails_with_one_line_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, traceback_limit: None
) -> None:
    import traceback

    with iam_server(IamState(disabled_for=-1)) as base:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(_adc_file(tmp_path, base)))
        try:
            IamReadyProvider(TINY).create({"project": "p-1234", "service": "iam.googleapis.com", "endpoint": base})
        except NotReadyError:
            # What Pulumi's dynamic provider host reports to the CLI: `traceback.format_exc()`.
            reported = traceback.format_exc()
        else:
            pytest.fail("the gate did not fail")
    assert reported.count("\n") == 1
    assert reported.startswith(
        "claude_vertex.resources.readiness.NotReadyError: iam.googleapis.com in project p-1234: not ready"
    )


def test_missing_credentials_is_one_line_naming_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, traceback_limit: None
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(NotReadyError) as caught:
        IamReadyProvider(TINY).create({"project": "p-1234", "service": "iam.googleapis.com", "endpoint": "http://x"})
    assert "gcloud auth application-default login" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_gate_waits_again_only_for_another_project() -> None:
    provider = IamReadyProvider()
    old = {"project": "a-1234", "service": "iam.googleapis.com", "endpoint": "https://iam.googleapis.com"}
    same = provider.diff("id", {**old, "__provider": "old"}, {**old, "__provider": "new"})
    assert (same.changes, same.replaces) == (False, [])
    moved = provider.diff("id", old, {**old, "project": "b-1234"})
    assert (moved.changes, moved.replaces) == (True, ["project"])


@pytest.mark.slow
def test_the_pickled_provider_loads_in_a_fresh_interpreter_from_the_project_directory() -> None:
    """What Pulumi's dynamic provider process does: unpickle `__provider` with the project dir as cwd."""
    blob = serialize_provider(IamReadyProvider())
    raw = base64.b64decode(blob)
    assert str(ROOT).encode() not in raw  # by reference: no machine-specific path in the state
    assert len(raw) < 2000
    code = (
        "import base64, sys, dill; p = dill.loads(base64.b64decode(sys.stdin.read())); "
        "print(type(p).__module__, type(p).__name__, p.backoff.total)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=blob, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["claude_vertex.resources.readiness_gate", "IamReadyProvider", "600.0"]


# The program, as the preview and `pulumi up` register it.
GATE = TYPE_TOKEN


def test_type_token_is_the_gates_own() -> None:
    assert TYPE_TOKEN == "pulumi-python:dynamic/readiness:IamReady"


def test_everything_that_calls_iam_waits_on_the_gate(render_config: Callable[..., Rendered]) -> None:
    ci = {"github": {"repositories": ["acme/payments-app"]}}
    rendered = render_config(config_with(ci=ci))
    (gate,) = rendered.of_type(GATE)
    assert gate["inputs"] == {
        "endpoint": "https://iam.googleapis.com",
        "project": "claude-payments-dev",
        "service": "iam.googleapis.com",
    }
    assert rendered.urn_of("payments-iam-api") in gate["dependencies"]
    by_name = {r["name"]: r for r in rendered.resources}
    for name in ("payments-role", "payments-sa-claude-ci", "payments-ci-pool", "payments-ci-sa"):
        assert gate["urn"] in by_name[name]["dependencies"], name
    assert rendered.urn_of("payments-aiplatform-api") in by_name["payments-role"]["dependencies"]
    assert all(not k.startswith("__") for r in rendered.resources for k in r["inputs"])


@pytest.mark.slow
@pytest.mark.parametrize("recovers", [True, False], ids=["recovers", "never-ready"])
def test_pulumis_own_dynamic_provider_host_runs_the_gate(tmp_path: Path, recovers: bool) -> None:
    """The process Pulumi starts for dynamic resources (`python -m pulumi.dynamic`, in the project directory),
    driven over gRPC as the engine drives it: it unpickles `__provider`, waits, and answers or fails in one line."""
    import asyncio
    import os

    import grpc
    from pulumi.runtime import proto, rpc
    from pulumi.runtime.proto import provider_pb2_grpc

    state = IamState(disabled_for=2 if recovers else -1)
    with iam_server(state) as base:
        env = {**os.environ, "GOOGLE_APPLICATION_CREDENTIALS": str(_adc_file(tmp_path, base))}
        host = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            assert host.stdout is not None
            port = int(host.stdout.readline())
            props = {
                "project": "p-1234",
                "service": "iam.googleapis.com",
                "endpoint": base,
                "__provider": serialize_provider(IamReadyProvider(ROOMY if recovers else TINY)),
            }
            request = proto.CreateRequest(
                urn=f"urn:pulumi:dev::claude-vertex::{TYPE_TOKEN}::payments-iam-ready",
                properties=asyncio.run(rpc.serialize_properties(props, {})),
            )
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = provider_pb2_grpc.ResourceProviderStub(channel)
                if recovers:
                    response = stub.Create(request, timeout=60)
                    outs = rpc.deserialize_properties(response.properties)
                    assert response.id == "projects/p-1234/services/iam.googleapis.com/ready"
                    assert {k: outs[k] for k in ("project", "service", "endpoint")} == {
                        "project": "p-1234",
                        "service": "iam.googleapis.com",
                        "endpoint": base,
                    }
                else:
                    with pytest.raises(grpc.RpcError) as caught:
                        stub.Create(request, timeout=60)
                    details = caught.value.details()
                    assert details.count("\n") == 1, details
                    assert details.startswith(
                        "claude_vertex.resources.readiness.NotReadyError: iam.googleapis.com in project p-1234"
                    )
        finally:
            host.terminate()
            host.wait(timeout=10)
