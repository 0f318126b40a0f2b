"""What the gateway answers, read as the doctor reads it: its probes, the models the developer's group may use, the
verdict when there are none, and every hostile answer (huge, garbage, nested, a trickle) ending as one line, in
bounded time and memory. The answers are canned in the gateway's shapes (from its source); the real gateway's own
answers are proven in tests/gateway/test_doctor.py."""

from __future__ import annotations

import json
import time

import pytest
from claude_vertex_doctor.gateway import Timeouts
from claude_vertex_doctor.gateway_access import PROBE_MODEL
from gateway_doctor import diagnose
from loopback_tls import Canned


def _json(status: int, document: object) -> Canned:
    return Canned(status, json.dumps(document).encode())


def _models(*ids: str) -> Canned:
    return _json(200, {"data": [{"type": "model", "id": i, "display_name": i} for i in ids], "has_more": False})


def _settings(**settings: object) -> Canned:
    return _json(200, {"uuid": "u", "checksum": "sha256:x", "settings": settings})


NO_GROUP = _json(
    400,
    {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "you aren't in a group that can use this gateway. Ask your administrator to add you to one",
        },
    },
)


@pytest.fixture
def signed_in(machine, pki, gateway_server):
    """A machine pointed at the canned gateway and signed in to it; returns a function that runs the doctor."""
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint)

    def run(timeouts: Timeouts | None = None):
        return diagnose(machine, None, ca_file=pki.ca_file, **({"timeouts": timeouts} if timeouts else {}))

    return run


