"""Pure renderings of the gateway: its gateway.yaml, the developers' managed settings, the spend-cap job's requests.

gateway.yaml is rendered from the gateway's config and plan alone, so it is the same text in a preview, in
`pulumi up` and in a test that boots the real gateway from it. It holds no secret: every credential, and the
database's address (known only once Cloud SQL has made it), is a `${VAR}` the gateway reads from its environment,
where Cloud Run puts them from Secret Manager (`GATEWAY_SECRETS`) or from the instance. Emitted with a YAML emitter
(`yaml.safe_dump`), never by string pasting.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

import yaml

from claude_vertex.config.behind_gateway import cents
from claude_vertex.config.gateway import GatewayConfig
from claude_vertex.plan.gateway import PERIOD, GatewayPlan

PORT = 8080
"""The port the gateway listens on in its container (Cloud Run's default `PORT`)."""
CONFIG_DIR = "/etc/claude-gateway"
CONFIG_FILE = "gateway.yaml"
DATABASE = "gateway"
DATABASE_USER = "gateway"
DATABASE_HOST_ENV = "GATEWAY_DATABASE_HOST"
"""Not a secret: the instance's private IP, set on the service from the instance's output."""
ADMIN_KEY_ID = "deploy"
"""The admin write key's id: the gateway's audit log names the spend-cap job's changes `admin-key:deploy`."""
SPEND_LIMITS_PATH = "/v1/organizations/spend_limits"


@dataclass(frozen=True)
class GatewaySecret:
    """A credential the gateway reads from its environment, held in Secret Manager; its value never enters state."""

    slug: str
    env: str
    what: str


OIDC_CLIENT_SECRET = GatewaySecret(
    "oidc-client-secret", "GATEWAY_OIDC_CLIENT_SECRET", "the OAuth client secret the IdP issued for the gateway"
)
JWT_SECRET = GatewaySecret(
    "jwt-secret", "GATEWAY_JWT_SECRET", "signs developers' gateway sessions (whoever holds it can mint any session)"
)
DATABASE_PASSWORD = GatewaySecret("db-password", "GATEWAY_DB_PASSWORD", "the gateway database user's password")
ADMIN_WRITE_KEY = GatewaySecret(
    "admin-write-key", "GATEWAY_ADMIN_WRITE_KEY", "the admin API key the spend-cap job sets limits with"
)
GATEWAY_SECRETS = (OIDC_CLIENT_SECRET, JWT_SECRET, DATABASE_PASSWORD, ADMIN_WRITE_KEY)
"""Every secret the gateway reads, in the order `make gateway-secrets` asks for them."""


def _ref(variable: str) -> str:
    return "${" + variable + "}"


def gateway_config(config: GatewayConfig, plan: GatewayPlan) -> dict[str, Any]:
    """gateway.yaml as data: the gateway's five required sections, the teams' upstreams, models and policies."""
    oidc: dict[str, Any] = {
        "issuer": config.oidc.issuer,
        "client_id": config.oidc.client_id,
        "client_secret": _ref(OIDC_CLIENT_SECRET.env),
        "groups_claim": config.oidc.groups_claim,
        # Developers are known by their email, the name `spendCaps.developers` and the admin API's audit use (the
        # gateway's default, the IdP's `sub`, is an opaque ID nobody can write a cap for).
        "user_id_claim": "email",
        # Only the teams' developers and the gateway's admins may sign in at all.
        "allowed_groups": [*plan.groups, *(g for g in config.admin_groups if g not in plan.groups)],
    }
    if config.oidc.email_domains:
        oidc["allowed_email_domains"] = list(config.oidc.email_domains)
    rendered: dict[str, Any] = {
        "listen": {
            "host": "0.0.0.0",
            "port": PORT,
            "public_url": config.public_url,
            # The internal load balancer's proxies: the only hops whose X-Forwarded-For the gateway believes.
            "trusted_proxies": [config.network.proxy_subnet_range],
        },
        "oidc": oidc,
        "session": {"jwt_secret": _ref(JWT_SECRET.env)},
        "store": {
            "postgres_url": f"postgres://{DATABASE_USER}@{_ref(DATABASE_HOST_ENV)}:5432/{DATABASE}?sslmode=require",
            "password": _ref(DATABASE_PASSWORD.env),
        },
        "upstreams": [
            {
                "name": upstream.name,
                "provider": "vertex",
                "region": upstream.region,
                "project_id": upstream.project_id,
                "auth": {},
                "groups": list(upstream.groups),
                "models": list(upstream.models),
            }
            for upstream in plan.upstreams
        ],
        # Only the teams' pinned models, by the ids the policies name: no built-in model reaches any upstream.
        "auto_include_builtin_models": False,
        "models": [
            {
                "id": model.id,
                "label": model.label,
                "upstream_model": {name: model.vertex_model for name in model.upstreams},
            }
            for model in plan.models
        ],
        "managed": {
            "policy_mode": "first_match",
            "policies": [
                {
                    "match": {"groups": list(policy.groups)},
                    "cli": {
                        "availableModels": list(policy.models),
                        "availableModelsMatch": "exact",
                        "env": dict(policy.env),
                        # What each id is, so the client knows its context window and features (without it every
                        # run warns it does not recognise the model, and assumes a 1M window).
                        "modelPicker": {
                            "options": [
                                {"model": model.id, "behavesAs": model.vertex_model}
                                for model in plan.models
                                if model.team == policy.team
                            ]
                        },
                    },
                }
                for policy in plan.policies
            ],
        },
        "admin": {
            "write_keys": [{"id": ADMIN_KEY_ID, "key": _ref(ADMIN_WRITE_KEY.env)}],
            "admin_groups": list(config.admin_groups),
        },
    }
    if config.telemetry_collector is not None:
        rendered["telemetry"] = {"forward_to": [{"url": config.telemetry_collector, "metrics": True}]}
    return rendered


HEADER = (
    "# Rendered by claude-vertex from the gateway stack and the team stacks it serves; do not edit.\n"
    "# Every ${VAR} is read from the gateway's environment (Secret Manager, or the database's address).\n"
)


def gateway_yaml(config: GatewayConfig, plan: GatewayPlan) -> str:
    """gateway.yaml as the gateway reads it."""
    return HEADER + yaml.safe_dump(gateway_config(config, plan), sort_keys=False, allow_unicode=False, width=1000)


def developer_managed_settings(config: GatewayConfig) -> dict[str, Any]:
    """The managed-settings file MDM pushes to developers' machines: Claude Code signs in through the gateway only."""
    return {"forceLoginMethod": "gateway", "forceLoginGatewayUrl": config.public_url}


def spend_limit_bodies(plan: GatewayPlan) -> list[dict[str, Any]]:
    """One admin API request body per limit (POST upserts by scope and period: the same body twice changes nothing)."""
    bodies = []
    for limit in plan.spend_limits:
        scope: dict[str, str] = {"type": limit.scope_type}
        scope["user_id" if limit.scope_type == "user" else "rbac_group_id"] = limit.scope_id
        bodies.append({"scope": scope, "period": PERIOD, "amount": _amount(limit.amount)})
    return bodies


def _amount(dollars: float) -> str:
    """US dollars as the admin API takes them: a whole number of cents, as a decimal string."""
    return str(cents(dollars))


def spend_cap_script(plan: GatewayPlan) -> str:
    """The spend-cap job's shell script: one idempotent upsert per limit, failing the job on the first refusal.

    Runs in the gateway's image (which has `sh` and `curl`) inside the gateway's network, against the service's
    own URL (`GATEWAY_URL`), with the admin write key from Secret Manager. It retries what is transient (a refused
    connection or a 5xx while a new revision starts: curl's `--retry`), never a refusal (a 4xx fails the job at once).
    """
    lines = [
        "set -eu",
        "post() {",
        "  curl --fail-with-body --silent --show-error --retry 10 --retry-connrefused --retry-delay 3 --max-time 30 \\",
        f'    -X POST "$GATEWAY_URL{SPEND_LIMITS_PATH}" \\',
        f'    -H "x-api-key: ${ADMIN_WRITE_KEY.env}" -H "content-type: application/json" --data "$1" > /dev/null',
        '  echo "spend limit set: $1"',
        "}",
    ]
    lines += [f"post {shlex.quote(json.dumps(body, sort_keys=True))}" for body in spend_limit_bodies(plan)]
    lines.append(f'echo "{len(plan.spend_limits)} spend limit(s) in place"')
    return "\n".join(lines) + "\n"
