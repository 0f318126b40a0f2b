"""The gateway's network face, as a developer's machine meets it: the name, the address Claude Code would accept,
the TCP path, the certificate. Real TLS on 127.0.0.1 with a throwaway CA; the name resolved by an injected
resolver standing in for the company's private DNS.
"""

from __future__ import annotations

import datetime as dt
import time

from claude_vertex_doctor.gateway import Timeouts
from gateway_doctor import diagnose, hosts
from loopback_tls import NOW, CannedServer, closed_port

NETWORK_CHECKS = ("gateway.connect", "gateway.tls", "gateway.health", "gateway.models")


def test_everything_answers_and_the_certificate_is_described(machine, pki, gateway_server):
    url = gateway_server.url("gateway.test")
    machine.point_at(url)
    run = diagnose(machine, None, ca_file=pki.ca_file, resolver=hosts({"gateway.test": ["127.0.0.1"]}))
    assert run.statuses() == {
        "gateway.settings": "ok",
        "gateway.address": "ok",
        "gateway.connect": "ok",
        "gateway.tls": "ok",
        "gateway.health": "ok",
        "gateway.sign-in": "fail",  # nobody has signed in on this machine yet
    }
    assert run.check("gateway.address")["message"] == "gateway.test resolves to 127.0.0.1 (private: 127.0.0.0/8)"
    tls = run.check("gateway.tls")["message"]
    assert (
        "the certificate for gateway.test, 127.0.0.1, issued by CN=Example Corp Test CA, O=Example Corp, valid until "
        in tls
    )
    assert f"--ca-file {pki.ca_file}" in tls
    assert run.check("gateway.health")["message"] == "the gateway answers: /healthz ok, /readyz ready"
    assert gateway_server.paths() == ["/healthz", "/readyz"]


def test_a_public_address_is_refused_as_claude_code_refuses_it_and_nothing_is_contacted(machine, pki, gateway_server):
    machine.point_at("https://gateway.test")
    run = diagnose(machine, None, ca_file=pki.ca_file, resolver=hosts({"gateway.test": ["203.0.113.9"]}))
    address = run.check("gateway.address")
    assert address["status"] == "fail"
    assert "gateway.test resolves to the public (or unrecognized) address 203.0.113.9" in address["message"]
    assert "Claude Code refuses a gateway that is not on a private network" in address["message"]
    assert "private records" in address["fix"]
    assert not set(run.ids()) & set(NETWORK_CHECKS)
    assert run.check("gateway.sign-in")["status"] == "fail"  # read all the same: it needs no network
    assert gateway_server.requests == []


def test_a_name_that_also_resolves_publicly_is_refused(machine, pki):
    machine.point_at("https://gateway.test")
    run = diagnose(machine, None, resolver=hosts({"gateway.test": ["10.20.0.7", "2001:4860:4860::8888"]}))
    assert run.check("gateway.address")["status"] == "fail"
    assert "2001:4860:4860::8888 alongside private ones" in run.check("gateway.address")["message"]


def test_a_name_that_does_not_resolve_says_connect_to_the_network(machine):
    machine.point_at("https://claude-gateway.corp.example.com")
    run = diagnose(machine, None, resolver=hosts({}))
    check = run.check("gateway.address")
    assert check["status"] == "fail"
    assert check["message"].startswith("cannot resolve claude-gateway.corp.example.com")
    assert "VPN" in check["fix"]
    assert "group" not in check["message"] + check["fix"]


def test_an_unreachable_port_is_cannot_reach_never_a_membership_problem(machine):
    with closed_port() as port:
        url = f"https://gateway.test:{port}"
        machine.point_at(url)
        run = diagnose(machine, None, resolver=hosts({"gateway.test": ["127.0.0.1"]}))
    check = run.check("gateway.connect")
    assert check["status"] == "fail"
    assert check["message"].startswith(f"cannot reach gateway.test port {port} (127.0.0.1: ")
    assert "VPN" in check["fix"] and "group" not in check["message"] + check["fix"]
    assert not {"gateway.tls", "gateway.health", "gateway.models"} & set(run.ids())


def test_a_certificate_for_another_name_is_refused_and_says_which_names_it_has(machine, pki):
    with CannedServer(pki.issue(["other.test"])) as server:
        machine.point_at(server.url("gateway.test"))
        run = diagnose(machine, None, ca_file=pki.ca_file, resolver=hosts({"gateway.test": ["127.0.0.1"]}))
    tls = run.check("gateway.tls")
    assert tls["status"] == "fail"
    assert "the certificate for other.test, issued by CN=Example Corp Test CA" in tls["message"]
    assert "does not name gateway.test" in tls["message"]
    assert server.paths() == []  # Claude Code would stop at the handshake: so does the doctor


def test_an_expired_certificate_says_when_it_expired_and_who_renews_it(machine, pki):
    expired = pki.issue(not_before=NOW - dt.timedelta(days=90), not_after=NOW - dt.timedelta(days=2))
    with CannedServer(expired) as server:
        machine.point_at(server.url())
        run = diagnose(machine, None, ca_file=pki.ca_file)
    tls = run.check("gateway.tls")
    assert tls["status"] == "fail"
    assert f"expired on {(NOW - dt.timedelta(days=2)):%Y-%m-%d}" in tls["message"]
    assert "renewed" in tls["fix"]


