"""The config under test boots the real gateway; a config with a key the gateway does not know never does.

What a platform engineer notices: the rendered gateway.yaml comes up ready (database migrated, IdP discovered) and
serves sign-in and nothing without a session; a typo in gateway.yaml stops the boot at once, naming the key.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.gateway import config as gateway_config
from tests.support.gateway.lab import Lab, RunningGateway
from tests.support.gateway.process import boot_failure

pytestmark = [pytest.mark.gateway, pytest.mark.slow]

FAST_FAILURE_S = 5


def test_the_rendered_config_boots_ready_and_offers_the_device_flow(gateway: RunningGateway) -> None:
    assert requests.get(f"{gateway.url}/healthz", timeout=5).text == "ok"
    assert requests.get(f"{gateway.url}/readyz", timeout=5).text == "ready"
    metadata = requests.get(f"{gateway.url}/.well-known/oauth-authorization-server", timeout=5).json()
    assert metadata["device_authorization_endpoint"] == f"{gateway.url}/oauth/device_authorization"
    assert metadata["token_endpoint"] == f"{gateway.url}/oauth/token"
    assert "urn:ietf:params:oauth:grant-type:device_code" in metadata["grant_types_supported"]


def test_without_a_session_nothing_is_served(gateway: RunningGateway) -> None:
    message = {"model": "any", "max_tokens": 1, "messages": [{"role": "user", "content": "hi"}]}
    for method, path in (("POST", "/v1/messages"), ("GET", "/v1/models"), ("GET", "/managed/settings")):
        answer = requests.request(method, f"{gateway.url}{path}", json=message, timeout=5)
        assert answer.status_code == 401, (path, answer.text)
        forged = requests.request(
            method, f"{gateway.url}{path}", json=message, headers={"Authorization": "Bearer not-a-session"}, timeout=5
        )
        assert forged.status_code == 401, (path, forged.text)


def _with_unknown_key(config: dict[str, Any], where: str) -> tuple[dict[str, Any], list[Any], str]:
    if where == "top level":
        return {**config, "upstream": config["upstreams"]}, [], "upstream"
    changed = json.loads(json.dumps(config))
    changed["upstreams"][0]["projectId"] = changed["upstreams"][0]["project_id"]
    return changed, ["upstreams", 0], "projectId"


@pytest.mark.parametrize("where", ["top level", "in an upstream"])
def test_an_unknown_key_fails_the_boot_fast_naming_it(lab: Lab, rendered_config: dict[str, Any], where: str) -> None:
    """Everything else is loopback-ready, so only the unknown key can be what the gateway refuses."""
    changed, path, key = _with_unknown_key(rendered_config, where)
    loopback = gateway_config.Loopback(
        port=1,
        issuer=lab.issuer.url,
        postgres_url="postgres://nobody@127.0.0.1:1/none",
        upstream_base_urls={upstream["name"]: "http://127.0.0.1:1/v1" for upstream in changed["upstreams"]},
    )
    text = gateway_config.dump(gateway_config.for_loopback(changed, loopback))
    config_path, env = lab.config_path_for_boot_failure(text, f"unknown-key-{where.replace(' ', '-')}")
    started = time.monotonic()
    done = boot_failure(lab.binary, config_path, env, Path(config_path).parent)
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    assert elapsed < FAST_FAILURE_S, f"the refusal took {elapsed:.1f} s"
    issues = json.loads(done.stderr[done.stderr.index("[") :])
    assert {"code": "unrecognized_keys", "keys": [key], "path": path} in [
        {name: issue.get(name) for name in ("code", "keys", "path")} for issue in issues
    ], done.stderr
    assert "listening on" not in done.stdout + done.stderr
