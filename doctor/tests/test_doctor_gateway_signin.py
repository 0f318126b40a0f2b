"""Signed in or not: Claude Code's stored sign-in (`~/.claude/.credentials.json`, `enterpriseGateway` and the
certificate pin in `gatewayTrust`), read as the client reads it, never printed and never renewed."""

from __future__ import annotations

import datetime as dt
import json
import os

from gateway_doctor import EMAIL, REFRESH_TOKEN, SESSION_TOKEN, diagnose
from loopback_tls import Canned

MODELS = Canned(200, json.dumps({"data": [{"type": "model", "id": "payments-opus"}]}).encode())


def _serve_models(server):
    server.answers["/v1/models"] = MODELS


def test_signed_in_says_as_whom_and_until_when_and_never_prints_the_tokens(machine, pki, gateway_server):
    _serve_models(gateway_server)
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint)
    run = diagnose(machine, None, ca_file=pki.ca_file)
    check = run.check("gateway.sign-in")
    assert check["status"] == "ok", check
    assert check["message"].startswith(
        f"signed in to {url} as {EMAIL} (groups: payments-engineers), session valid until "
    )
    assert check["message"].endswith("(7 hours left)")
    assert gateway_server.paths() == ["/healthz", "/readyz", "/v1/models", "/managed/settings"]
    assert all(seen.headers["Authorization"] == f"Bearer {SESSION_TOKEN}" for seen in gateway_server.requests[2:])
    assert all("Authorization" not in seen.headers for seen in gateway_server.requests[:2])
    printed = json.dumps(run.doc) + run.text
    assert SESSION_TOKEN not in printed and REFRESH_TOKEN not in printed


def test_not_signed_in_says_so_with_the_fix_and_asks_the_gateway_nothing_as_you(machine, pki, gateway_server):
    url = gateway_server.url()
    machine.point_at(url)
    run = diagnose(machine, None, ca_file=pki.ca_file)
    check = run.check("gateway.sign-in")
    assert check == {
        "id": "gateway.sign-in",
        "status": "fail",
        "message": f"you are not signed in to the gateway (there is no {machine.credentials})",
        "fix": "start `claude` and type /login (your browser opens the company sign-in)",
    }
    assert "gateway.models" not in run.ids()
    assert gateway_server.paths() == ["/healthz", "/readyz"]


def test_a_credentials_file_without_a_gateway_sign_in_is_not_signed_in(machine, pki, gateway_server):
    machine.point_at(gateway_server.url())
    machine.credentials.parent.mkdir(parents=True)
    machine.credentials.write_text(json.dumps({"claudeAiOauth": {"accessToken": "sk-ant-oat01-not-ours-0123456789"}}))
    check = diagnose(machine, None, ca_file=pki.ca_file).check("gateway.sign-in")
    assert check["status"] == "fail" and "holds no gateway sign-in" in check["message"]


def test_signed_in_to_another_gateway(machine, pki, gateway_server):
    machine.point_at(gateway_server.url())
    machine.sign_in("https://gateway.staging.example.com", "00" * 32)
    check = diagnose(machine, None, ca_file=pki.ca_file).check("gateway.sign-in")
    assert check["status"] == "fail"
    assert (
        check["message"] == f"you are signed in to https://gateway.staging.example.com, not to {gateway_server.url()}"
    )
    assert check["fix"].startswith("run `claude auth logout`, then")


def test_a_certificate_that_changed_since_sign_in_is_refused_until_the_next_login(machine, pki, gateway_server):
    machine.point_at(gateway_server.url())
    machine.sign_in(gateway_server.url(), "ab" * 32)
    run = diagnose(machine, None, ca_file=pki.ca_file)
    check = run.check("gateway.sign-in")
    assert check["status"] == "fail"
    assert check["message"].startswith("the gateway's certificate changed since you signed in (pinned sha256 abababab")
    assert gateway_server.certificate.fingerprint[:16] in check["message"]
    assert "/login" in check["fix"]
    assert "gateway.models" not in run.ids()


