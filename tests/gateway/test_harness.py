"""The proof's own parts, fast and without the gateway (run by `make test`): the IdP answers as RFC 6749 and OIDC
say, and the loopback overrides change only what the proof says they change.

If the issuer let a wrong secret, a reused code or a wrong PKCE verifier through, or redirected to an unregistered
URI, the gateway proof would pass against an IdP no company runs; if the overrides touched anything else, the proof
would boot a config other than the rendered one.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from tests.support.gateway import config as gateway_config
from tests.support.gateway.oidc_issuer import OidcIssuer, Person

REDIRECT = "http://127.0.0.1:9/oauth/callback"
ALICE = Person("u-alice", "alice@example.com", ("payments-devs@example.com",))
VERIFIER = "v" * 64


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcIssuer]:
    with OidcIssuer("claude-gateway", "s3cret-" * 6) as issuer:
        issuer.enroll(ALICE)
        issuer.register_redirect_uri(REDIRECT)
        yield issuer


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize(idp: OidcIssuer, **overrides: str) -> requests.Response:
    params = {
        "client_id": "claude-gateway",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid email offline_access",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": _challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    return requests.post(
        f"{idp.url}/authorize", data={**params, "username": ALICE.username}, allow_redirects=False, timeout=5
    )


def _code(idp: OidcIssuer) -> str:
    answer = _authorize(idp)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def _exchange(idp: OidcIssuer, code: str, verifier: str = VERIFIER, secret: str | None = None) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": REDIRECT}
    auth = ("claude-gateway", secret if secret is not None else idp.client.client_secret)
    return requests.post(f"{idp.url}/token", data=form, auth=auth, timeout=5)


def test_the_code_flow_gives_an_id_token_the_published_key_verifies(idp: OidcIssuer) -> None:
    discovery = requests.get(f"{idp.url}/.well-known/openid-configuration", timeout=5).json()
    assert discovery["issuer"] == idp.url and discovery["code_challenge_methods_supported"] == ["S256"]
    answer = _exchange(idp, _code(idp))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    tokens = answer.json()
    (key,) = requests.get(discovery["jwks_uri"], timeout=5).json()["keys"]
    public = jwt.algorithms.RSAAlgorithm.from_jwk(key)
    claims = jwt.decode(tokens["id_token"], public, algorithms=["RS256"], audience="claude-gateway", issuer=idp.url)
    assert (claims["sub"], claims["email"], claims["groups"], claims["nonce"]) == (
        ALICE.sub,
        ALICE.email,
        list(ALICE.groups),
        "n-1",
    )
    assert tokens["refresh_token"]
    userinfo = requests.get(
        discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=5
    )
    assert userinfo.json()["sub"] == ALICE.sub


def test_a_code_is_single_use_and_bound_to_its_pkce_verifier(idp: OidcIssuer) -> None:
    code = _code(idp)
    assert _exchange(idp, code, verifier="w" * 64).json() == {"error": "invalid_grant"}
    assert _exchange(idp, code).json() == {"error": "invalid_grant"}  # spent by the failed attempt
    again = _code(idp)
    assert _exchange(idp, again).status_code == 200
    assert _exchange(idp, again).json() == {"error": "invalid_grant"}


def test_a_wrong_client_secret_is_invalid_client_with_a_basic_challenge(idp: OidcIssuer) -> None:
    answer = _exchange(idp, _code(idp), secret="wrong")
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_an_unregistered_redirect_uri_is_shown_never_redirected_to(idp: OidcIssuer) -> None:
    answer = _authorize(idp, redirect_uri="http://127.0.0.1:9/elsewhere")
    assert answer.status_code == 400 and "Location" not in answer.headers


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "email"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
    ],
)
def test_other_authorization_errors_go_back_with_the_state(
    idp: OidcIssuer, overrides: dict[str, str], error: str
) -> None:
    answer = _authorize(idp, **overrides)
    assert answer.status_code == 302
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert (back["error"], back["state"]) == ([error], ["st-1"])


LOOPBACK = gateway_config.Loopback(
    port=4242,
    issuer="http://127.0.0.1:1",
    postgres_url="postgres://claude_gateway@127.0.0.1:2/gateway_main",
    upstream_base_urls={
        "payments": "http://127.0.0.1:3/v1",
        "payments-us-east5": "http://127.0.0.1:5/v1",
        "research": "http://127.0.0.1:4/v1",
    },
)


def _without_overridden(config: dict[str, Any]) -> dict[str, Any]:
    rest = copy.deepcopy(config)
    rest.pop("listen")
    rest["oidc"].pop("issuer")
    rest["store"].pop("postgres_url")
    for upstream in rest["upstreams"]:
        upstream.pop("base_url", None)
    return rest


def test_the_loopback_overrides_change_only_what_cannot_be_real_here() -> None:
    rendered = gateway_config.parse(gateway_config.gateway_config_for_test())
    before = copy.deepcopy(rendered)
    final = gateway_config.for_loopback(rendered, LOOPBACK)
    assert rendered == before, "the rendered config itself is never changed"
    kept = {k: v for k, v in rendered["listen"].items() if k not in ("host", "port", "tls", "public_url")}
    assert final["listen"] == {"host": "127.0.0.1", "port": 4242, **kept}
    assert final["oidc"]["issuer"] == LOOPBACK.issuer and final["store"]["postgres_url"] == LOOPBACK.postgres_url
    assert {u["name"]: u["base_url"] for u in final["upstreams"]} == LOOPBACK.upstream_base_urls
    assert _without_overridden(final) == _without_overridden(rendered)


def test_every_secret_reference_gets_a_value_and_the_real_ones_match_the_services() -> None:
    rendered = gateway_config.parse(gateway_config.gateway_config_for_test())
    env = gateway_config.secret_environment(rendered, oidc_client_secret="idp", database_password="db")
    assert env["GATEWAY_OIDC_CLIENT_SECRET"] == "idp" and env["GATEWAY_DB_PASSWORD"] == "db"
    assert set(env) == {
        "GATEWAY_OIDC_CLIENT_SECRET",
        "GATEWAY_DB_PASSWORD",
        "GATEWAY_JWT_SECRET",
        "GATEWAY_ADMIN_WRITE_KEY",
    }
    assert all(len(env[name]) >= 32 for name in ("GATEWAY_JWT_SECRET", "GATEWAY_ADMIN_WRITE_KEY"))
    with pytest.raises(ValueError, match=r"session\.jwt_secret"):
        gateway_config.secret_environment(
            {**rendered, "session": {"jwt_secret": "${file:/run/secrets/jwt}"}},
            oidc_client_secret="",
            database_password="",
        )


def test_what_the_config_promises_each_team_is_read_from_it() -> None:
    rendered = gateway_config.parse(gateway_config.gateway_config_for_test())
    payments, research = gateway_config.teams(rendered)
    assert payments.route("payments-sonnet") == gateway_config.Route(
        "payments-sonnet", "payments", "claude-payments-prod", "global", "claude-sonnet-5-5"
    )
    assert research.projects == {"shared-ml-research"} and research.start_model == "research-sonnet"
    # The rendered failover region (behindGateway.failoverRegions) is the team's second upstream, in the same project.
    assert [r.upstream for r in payments.routes if r.model_id == "payments-opus"] == ["payments", "payments-us-east5"]
    doubled = gateway_config.with_second_region(rendered, "research", name="research-eu", region="europe-west1")
    (twice,) = [team for team in gateway_config.teams(doubled) if team.group == research.group]
    assert [r.upstream for r in twice.routes if r.model_id == "research-opus"] == ["research", "research-eu"]
