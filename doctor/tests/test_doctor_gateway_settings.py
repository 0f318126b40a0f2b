"""Which gateway Claude Code is sent to: the managed-settings file (and its drop-ins) as the client reads them, the
gateway URL as the client normalises it, and the client's rule for which addresses a gateway may have."""

from __future__ import annotations

import json

import pytest
from claude_vertex_doctor.gateway_url import UrlError, parse
from claude_vertex_doctor.managed_settings import default_path
from claude_vertex_doctor.private_network import declared_networks, judge, private_range
from gateway_doctor import diagnose, hosts

NOWHERE = hosts({})  # the checks after the settings are not what these tests are about


def test_the_managed_settings_name_the_gateway_and_it_is_the_one_checked(machine):
    machine.point_at("https://claude-gateway.corp.example.com/")
    run = diagnose(machine, None, resolver=NOWHERE)
    settings = run.check("gateway.settings")
    assert settings["status"] == "ok"
    assert settings["message"] == (
        f'{machine.managed}: forceLoginMethod "gateway", forceLoginGatewayUrl https://claude-gateway.corp.example.com'
    )
    assert run.check("gateway.address")["message"].startswith("cannot resolve claude-gateway.corp.example.com")


def test_the_same_gateway_spelled_differently_is_the_same_gateway(machine):
    machine.point_at("HTTPS://Claude-Gateway.corp.example.com:443/")
    run = diagnose(machine, "claude-gateway.corp.example.com", resolver=NOWHERE)
    assert run.check("gateway.settings")["status"] == "ok"


def test_another_gateway_than_the_one_asked_about_names_the_file_and_both_urls(machine):
    machine.point_at("https://claude-gateway.corp.example.com")
    run = diagnose(machine, "https://gateway.staging.example.com", resolver=NOWHERE)
    settings = run.check("gateway.settings")
    assert settings["status"] == "fail"
    assert (
        f"{machine.managed} names https://claude-gateway.corp.example.com, not https://gateway.staging.example.com"
        in settings["message"]
    )
    assert run.check("gateway.address")["message"].startswith("cannot resolve gateway.staging.example.com")


def test_a_login_method_other_than_gateway_is_named_with_its_value(machine):
    machine.manage(forceLoginMethod="claudeai", forceLoginGatewayUrl="https://claude-gateway.corp.example.com")
    settings = diagnose(machine, None, resolver=NOWHERE).check("gateway.settings")
    assert settings["status"] == "fail"
    assert f'{machine.managed} sets forceLoginMethod to "claudeai", not "gateway"' in settings["message"]
    assert '"forceLoginMethod": "gateway"' in settings["fix"]


def test_no_gateway_url_in_the_settings_fails_and_there_is_nothing_else_to_check(machine):
    machine.manage(forceLoginMethod="gateway")
    run = diagnose(machine, None, resolver=NOWHERE)
    assert "names no forceLoginGatewayUrl" in run.check("gateway.settings")["message"]
    assert run.check("gateway.url")["fix"].startswith("pass its URL: claude-vertex-doctor --gateway https://")
    assert run.ids() == ["gateway.settings", "gateway.url"]
    assert run.code == 1


def test_a_drop_in_file_wins_over_the_base_file_and_is_named(machine):
    machine.point_at("https://old-gateway.corp.example.com")
    drop_in = machine.managed.parent / "managed-settings.d" / "50-gateway.json"
    drop_in.parent.mkdir()
    drop_in.write_text(json.dumps({"forceLoginGatewayUrl": "https://claude-gateway.corp.example.com"}))
    (drop_in.parent / ".99-hidden.json").write_text(json.dumps({"forceLoginGatewayUrl": "https://hidden.example"}))
    settings = diagnose(machine, None, resolver=NOWHERE).check("gateway.settings")
    assert settings["message"].startswith(f"{drop_in}: ")
    assert settings["message"].endswith("forceLoginGatewayUrl https://claude-gateway.corp.example.com")


@pytest.mark.parametrize(
    ("platform", "status"), [("linux", "fail"), ("darwin", "warn"), ("win32", "warn")], ids=["linux", "macos", "win"]
)
def test_no_managed_settings_file(machine, platform, status):
    run = diagnose(machine, "https://claude-gateway.corp.example.com", resolver=NOWHERE, platform=platform)
    settings = run.check("gateway.settings")
    assert settings["status"] == status
    assert settings["message"].startswith(f"no managed settings at {machine.managed}")
    assert ("MDM profile or the registry" in settings["message"]) == (status == "warn")
    assert '"forceLoginGatewayUrl": "https://claude-gateway.corp.example.com"' in settings["fix"]


def test_a_managed_settings_file_that_is_not_json_says_where(machine):
    machine.managed.parent.mkdir(parents=True)
    machine.managed.write_text('{"forceLoginMethod": "gateway",\n  oops}')
    settings = diagnose(machine, "https://claude-gateway.corp.example.com", resolver=NOWHERE).check("gateway.settings")
    assert settings["status"] == "fail"
    assert settings["message"].startswith(f"{machine.managed} is not JSON (line 2, column 3")


