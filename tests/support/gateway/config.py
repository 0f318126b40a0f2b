"""The gateway.yaml under test, the loopback overrides put on top of it, and what it promises each team.

`gateway_config_for_test()` is the one seam: it returns the gateway.yaml text the proof boots, the `gatewayConfig`
output the real program renders for the suite's gateway stack (tests/stacks/gateway/, the example stack's config
serving the two example teams).

`for_loopback(...)` changes only what cannot be real on a test machine, on top of whatever config comes in:
`listen` (127.0.0.1, a free port, no TLS, no public URL), `oidc.issuer` (the local IdP), `store.postgres_url` (the
local PostgreSQL), each Vertex upstream's `base_url` (the fake Vertex, or a dead loopback port), and
`access_control.allow_cidrs` gains 127.0.0.1/32 if it lists any. `secret_environment(...)` gives every `${VAR}` the
config references a value: the local IdP's client secret for `oidc.client_secret`, the local database password for
`store.password`, a fresh random value for anything else (JWT secret, admin keys). Everything else stays as rendered.

`teams(config)` reads back what the config promises, so the tests' expectations follow the config, never a copy:
for each managed policy's groups, the upstreams that serve them (project, region), the model IDs their policy
allows and the Vertex model each one maps to there, and the model the policy starts them on.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

SECRET_REFERENCE = re.compile(r"^\$\{(\w+)\}$")
FILE_REFERENCE = re.compile(r"^\$\{file:")


def gateway_config_for_test() -> str:
    """The gateway.yaml text the proof boots: what the program renders for the suite's gateway stack."""
    from tests.support.gateway.rendered import rendered_gateway_yaml

    return rendered_gateway_yaml()


def parse(text: str) -> dict[str, Any]:
    config = yaml.safe_load(text)
    if not isinstance(config, dict):
        raise ValueError("gateway.yaml is not a mapping")
    return config


def dump(config: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(config), sort_keys=False)


@dataclass(frozen=True)
class Loopback:
    """Where each real service is on this machine."""

    port: int
    issuer: str
    postgres_url: str
    upstream_base_urls: Mapping[str, str]  # upstream name -> base_url


def for_loopback(config: Mapping[str, Any], loopback: Loopback) -> dict[str, Any]:
    """`config` with the loopback overrides applied (see the module docstring); the input is not changed."""
    result = copy.deepcopy(dict(config))
    listen = {
        key: value
        for key, value in result.get("listen", {}).items()
        if key not in ("host", "port", "tls", "public_url")
    }
    result["listen"] = {"host": "127.0.0.1", "port": loopback.port, **listen}
    result["oidc"]["issuer"] = loopback.issuer
    result["oidc"].pop("discovery_url", None)
    result["store"]["postgres_url"] = loopback.postgres_url
    allow = result.get("access_control", {}).get("allow_cidrs")
    if allow:
        allow.append("127.0.0.1/32")
    for upstream in result["upstreams"]:
        if upstream.get("provider") != "vertex":
            raise ValueError(f"upstream {upstream.get('name')!r}: the proof stands in for Vertex only")
        upstream["base_url"] = loopback.upstream_base_urls[upstream["name"]]
    return result


def secret_environment(config: Mapping[str, Any], *, oidc_client_secret: str, database_password: str) -> dict[str, str]:
    """A value for each `${VAR}` the config references: what the local IdP and database expect, else a random one."""
    known = {("oidc", "client_secret"): oidc_client_secret, ("store", "password"): database_password}
    env: dict[str, str] = {}
    for path, value in _strings(config, ()):
        if FILE_REFERENCE.match(value):
            raise ValueError(f"{'.'.join(map(str, path))}: the proof gives secrets as ${{VAR}} only, not {value!r}")
        match = SECRET_REFERENCE.match(value)
        if match:
            env[match[1]] = known.get(path) or env.get(match[1]) or secrets.token_urlsafe(36)
    return env


def _strings(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


def email_domain(config: Mapping[str, Any]) -> str:
    """A domain the config lets sign in: its first `oidc.allowed_email_domains`, else example.com."""
    return (config.get("oidc", {}).get("allowed_email_domains") or ["example.com"])[0].lstrip("@")


def admin_write_key(config: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """The first admin write key's value, as the deploy job holds it."""
    reference = config["admin"]["write_keys"][0]["key"]
    match = SECRET_REFERENCE.match(reference)
    return env[match[1]] if match else reference


@dataclass(frozen=True)
class Route:
    """Where a model ID a developer may send lands: the upstream, its project and region, the Vertex model."""

    model_id: str
    upstream: str
    project: str
    region: str
    vertex_model: str


@dataclass(frozen=True)
class Team:
    """One managed policy's groups and what the config gives them."""

    group: str
    start_model: str | None  # the policy's `model` (or its `env.ANTHROPIC_MODEL`): what `claude` starts on
    routes: tuple[Route, ...]  # the first route of each model ID is the one tried first

    def route(self, model_id: str) -> Route:
        return next(route for route in self.routes if route.model_id == model_id)

    @property
    def projects(self) -> set[str]:
        return {route.project for route in self.routes}


def teams(config: Mapping[str, Any]) -> list[Team]:
    """Every group-matched managed policy, with the routes its allowed models take through its upstreams."""
    upstreams = config["upstreams"]
    models = {entry["id"]: entry["upstream_model"] for entry in config.get("models", [])}
    result = []
    for policy in config.get("managed", {}).get("policies", []):
        groups = policy.get("match", {}).get("groups")
        if not groups:
            continue
        settings = policy.get("cli") or policy.get("code") or policy.get("settings") or {}
        group = groups[0]
        serving = [upstream for upstream in upstreams if group in upstream.get("groups", [])]
        routes = tuple(
            Route(
                model_id,
                upstream["name"],
                upstream["project_id"],
                upstream["region"],
                models[model_id][upstream["name"]],
            )
            for model_id in settings.get("availableModels", [])
            for upstream in serving
            if model_id in upstream.get("models", []) and upstream["name"] in models.get(model_id, {})
        )
        start = settings.get("model") or settings.get("env", {}).get("ANTHROPIC_MODEL")
        result.append(Team(group, start, routes))
    return result


def with_second_region(config: Mapping[str, Any], upstream_name: str, *, name: str, region: str) -> dict[str, Any]:
    """`config` plus a second upstream for one team, as a platform adds for a second region: a copy of
    `upstream_name` in `region`, listed right after it (so tried second) and mapped to the same Vertex models."""
    result = copy.deepcopy(dict(config))
    upstreams = result["upstreams"]
    index = next(i for i, upstream in enumerate(upstreams) if upstream["name"] == upstream_name)
    upstreams.insert(index + 1, {**copy.deepcopy(upstreams[index]), "name": name, "region": region})
    for entry in result.get("models", []):
        if upstream_name in entry["upstream_model"]:
            entry["upstream_model"][name] = entry["upstream_model"][upstream_name]
    return result
