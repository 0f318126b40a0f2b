"""Network failures on every HTTP path of the Vertex check (token endpoint, Resource Manager, Vertex): "cannot reach
<host>" and why, a fix about the network, VPN or proxy, and never a word about grants or membership. Real servers and
real failures on 127.0.0.1: a closed port, a server that accepts and never answers, a name that does not resolve
(`.invalid` never does), TLS to a plain-HTTP server."""

from __future__ import annotations

import time

import pytest
from doctor_support import PROJECT, TOKEN, base_environ, dotenv_text, run_installed, stack_env
from loopback_tls import Canned, CannedServer, closed_port
from test_doctor_credentials import REFRESH, workforce_adc

GRANT_WORDS = ("access.members", "group", "onboard", "grant", "role")
NETWORK_FIX = "check your network connection and VPN"


def _network_only(check: dict) -> None:
    """A network failure's line: cannot reach, a network fix, nothing about grants."""
    said = (check["message"] + " " + check["fix"]).lower()
    assert not any(word in said for word in GRANT_WORDS), check
    assert "network" in check["fix"] and "VPN" in check["fix"]


def _vertex_at(url: str) -> dict[str, str]:
    return {"ANTHROPIC_VERTEX_BASE_URL": f"{url}/v1"}


def test_a_closed_port_is_cannot_reach_connection_refused_and_tried_once(doctor, fake):
    with closed_port() as port:
        run = doctor(stack_env(), shell=_vertex_at(f"http://127.0.0.1:{port}"))
    assert run.code == 1
    first = run.check("model:claude-opus-5-5")
    assert first["status"] == "fail"
    assert first["message"].startswith(f"cannot reach 127.0.0.1:{port} (connection refused) for claude-opus-5-5")
    assert first["fix"].startswith(NETWORK_FIX)
    _network_only(first)
    again = run.check("model:claude-sonnet-5-5")
    assert again["message"].startswith(
        f"cannot reach 127.0.0.1:{port} for claude-sonnet-5-5 at global (as for model:claude-opus-5-5; not tried again)"
    )
    assert run.check("permission")["status"] == "ok"  # Resource Manager is still the fake one


def test_a_name_that_does_not_resolve_says_so(doctor, fake):
    run = doctor(stack_env(), shell=_vertex_at("https://aiplatform.doctor-test.invalid"))
    check = run.check("model:claude-opus-5-5")
    assert check["status"] == "fail"
    assert check["message"].startswith("cannot reach aiplatform.doctor-test.invalid (the name does not resolve: ")
    _network_only(check)


def test_a_server_that_never_answers_is_cut_off_at_the_timeout(doctor, fake):
    with CannedServer(None, stall_tls=True) as server:
        started = time.monotonic()
        run = doctor(stack_env(), "--timeout", "1", shell=_vertex_at(server.url()))
        elapsed = time.monotonic() - started
    check = run.check("model:claude-opus-5-5")
    assert check["message"].startswith(f"cannot reach 127.0.0.1:{server.port} (no answer within 1 s)")
    _network_only(check)
    assert elapsed < 8  # one timeout for the host, not one per model


def test_tls_to_a_plain_http_server_is_a_tls_failure(doctor, fake):
    with CannedServer(None) as server:
        run = doctor(stack_env(), shell=_vertex_at(server.url().replace("http://", "https://")))
    check = run.check("model:claude-opus-5-5")
    assert check["message"].startswith(f"cannot reach 127.0.0.1:{server.port} (TLS failed (WRONG_VERSION_NUMBER))")
    _network_only(check)


def test_resource_manager_out_of_reach_is_a_warning_the_model_checks_decide(doctor, fake):
    with closed_port() as port:
        rm = {"CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER": f"http://127.0.0.1:{port}/"}
        run = doctor(stack_env(), shell=rm)
    assert run.code == 0, run.out
    permission = run.check("permission")
    assert permission["status"] == "warn"
    assert permission["message"] == (
        f"cannot reach 127.0.0.1:{port} (connection refused): the doctor cannot tell whether you hold the "
        "permission; the model checks below ask Vertex directly"
    )
    _network_only(permission)
    assert run.check("model:claude-opus-5-5")["status"] == "ok"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (Canned(200, b"<html>proxy login</html>", "text/html"), "answered 200 with something that is not a permission"),
        (Canned(200, b"[1, 2]"), "answered 200 with something that is not a permission list"),
        (Canned(200, huge=8 << 20), "answered 200 with more than 65536 bytes"),
        (Canned(502, b"<html>Bad Gateway</html>", "text/html"), "Resource Manager answered 502"),
    ],
)
def test_resource_manager_answers_that_are_not_its_answer_are_one_bounded_line(doctor, fake, answer, said):
    with CannedServer(None, answers={f"/v1/projects/{PROJECT}:testIamPermissions": answer}) as server:
        rm = {"CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER": server.url() + "/"}
        run = doctor(stack_env(), shell=rm)
    permission = run.check("permission")
    assert permission["status"] == "warn", permission
    assert said in permission["message"] and len(permission["message"]) < 400
    assert run.err == ""


