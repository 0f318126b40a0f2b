"""`claude-vertex-doctor --gateway`: the command a developer behind the gateway runs, its exit codes and output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from claude_vertex_doctor.cli import main
from doctor_support import run_installed
from gateway_doctor import SESSION_TOKEN
from loopback_tls import Canned

MODELS = Canned(200, json.dumps({"data": [{"type": "model", "id": "payments-opus"}]}).encode())


@pytest.fixture
def ready(machine, pki, gateway_server):
    """Pointed at the canned gateway by managed settings, signed in, its models served."""
    url = gateway_server.url()
    machine.point_at(url)
    machine.sign_in(url, gateway_server.certificate.fingerprint)
    gateway_server.answers["/v1/models"] = MODELS
    return ["--managed-settings", str(machine.managed), "--ca-file", str(pki.ca_file)]


def test_gateway_without_a_url_takes_the_managed_settings_one_and_exits_0(ready, machine, gateway_server, capsys):
    code = main(["--gateway", *ready], machine.environ())
    out, err = capsys.readouterr()
    assert code == 0, out
    assert err == ""
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines if not line.startswith(" ")][:-1] == [
        ["OK", "gateway.settings"],
        ["OK", "gateway.address"],
        ["OK", "gateway.connect"],
        ["OK", "gateway.tls"],
        ["OK", "gateway.health"],
        ["OK", "gateway.sign-in"],
        ["OK", "gateway.models"],
    ]
    assert lines[-1] == "Claude Code through the gateway should work. 0 failed, 0 warnings, 7 checks."
    assert "your group may use: payments-opus" in out
    assert SESSION_TOKEN not in out


def test_json_has_the_vertex_paths_shape_and_exit_1_on_a_failure(ready, machine, gateway_server, capsys):
    machine.credentials.unlink()
    code = main(["--gateway", gateway_server.url(), "--json", *ready], machine.environ())
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert set(doc) == {"ok", "checks"} and doc["ok"] is False
    assert all(set(c) == {"id", "status", "message", "fix"} for c in doc["checks"])
    assert [c["id"] for c in doc["checks"] if c["status"] == "fail"] == ["gateway.sign-in"]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--gateway", "http://claude-gateway.corp.example.com"], "allows plain http only for localhost"),
        (["--gateway", "https://gw.example.com?x=1"], "a query or a fragment"),
        (["--gateway", "--env-file", ".env"], "--env-file check Vertex AI with your own credentials"),
        (["--gateway", "--access-token-file", "t"], "--access-token-file check Vertex AI"),
        (["--ca-file", "ca.pem"], "--managed-settings and --ca-file go with --gateway"),
        (["--gateway", "https://gw.example.com", "--ca-file", "/nonexistent/ca.pem"], "no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, said, capsys):
    code = main(argv, {"HOME": "/nonexistent"})
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and said in err and "Traceback" not in err


def test_a_ca_file_that_is_not_pem_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    assert main(["--gateway", "https://gw.example.com", "--ca-file", str(bad)], {}) == 2
    assert "not a PEM file of CA certificates" in capsys.readouterr().err


@pytest.mark.slow
def test_python_m_runs_the_gateway_path_in_its_own_process(ready, machine, gateway_server):
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),  # this checkout's doctor, as in conftest
        **machine.environ(),
    }
    machine.credentials.unlink()
    run = run_installed(["--gateway", *ready], environ)
    assert run.code == 1, run.out + run.err
    assert run.err == ""
    assert "FAIL  gateway.sign-in" in run.out and "fix: start `claude` and type /login" in run.out
    assert run.out.splitlines()[-1] == "Claude Code through the gateway will not work. 1 failed, 0 warnings, 6 checks."