def test_a_certificate_about_to_expire_is_a_warning_with_its_date(machine, pki):
    soon = pki.issue(not_after=NOW + dt.timedelta(days=3))
    with CannedServer(soon) as server:
        machine.point_at(server.url())
        run = diagnose(machine, None, ca_file=pki.ca_file)
    tls = run.check("gateway.tls")
    assert tls["status"] == "warn"
    assert f"expires on {(NOW + dt.timedelta(days=3)):%Y-%m-%d}" in tls["message"]
    assert tls["message"].endswith("in 2 days")  # 3 days less the seconds since the certificate was made
    assert run.check("gateway.health")["status"] == "ok"  # a warning does not stop the checks


def test_an_unknown_ca_is_refused_naming_the_issuer_and_how_to_trust_it(machine, pki, tmp_path):
    from loopback_tls import Pki

    stranger = Pki(tmp_path / "other-pki", name="Somebody Else CA")
    with CannedServer(stranger.issue()) as server:
        machine.point_at(server.url())
        run = diagnose(machine, None, ca_file=pki.ca_file)
    tls = run.check("gateway.tls")
    assert tls["status"] == "fail"
    assert "issued by CN=Somebody Else CA, O=Example Corp" in tls["message"]
    assert "is signed by no authority your machine trusts" in tls["message"]
    assert "NODE_EXTRA_CA_CERTS" in tls["fix"] and "--ca-file" in tls["fix"]


def test_node_extra_ca_certs_is_trusted_as_claude_code_trusts_it(machine, pki, gateway_server):
    machine.point_at(gateway_server.url())
    run = diagnose(machine, None, environ=machine.environ(NODE_EXTRA_CA_CERTS=str(pki.ca_file)))
    assert run.check("gateway.tls")["status"] == "ok"
    assert f"NODE_EXTRA_CA_CERTS={pki.ca_file}" in run.check("gateway.tls")["message"]


def test_without_the_company_ca_the_system_store_alone_refuses_the_gateway(machine, gateway_server):
    machine.point_at(gateway_server.url())
    run = diagnose(machine, None)
    assert run.check("gateway.tls")["status"] == "fail"
    assert "verified against the system trust store" in run.check("gateway.tls")["message"]


def test_a_server_that_stalls_the_handshake_is_cut_off_in_time(machine, pki):
    with CannedServer(pki.issue(), stall_tls=True) as server:
        machine.point_at(server.url())
        started = time.monotonic()
        run = diagnose(machine, None, ca_file=pki.ca_file, timeouts=Timeouts(resolve=1, connect=1, tls=1, request=1))
        elapsed = time.monotonic() - started
    tls = run.check("gateway.tls")
    assert tls["status"] == "fail"
    assert tls["message"] == f"127.0.0.1:{server.port} accepted a connection but completed no TLS handshake within 1 s"
    assert elapsed < 5


def test_plain_http_where_https_is_expected_says_it_does_not_speak_tls(machine):
    with CannedServer(None) as server:
        machine.point_at(server.url("localhost").replace("http://", "https://"))
        run = diagnose(machine, None, resolver=hosts({"localhost": ["127.0.0.1"]}))
    tls = run.check("gateway.tls")
    assert tls["status"] == "fail"
    assert "does not speak TLS" in tls["message"]


def test_plain_http_on_loopback_is_allowed_as_claude_code_allows_it(machine):
    with CannedServer(None) as server:
        machine.point_at(server.url())
        run = diagnose(machine, None)
    assert run.check("gateway.tls")["status"] == "ok"
    assert "plain http on loopback" in run.check("gateway.tls")["message"]
    assert run.check("gateway.health")["status"] == "ok"


def test_a_name_with_many_addresses_is_tried_a_bounded_number_of_times(machine):
    with closed_port() as port:
        machine.point_at(f"https://gateway.test:{port}")
        many = [f"127.0.0.{i}" for i in range(1, 50)]
        run = diagnose(machine, None, resolver=hosts({"gateway.test": many}))
    message = run.check("gateway.connect")["message"]
    assert message.count("127.0.0.") == 4 and "127.0.0.4:" in message and "127.0.0.5" not in message


def test_a_name_the_real_resolver_cannot_resolve_is_the_network_never_a_group(machine):
    machine.point_at("https://claude-gateway.doctor-test.invalid")  # .invalid never resolves (RFC 6761)
    run = diagnose(machine, None)  # the system resolver, as a developer's machine asks it
    check = run.check("gateway.address")
    assert check["status"] == "fail"
    assert check["message"].startswith("cannot resolve claude-gateway.doctor-test.invalid (")
    assert "VPN" in check["fix"] and "group" not in check["message"] + check["fix"]
    assert not set(NETWORK_CHECKS) & set(run.ids())