def test_a_sign_in_without_its_certificate_pin_is_not_used(machine, pki, gateway_server):
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint)
    stored = json.loads(machine.credentials.read_text())
    del stored["gatewayTrust"]
    machine.credentials.write_text(json.dumps(stored))
    check = diagnose(machine, None, ca_file=pki.ca_file).check("gateway.sign-in")
    assert check["status"] == "fail" and "no pinned certificate for 127.0.0.1" in check["message"]


def test_an_expired_session_with_a_refresh_token_is_renewed_by_claude_code_so_it_is_a_warning(
    machine, pki, gateway_server
):
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint, expires_in=-dt.timedelta(hours=1))
    run = diagnose(machine, None, ca_file=pki.ca_file)
    check = run.check("gateway.sign-in")
    assert check["status"] == "warn"
    assert "the session expired at" in check["message"] and "Claude Code renews it" in check["message"]
    assert run.code == 0
    assert "/v1/models" not in gateway_server.paths()  # the doctor never renews a session itself


def test_an_expired_session_without_a_refresh_token_needs_a_login(machine, pki, gateway_server):
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint, expires_in=-dt.timedelta(hours=1), refresh=False)
    check = diagnose(machine, None, ca_file=pki.ca_file).check("gateway.sign-in")
    assert check["status"] == "fail"
    assert check["message"].startswith(f"your session as {EMAIL} (groups: payments-engineers) expired at ")
    assert "/login" in check["fix"]


def test_a_symlinked_credentials_file_is_refused_as_claude_code_refuses_it(machine, pki, gateway_server, tmp_path):
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint)
    real = tmp_path / "elsewhere.json"
    machine.credentials.rename(real)
    os.symlink(real, machine.credentials)
    check = diagnose(machine, None, ca_file=pki.ca_file).check("gateway.sign-in")
    assert (
        check["status"] == "fail"
        and check["message"] == f"{machine.credentials} is a symlink, which Claude Code does not follow"
    )


def test_a_garbled_credentials_file_is_one_line(machine, pki, gateway_server):
    machine.point_at(gateway_server.url())
    machine.credentials.parent.mkdir(parents=True)
    machine.credentials.write_bytes(b"\xff\xfe{" + b"[" * 100_000)
    check = diagnose(machine, None, ca_file=pki.ca_file).check("gateway.sign-in")
    assert check["status"] == "fail"
    assert check["message"] == f"{machine.credentials} cannot be read as Claude Code's credentials (UnicodeDecodeError)"


def test_claude_config_dir_moves_the_credentials_as_it_moves_them_for_claude_code(
    machine, pki, gateway_server, tmp_path
):
    _serve_models(gateway_server)
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint)
    moved = tmp_path / "claude-config"
    machine.credentials.parent.rename(moved)
    run = diagnose(machine, None, ca_file=pki.ca_file, environ=machine.environ(CLAUDE_CONFIG_DIR=str(moved)))
    assert run.check("gateway.sign-in")["status"] == "ok"


def test_on_macos_without_the_file_the_keychain_is_named_not_guessed(machine, pki, gateway_server):
    machine.point_at(gateway_server.url())
    check = diagnose(machine, None, ca_file=pki.ca_file, platform="darwin").check("gateway.sign-in")
    assert check["status"] == "warn"
    assert "login Keychain" in check["message"] and "claude auth status" in check["message"]


def test_a_token_that_is_not_a_readable_jwt_still_counts_as_signed_in_to_whom_it_does_not_say(
    machine, pki, gateway_server
):
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint, token="opaque.!!!not-base64!!!.x" + "y" * 40)
    check = diagnose(machine, None, ca_file=pki.ca_file).check("gateway.sign-in")
    assert check["status"] == "ok"
    assert check["message"].startswith(f"signed in to {url} as an account the sign-in does not name, session")


def test_sign_in_is_read_even_when_the_gateway_cannot_be_reached(machine):
    url = "https://claude-gateway.corp.example.com"
    machine.point_at(url)
    machine.sign_in(url, "cd" * 32)
    from gateway_doctor import hosts

    run = diagnose(machine, None, resolver=hosts({}))
    assert run.check("gateway.sign-in")["status"] == "ok"  # no certificate seen, so no pin to compare