def test_an_http_gateway_url_off_loopback_in_the_settings_is_refused_as_the_client_refuses_it(machine):
    machine.point_at("http://claude-gateway.corp.example.com")
    run = diagnose(machine, None, resolver=NOWHERE)
    assert "allows plain http only for localhost" in run.check("gateway.settings")["message"]
    assert run.ids() == ["gateway.settings", "gateway.url"]


def test_a_declared_internal_network_lets_its_public_addresses_through(machine):
    machine.manage(
        forceLoginMethod="gateway",
        forceLoginGatewayUrl="https://claude-gateway.corp.example.com",
        gatewayInternalNetworks=["150.1.2.0/24"],
    )
    settings = diagnose(machine, None, resolver=NOWHERE).check("gateway.settings")
    assert settings["status"] == "ok" and settings["message"].endswith("gatewayInternalNetworks 150.1.2.0/24")


def test_a_bad_internal_network_entry_is_refused_as_the_client_refuses_it(machine):
    machine.manage(
        forceLoginMethod="gateway",
        forceLoginGatewayUrl="https://claude-gateway.corp.example.com",
        gatewayInternalNetworks=["10.0.0.0/8"],
    )
    settings = diagnose(machine, None, resolver=NOWHERE).check("gateway.settings")
    assert settings["status"] == "fail"
    assert (
        'gatewayInternalNetworks entry "10.0.0.0/8" overlaps 10.0.0.0/8, private address space' in settings["message"]
    )


def test_the_default_managed_settings_path_is_the_one_claude_code_reads_on_each_platform():
    assert str(default_path("linux")) == "/etc/claude-code/managed-settings.json"
    assert str(default_path("darwin")) == "/Library/Application Support/ClaudeCode/managed-settings.json"
    assert default_path("win32").name == "managed-settings.json"
    assert str(default_path("win32").parent) == "C:\\Program Files\\ClaudeCode"


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("claude-gateway.corp.example.com", "https://claude-gateway.corp.example.com"),
        ("https://Claude-Gateway.Corp.Example.com/", "https://claude-gateway.corp.example.com"),
        ("https://gw.corp.example.com:443//", "https://gw.corp.example.com"),
        ("https://gw.corp.example.com:8443/claude/", "https://gw.corp.example.com:8443/claude"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
    ],
)
def test_gateway_urls_are_compared_in_the_clients_form(given, normal):
    assert str(parse(given)) == normal


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("http://claude-gateway.corp.example.com", "allows plain http only for localhost"),
        ("http://127.0.0.2:8080", "allows plain http only for localhost"),
        ("https://user@gw.corp.example.com", "user name, a query or a fragment"),
        ("https://gw.corp.example.com/?x=1", "user name, a query or a fragment"),
        ("ftp://gw.corp.example.com", "scheme 'ftp'"),
        ("https://gw.corp.example.com:99999", "is not a URL"),
        ("   ", "is empty"),
    ],
)
def test_gateway_urls_claude_code_refuses_are_refused_with_the_reason(given, why):
    with pytest.raises(UrlError, match=why.replace("(", r"\(")):
        parse(given)


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("10.1.2.3", "10.0.0.0/8"),
        ("172.31.255.254", "172.16.0.0/12"),
        ("192.168.0.10", "192.168.0.0/16"),
        ("127.0.0.2", "127.0.0.0/8"),
        ("169.254.10.1", "169.254.0.0/16"),
        ("100.64.0.1", "100.64.0.0/10"),
        ("::1", "::1/128"),
        ("fe80::1%eth0", "fe80::/10"),
        ("fd12:3456::7", "fc00::/7"),
        ("::ffff:10.0.0.1", "10.0.0.0/8"),
        ("172.32.0.1", None),
        ("100.128.0.1", None),
        ("8.8.8.8", None),
        ("203.0.113.9", None),
        ("2001:db8::1", None),
        ("::ffff:8.8.8.8", None),
        ("not-an-address", None),
    ],
)
def test_the_clients_private_address_rule(address, private):
    assert private_range(address) == private


def test_every_address_must_be_private_or_inside_one_declared_network():
    assert judge(["10.0.0.5", "fd00::5"]).accepted
    assert not judge(["10.0.0.5", "8.8.8.8"]).accepted
    declared = declared_networks(["150.1.2.0/24"])
    assert judge(["150.1.2.7"], declared).accepted
    refused = judge(["150.1.2.7", "10.0.0.5"], declared)
    assert not refused.accepted and "outside its declared network 150.1.2.0/24" in refused.detail


@pytest.mark.parametrize(
    ("entries", "why"),
    [
        ("150.1.2.0/24", "not a list of CIDR strings"),
        (["150.1.2.7/24"], "first-address/prefix"),
        (["150.0.0.0/7"], "first-address/prefix"),
        (["203.0.113.0/24"], "documentation example range"),
        (["198.18.0.0/16"], "VPN and NAT64"),
        (["150.1.0.0/16", "150.1.2.0/24"], "overlap; list disjoint blocks"),
        ([f"150.{i}.0.0/16" for i in range(5)], "at most 4"),
    ],
)
def test_declared_networks_claude_code_refuses(entries, why):
    with pytest.raises(ValueError, match=why):
        declared_networks(entries)