def test_the_groups_models_and_where_claude_code_starts(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _models("payments-opus", "payments-sonnet")
    gateway_server.answers["/managed/settings"] = _settings(model="payments-sonnet")
    run = signed_in()
    assert run.check("gateway.models") == {
        "id": "gateway.models",
        "status": "ok",
        "message": "your group may use: payments-opus, payments-sonnet; Claude Code starts on payments-sonnet",
        "fix": "",
    }
    assert run.code == 0
    assert run.text.splitlines()[-1] == "Claude Code through the gateway should work. 0 failed, 0 warnings, 7 checks."


def test_the_start_model_the_policys_env_pins_wins_over_its_model_setting(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _models("payments-opus", "payments-sonnet")
    gateway_server.answers["/managed/settings"] = _settings(
        model="payments-opus", env={"ANTHROPIC_MODEL": "payments-sonnet"}
    )
    assert signed_in().check("gateway.models")["message"].endswith("; Claude Code starts on payments-sonnet")


def test_a_start_model_outside_the_list_is_a_warning(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _models("payments-opus")
    gateway_server.answers["/managed/settings"] = _settings(model="claude-opus-5-5")
    check = signed_in().check("gateway.models")
    assert check["status"] == "warn" and "start Claude Code on claude-opus-5-5" in check["message"]
    assert check["fix"].startswith("pick one with /model payments-opus")


def test_a_policy_without_a_start_model_is_a_warning(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _models("payments-opus")
    gateway_server.answers["/managed/settings"] = _settings(availableModels=["payments-opus"])
    check = signed_in().check("gateway.models")
    assert check["status"] == "warn" and "name no start model" in check["message"]


def test_no_managed_policy_lists_the_models_alone(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _models("payments-opus")
    gateway_server.answers["/managed/settings"] = Canned(404, b"no policy matched", "text/plain")
    assert signed_in().check("gateway.models")["message"] == "your group may use: payments-opus"


def test_no_group_is_the_gateways_own_verdict_asked_with_a_model_nothing_serves(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _models()
    gateway_server.answers["/v1/messages/count_tokens"] = NO_GROUP
    run = signed_in()
    check = run.check("gateway.models")
    assert check["status"] == "fail"
    assert check["message"].startswith("you aren't in a group that can use this gateway (the gateway: ")
    assert check["message"].endswith("; your sign-in carries the groups: payments-engineers")
    assert "team's group" in check["fix"] and "/login" in check["fix"]
    probe = gateway_server.requests[-1]
    assert probe.method == "POST" and probe.path == "/v1/messages/count_tokens"
    assert json.loads(probe.body)["model"] == PROBE_MODEL
    assert "/v1/messages" not in gateway_server.paths()  # nothing that generates, nothing billed


def test_no_models_for_another_reason_passes_the_gateways_answer_on(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _models()
    gateway_server.answers["/v1/messages/count_tokens"] = _json(
        400, {"error": {"message": f"model {PROBE_MODEL} is not in your role's availableModels allowlist"}}
    )
    check = signed_in().check("gateway.models")
    assert check["status"] == "fail"
    assert "lists no model for you, though it routes your groups" in check["message"]
    assert "availableModels allowlist" in check["message"]


def test_a_session_the_gateway_refuses_needs_a_login(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = _json(
        401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid token"}}
    )
    check = signed_in().check("gateway.models")
    assert check["status"] == "fail"
    assert check["message"] == "the gateway does not accept your session (401: invalid token)"
    assert "/login" in check["fix"]


def test_a_refused_address_is_said_as_such(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = Canned(403, b"forbidden", "text/plain")
    check = signed_in().check("gateway.models")
    assert check["message"] == "the gateway refused a request from your address (403: forbidden)"


def test_a_long_list_is_cut_and_counted_and_odd_ids_are_made_printable(signed_in, gateway_server):
    ids = [f"model-{i:02d}" for i in range(25)] + ["evil\x1b[31mred\nline"]
    gateway_server.answers["/v1/models"] = _models(*ids)
    message = signed_in().check("gateway.models")["message"]
    assert message.endswith("model-19, and 6 more")
    assert "\x1b" not in message and "\n" not in message


def test_a_gateway_that_is_not_ready_says_its_database_is_unreachable(signed_in, gateway_server):
    gateway_server.answers["/readyz"] = Canned(503, b"store unavailable", "text/plain")
    gateway_server.answers["/v1/models"] = _models("payments-opus")
    run = signed_in()
    health = run.check("gateway.health")
    assert health["status"] == "fail"
    assert "not ready (GET /readyz: 503 store unavailable): it cannot reach its database" in health["message"]
    assert run.check("gateway.models")["status"] == "ok"  # still asked: the list needs no database


def test_something_else_at_the_address_is_not_taken_for_the_gateway(signed_in, gateway_server):
    gateway_server.answers["/healthz"] = Canned(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")
    run = signed_in()
    health = run.check("gateway.health")
    assert health["status"] == "fail"
    assert "not the gateway's 'ok': something else answers at this address" in health["message"]
    assert "gateway.models" not in run.ids()


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (Canned(200, huge=5 << 20), "GET /v1/models: answered 200 with more than 1048576 bytes"),
        (Canned(200, b"\x00\xff{{not json"), "answered 200 with a body that is not JSON"),
        (Canned(200, b"[" * 200_000), "answered 200 with a body that is not JSON"),
        (_json(200, {"data": "everything"}), "not a models list"),
        (_json(200, [1, 2, 3]), "not a models list"),
        (Canned(500, b"<html>upstream exploded</html>", "text/html"), "GET /v1/models answered 500: <html>upstream"),
    ],
    ids=["huge", "garbage", "nested", "wrong-shape", "array", "500"],
)
def test_a_hostile_models_answer_is_one_line(signed_in, gateway_server, answer, said):
    gateway_server.answers["/v1/models"] = answer
    run = signed_in()
    check = run.check("gateway.models")
    assert check["status"] == "fail"
    assert said in check["message"]
    assert "\n" not in check["message"] and len(check["message"]) < 400


def test_a_trickling_answer_is_cut_off_at_the_time_limit(signed_in, gateway_server):
    gateway_server.answers["/v1/models"] = Canned(200, trickle=0.2)
    started = time.monotonic()
    run = signed_in(Timeouts(resolve=2, connect=2, tls=2, request=1))
    elapsed = time.monotonic() - started
    check = run.check("gateway.models")
    assert (
        check["message"] == "could not ask the gateway for your models: GET /v1/models: no complete answer within 1 s"
    )
    assert elapsed < 4


def test_a_huge_health_answer_is_refused_early(signed_in, gateway_server):
    gateway_server.answers["/healthz"] = Canned(200, huge=1 << 20)
    health = signed_in().check("gateway.health")
    assert health["message"] == "the gateway did not answer: GET /healthz: answered 200 with more than 4096 bytes"
