"""The IAM readiness gate, against a real HTTP server on 127.0.0.1 that answers the way GCP does.

What a user notices: a fresh project's apply waits while IAM answers 403 SERVICE_DISABLED and goes on at the
first 200, before anything that calls IAM is sent to the engine; a project that never becomes ready fails at the
bound with one line that says why; a healthy project costs one round (two GETs) and no sleep; a preview never
calls IAM; the wait asks the IAM the Google provider would ask, with the provider's credentials; and the program
registers no dynamic resource, so it runs the same from pip and from `pulumi package add`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from claude_vertex.config import find_config_error
from claude_vertex.resources.provider_environment import (
    ACCESS_TOKEN_VARIABLE,
    ADC_FILE_VARIABLE,
    IAM_ENDPOINT_VARIABLE,
    deployer_headers,
    iam_base_path,
)
from claude_vertex.resources.readiness import (
    IAM_BASE_PATH,
    Backoff,
    NotReadyError,
    iam_probe_urls,
    parse_answer,
    wait_until_ready,
)
from claude_vertex.resources.readiness_gate import wait_for_iam

from tests.conftest import config_with
from tests.support.gcp_iam import IamState, iam_endpoint, iam_server, service_disabled_body, stand_in_iam
from tests.support.gcp_mocks import GcpMocks, ResourceRecord
from tests.support.render import render_stack

ROOT = Path(__file__).resolve().parent.parent
TINY = Backoff(first=0.01, factor=2.0, cap=0.04, total=0.2, request_timeout=2.0)  # for the failures
ROOMY = Backoff(first=0.01, factor=2.0, cap=0.04, total=30.0, request_timeout=5.0)  # for waits that succeed
BEARER = {"Authorization": "Bearer ya29.local-test-token"}
PROJECT = "claude-payments-dev"


def _headers() -> dict[str, str]:
    return dict(BEARER)


def _probes(base: str, project: str = PROJECT) -> list[str]:
    return iam_probe_urls(project, iam_endpoint(base))


# --- the wait itself ---------------------------------------------------------------------------------------------


def test_waits_through_service_disabled_then_goes_on_at_the_first_200() -> None:
    state = IamState(disabled_for=3)
    pauses: list[float] = []
    with iam_server(state) as base:
        result = wait_until_ready("iam", _probes(base), _headers, TINY, sleep=pauses.append)
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
        result = wait_until_ready("iam", _probes(base, "p-1234"), _headers, ROOMY, sleep=pytest.fail)
    assert result.attempts == 1
    assert len(state.requests) == 2


def test_a_probe_that_answered_200_is_not_asked_again() -> None:
    state = IamState(disabled_for=2)
    with iam_server(state) as base:
        state.seen["/v1/projects/p-1234/roles"] = 5  # roles is already served; service accounts are not yet
        wait_until_ready("iam", _probes(base, "p-1234"), _headers, ROOMY, sleep=lambda _s: None)
    roles = [path for _, path, _ in state.requests if "/roles" in path]
    assert len(roles) == 1


def test_never_ready_fails_at_the_bound_with_one_line() -> None:
    state = IamState(disabled_for=-1)
    started = time.monotonic()
    with iam_server(state) as base, pytest.raises(NotReadyError) as caught:
        wait_until_ready("iam.googleapis.com in project p-1234", _probes(base, "p-1234"), _headers, TINY)
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
        wait_until_ready("iam", _probes(base, "p-1234"), _headers, TINY, sleep=pytest.fail)
    assert "HTTP 401 UNAUTHENTICATED" in str(caught.value)
    assert "waiting cannot fix this" in str(caught.value)
    assert len(state.requests) == 1


def test_a_redirect_is_never_followed_so_the_token_goes_nowhere_else() -> None:
    state = IamState(status_override=302)
    with iam_server(state) as base, pytest.raises(NotReadyError) as caught:
        wait_until_ready("iam", _probes(base, "p-1234"), _headers, TINY, sleep=pytest.fail)
    assert "answered HTTP 302" in str(caught.value) and "waiting cannot fix this" in str(caught.value)
    assert len(state.requests) == 1


def test_no_server_at_all_is_waited_out_then_reported() -> None:
    with iam_server(IamState()) as base:
        pass  # the port is closed again: connection refused, as when the network is briefly down
    with pytest.raises(NotReadyError) as caught:
        wait_until_ready("iam", _probes(base, "p-1234"), _headers, TINY)
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


# --- where, and as whom: the Google provider's own environment ------------------------------------------------------


def test_the_endpoint_is_the_providers_iam_endpoint() -> None:
    assert iam_base_path({}) == IAM_BASE_PATH == "https://iam.googleapis.com/v1/"
    assert iam_base_path({IAM_ENDPOINT_VARIABLE: "http://127.0.0.1:8080/v1/"}) == "http://127.0.0.1:8080/v1/"
    assert iam_probe_urls("p-1234", "https://iam.example.com/iam/v1/")[0] == (
        "https://iam.example.com/iam/v1/projects/p-1234/serviceAccounts?pageSize=1"
    )


@pytest.mark.parametrize(
    "value",
    [
        "https://iam.googleapis.com",  # no version: the provider refuses it too
        "https://iam.googleapis.com/v1",  # no trailing slash
        "ftp://iam.example.com/v1/",
        "https://iam.example.com/v1/?x=1",
        "iam.googleapis.com/v1/",
        "https://iam.googleapis.com/v1/\nHost: evil",
    ],
)
def test_an_endpoint_the_provider_would_refuse_is_one_line(value: str) -> None:
    with pytest.raises(NotReadyError) as caught:
        iam_base_path({IAM_ENDPOINT_VARIABLE: value})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{IAM_ENDPOINT_VARIABLE} is ") and "https://iam.googleapis.com/v1/" in message


def test_an_access_token_in_the_environment_comes_first(tmp_path: Path) -> None:
    assert deployer_headers({ACCESS_TOKEN_VARIABLE: "ya29.from-env", ADC_FILE_VARIABLE: "/nowhere"})() == {
        "Authorization": "Bearer ya29.from-env"
    }
    token_file = tmp_path / "token"
    token_file.write_text("ya29.from-a-file\n")
    assert deployer_headers({ACCESS_TOKEN_VARIABLE: str(token_file)})() == {"Authorization": "Bearer ya29.from-a-file"}
    long_token = "ya29." + "x" * 400  # longer than a file name may be: still a token
    assert deployer_headers({ACCESS_TOKEN_VARIABLE: long_token})() == {"Authorization": f"Bearer {long_token}"}


@pytest.mark.parametrize("value", ["two words", "ya29.x\nInjected: header", "\u00e9t\u00e9"])
def test_an_unusable_token_is_one_line_that_never_shows_it(value: str) -> None:
    with pytest.raises(NotReadyError) as caught:
        deployer_headers({ACCESS_TOKEN_VARIABLE: value})
    message = str(caught.value)
    assert "\n" not in message and value not in message
    assert message.startswith(f"{ACCESS_TOKEN_VARIABLE} holds no usable access token")


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


def test_without_a_token_it_waits_with_application_default_credentials(tmp_path: Path) -> None:
    state = IamState(disabled_for=2)
    with iam_server(state) as base:
        environ = {ADC_FILE_VARIABLE: str(_adc_file(tmp_path, base)), IAM_ENDPOINT_VARIABLE: iam_endpoint(base)}
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(ADC_FILE_VARIABLE, environ[ADC_FILE_VARIABLE])  # google.auth reads the process's own
            readiness = wait_for_iam(PROJECT, ROOMY, environ)
    assert readiness.attempts == 3
    assert state.requests[0][:2] == ("POST", "/token")
    assert {auth for method, _, auth in state.requests if method == "GET"} == {"Bearer ya29.local-test-token"}


def test_missing_credentials_is_one_line_naming_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ADC_FILE_VARIABLE, str(tmp_path / "missing.json"))
    with pytest.raises(NotReadyError) as caught:
        wait_for_iam("p-1234", TINY, {IAM_ENDPOINT_VARIABLE: "http://127.0.0.1:9/v1/"})
    assert "gcloud auth application-default login" in str(caught.value)
    assert "\n" not in str(caught.value)


# --- the real program ---------------------------------------------------------------------------------------------

IAM_CALLERS = ("payments-role", "payments-sa-claude-ci", "payments-ci-pool", "payments-ci-sa", "payments-ci-github")
"""What the program creates through the IAM API: the custom role, the service accounts, the pool and its provider."""
CI = {"github": {"repositories": ["acme/payments-app"]}}


def _gets(state: IamState) -> int:
    return sum(method == "GET" for method, *_ in state.requests)


def _render_recording(
    state: IamState, google: dict[str, str], mocks: GcpMocks | None = None
) -> tuple[dict[str, int], dict[str, ResourceRecord], BaseException | None]:
    """Render the program; for each resource, how many IAM calls had been answered when it reached the engine."""
    seen: dict[str, int] = {}
    records: dict[str, ResourceRecord] = {}

    def on_register(record: ResourceRecord) -> None:
        seen[record.name] = _gets(state)
        records[record.name] = record

    try:
        render_stack("test", config_with(ci=CI), mocks=mocks, on_register=on_register, google=google)
    except Exception as error:  # what `pulumi up` would print
        return seen, records, error
    return seen, records, None


def _waits_on_the_iam_api(records: dict[str, ResourceRecord]) -> None:
    iam_api = records["payments-iam-api"].urn
    for name in IAM_CALLERS:
        record = records[name]
        assert iam_api in record.dependencies, name
        assert record.property_dependencies["project"] == [iam_api], name


@pytest.mark.slow  # one real 2 s pause: the default backoff, as `pulumi up` waits
def test_a_fresh_project_sends_nothing_that_calls_iam_before_iam_serves_it(tmp_path: Path) -> None:
    """preview=False, as `pulumi up`: ADC from a keyless CI credential file, IAM disabled for one round."""
    state = IamState(disabled_for=1)
    with iam_server(state) as base:
        google = {IAM_ENDPOINT_VARIABLE: iam_endpoint(base), ADC_FILE_VARIABLE: str(_adc_file(tmp_path, base))}
        before = dict(os.environ)
        seen, records, error = _render_recording(state, google)
    assert error is None
    assert dict(os.environ) == before  # the render's environment was its own
    assert state.requests[0][:2] == ("POST", "/token")
    assert _gets(state) == 4  # two 403 SERVICE_DISABLED, one pause, two 200
    assert seen["payments-iam-api"] == 0  # the wait starts once the IAM API's Service is there
    for name in IAM_CALLERS:
        assert seen[name] == 4, f"{name} reached the engine before IAM served the project"
    # The rest of the program went on meanwhile: the wait holds only what calls IAM.
    assert seen["payments-vertex-data-access"] <= 2
    _waits_on_the_iam_api(records)


def test_every_up_asks_iam_once_two_gets_and_no_sleep() -> None:
    state = IamState()
    with stand_in_iam(state) as google:
        seen, _records, error = _render_recording(state, google)
    assert error is None
    assert [(method, path.split("/")[-1], auth) for method, path, auth in state.requests] == [
        ("GET", "serviceAccounts?pageSize=1", "Bearer ya29.local-test-token"),
        ("GET", "roles?pageSize=1", "Bearer ya29.local-test-token"),
    ]
    assert all(seen[name] == 2 for name in IAM_CALLERS)


def test_iam_that_refuses_the_deployer_stops_the_run_with_one_line() -> None:
    state = IamState(status_override=401)
    with stand_in_iam(state) as google:
        seen, _records, error = _render_recording(state, google)
    assert isinstance(error, pulumi.RunError)  # the language host prints its message alone, no traceback
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"iam.googleapis.com in project {PROJECT}: ")
    assert "HTTP 401 UNAUTHENTICATED" in message and "waiting cannot fix this" in message
    assert "payments-iam-api" in seen
    assert not set(IAM_CALLERS) & set(seen), "nothing that calls IAM may reach the engine"


def test_a_run_that_fails_elsewhere_neither_waits_for_iam_nor_is_held_open_by_it() -> None:
    """IAM never serves the project, and the program fails meanwhile for another reason (an organization without
    `predict` in custom roles): the run stops at once, not after the wait's 10 minutes, and leaves no wait behind
    (which would keep the language host's process from exiting)."""
    state = IamState(disabled_for=-1)
    threads_before = set(threading.enumerate())
    started = time.monotonic()
    with stand_in_iam(state) as google, pytest.raises(Exception) as caught:
        unsupported = GcpMocks(unsupported_permissions=("aiplatform.endpoints.predict",))
        render_stack("test", config_with(), mocks=unsupported, google=google)
    assert find_config_error(caught.value) is not None
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while set(threading.enumerate()) - threads_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(threading.enumerate()) - threads_before, "the wait outlived the run"


def test_a_preview_never_calls_iam_and_keeps_the_dependencies() -> None:
    state = IamState(status_override=401)  # it would fail the run if it were asked
    with stand_in_iam(state) as google:
        _seen, records, error = _render_recording(state, google, GcpMocks(preview=True))
    assert error is None
    assert state.requests == []
    _waits_on_the_iam_api(records)
    assert records["payments-role"].inputs["project"] == PROJECT


def test_the_program_registers_no_dynamic_resource_and_no_dynamic_provider(render_config: Callable[..., Any]) -> None:
    rendered = render_config(config_with(ci=CI))
    types = {r["type"] for r in rendered.resources}
    assert not {t for t in types if t.split(":", 1)[0].startswith("pulumi-")}
    assert {t for t in types if t.startswith("pulumi:providers:")} == {"pulumi:providers:gcp"}


# --- stacks deployed before the package -------------------------------------------------------------------------

OLD_GATE_PROVIDER = (ROOT / "tests" / "golden" / "gate-provider-before-package.b64").read_text().strip()
"""The old gate's `__provider` as a stack deployed before the package holds it in its state: the pre-package
`IamReadyProvider()` serialized by `pulumi.dynamic.dynamic.serialize_provider` (by reference to
`components.readiness_gate`)."""


def test_the_old_gates_provider_is_a_reference_to_the_upgrade_aid() -> None:
    raw = base64.b64decode(OLD_GATE_PROVIDER)
    assert b"components.readiness_gate" in raw and b"IamReadyProvider" in raw and b"components.readiness" in raw
    assert (ROOT / "components" / "readiness_gate.py").is_file()


@pytest.mark.slow
def test_the_engines_dynamic_provider_reads_and_deletes_the_old_gate() -> None:
    """`pulumi up --refresh` after the upgrade: the engine reads the old gate, then deletes it (the program no longer
    registers it), through Pulumi's own dynamic provider host (`python -m pulumi.dynamic`, in the project directory),
    driven over gRPC as the engine drives it."""
    import grpc
    from pulumi.runtime import proto, rpc
    from pulumi.runtime.proto import provider_pb2_grpc

    urn = "urn:pulumi:payments::claude-vertex::claude-vertex:index:TeamProject$pulumi-python:dynamic/readiness:IamReady"
    state = {
        "project": "claude-payments-dev",
        "service": "iam.googleapis.com",
        "endpoint": "https://iam.googleapis.com",
        "__provider": OLD_GATE_PROVIDER,
    }
    gate_id = "projects/claude-payments-dev/services/iam.googleapis.com/ready"
    host = subprocess.Popen([sys.executable, "-m", "pulumi.dynamic"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert host.stdout is not None
        port = int(host.stdout.readline())
        properties = asyncio.run(rpc.serialize_properties(state, {}))
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            read = stub.Read(
                proto.ReadRequest(id=gate_id, urn=f"{urn}::payments-iam-ready", properties=properties), timeout=60
            )
            assert read.id == gate_id
            assert rpc.deserialize_properties(read.properties)["project"] == "claude-payments-dev"
            stub.Delete(
                proto.DeleteRequest(id=gate_id, urn=f"{urn}::payments-iam-ready", properties=properties), timeout=60
            )
    finally:
        host.terminate()
        host.wait(timeout=10)