def test_a_token_endpoint_out_of_reach_is_never_sign_in_again(doctor, fake, tmp_path):
    with closed_port() as port:
        adc = workforce_adc(tmp_path, f"http://127.0.0.1:{port}")
        fake.scenario.refresh_tokens.add(REFRESH)
        run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(adc)})
    assert run.code == 1
    credentials = run.check("credentials")
    assert credentials["status"] == "fail"
    assert f"cannot reach 127.0.0.1:{port} (connection refused) to get an access token" in credentials["message"]
    assert "login" not in credentials["fix"] and "expired" not in credentials["message"]
    _network_only(credentials)


@pytest.mark.slow
def test_the_installed_doctor_names_the_proxy_and_never_its_password(fake, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(dotenv_text(stack_env()), encoding="utf-8")
    token = tmp_path / "token"
    token.write_text(TOKEN, encoding="utf-8")
    with closed_port() as port:
        environ = {
            **base_environ(fake, tmp_path),
            **_vertex_at("https://aiplatform.doctor-test.invalid"),
            "HTTPS_PROXY": f"http://dev:proxy-password-1234@127.0.0.1:{port}",
        }
        run = run_installed(["--env-file", str(env_file), "--access-token-file", str(token), "--timeout", "2"], environ)
    assert run.code == 1, run.out + run.err
    lines = run.out.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("FAIL  model:claude-opus-5-5"))
    assert "cannot reach aiplatform.doctor-test.invalid (" in lines[failed]
    assert lines[failed + 1].split("fix: ", 1)[1] == (
        f"check your network and VPN, and the proxy HTTPS_PROXY=http://127.0.0.1:{port}: is it up, and does it let "
        "this host through? Then rerun"
    )
    assert "proxy-password-1234" not in run.out + run.err
    assert lines[-1].startswith("Claude Code on Vertex AI will not work.")
    assert run.err == ""


@pytest.mark.parametrize("value", ["0", "301", "soon", "nan"])
def test_a_timeout_out_of_bounds_is_bad_input_in_one_line(doctor, fake, value):
    run = doctor(stack_env(), "--timeout", value)
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1 and "--timeout" in run.err and "Traceback" not in run.err


COUNT_TOKENS = f"/v1/projects/{PROJECT}/locations/global/publishers/anthropic/models/count-tokens:rawPredict"


def test_a_trickling_vertex_is_cut_off_by_the_wall_clock(doctor, fake):
    with CannedServer(None, answers={COUNT_TOKENS: Canned(200, trickle=0.3)}) as server:
        started = time.monotonic()
        run = doctor(stack_env(), "--timeout", "1", shell=_vertex_at(server.url()))
        elapsed = time.monotonic() - started
    check = run.check("model:claude-opus-5-5")
    assert check["message"].startswith(f"cannot reach 127.0.0.1:{server.port} (no complete answer within 4 s)")
    _network_only(check)
    assert elapsed < 10


def test_a_trickling_resource_manager_is_cut_off_by_the_wall_clock(doctor, fake):
    answers = {f"/v1/projects/{PROJECT}:testIamPermissions": Canned(200, trickle=0.3)}
    with CannedServer(None, answers=answers) as server:
        started = time.monotonic()
        run = doctor(
            stack_env(),
            "--timeout",
            "1",
            shell={"CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER": server.url() + "/"},
        )
        elapsed = time.monotonic() - started
    assert run.code == 0, run.out
    assert run.check("permission")["message"].startswith(
        f"cannot reach 127.0.0.1:{server.port} (no complete answer within 3 s)"
    )
    assert elapsed < 8


def test_a_trickling_token_endpoint_is_cut_off_by_the_wall_clock(doctor, fake, tmp_path):
    with CannedServer(None, answers={"/token": Canned(200, trickle=0.3)}) as server:
        adc = workforce_adc(tmp_path, server.url())
        started = time.monotonic()
        run = doctor(stack_env(), "--timeout", "1", token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(adc)})
        elapsed = time.monotonic() - started
    credentials = run.check("credentials")
    assert credentials["status"] == "fail"
    assert (
        f"cannot reach 127.0.0.1:{server.port} (no complete answer within 4 s) to get an access token"
        in (credentials["message"])
    )
    _network_only(credentials)
    assert elapsed < 10
