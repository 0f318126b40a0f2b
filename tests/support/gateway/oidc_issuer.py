"""A small OpenID Connect provider on loopback: the company IdP the gateway signs developers in with.

It answers as a real IdP does, so the gateway's OIDC client (openid-client) runs its real code path:

    GET  /.well-known/openid-configuration    discovery (the gateway fetches it at boot: no issuer, no boot)
    GET  /jwks                                the RS256 signing key, by `kid`
    GET  /authorize                           the login page (authorization code flow, query response mode)
    POST /authorize                           the person signs in: 302 to the registered redirect URI with code + state
    POST /token                               code -> id_token (RS256: iss, aud, azp, sub, email, groups, nonce),
                                              refresh_token -> new id_token; client_secret_basic or _post
    GET  /userinfo                            the signed-in person's claims, by access token

Which person signs in is the scripted browser's choice (the `username` it submits, as a person types theirs on
the IdP's page); the people and their groups are enrolled by the test. Errors follow RFC 6749: a bad `client_id`
or `redirect_uri` is shown on the IdP's own page (400) and never redirected; any other authorization error is
redirected with `error` and `state`; the token endpoint answers `invalid_client` (401), `invalid_grant`,
`invalid_request`, `unsupported_grant_type` (400) as JSON, never cached. PKCE (S256) is required, as a public
IdP would require of this client.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

MAX_BODY_BYTES = 64 * 1024
CODE_TTL_S = 60
TOKEN_TTL_S = 3600
KEY_ID = "loopback-idp-1"


@dataclass(frozen=True)
class Person:
    """Someone the IdP knows: `sub` is the stable subject, `groups` the IdP groups it puts in the id_token."""

    sub: str
    email: str
    groups: tuple[str, ...]

    @property
    def username(self) -> str:
        return self.email


@dataclass(frozen=True)
class Client:
    """The gateway's OAuth client registration at the IdP."""

    client_id: str
    client_secret: str
    redirect_uris: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Grant:
    person: Person
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str
    scope: str
    expires_at: float


class _State:
    """Everything the issuer remembers, behind one lock (the server answers on many threads)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.people: dict[str, Person] = {}
        self.codes: dict[str, _Grant] = {}
        self.access_tokens: dict[str, Person] = {}
        self.refresh_tokens: dict[str, tuple[Person, str]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State
    issuer: str


class OidcIssuer:
    """`with OidcIssuer(client_id, client_secret) as idp:`; `idp.enroll(person)`; point `oidc.issuer` at `idp.url`."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State(Client(client_id, client_secret))
        self._server.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-issuer", daemon=True)

    @property
    def url(self) -> str:
        return self._server.issuer

    @property
    def client(self) -> Client:
        return self._server.state.client

    def enroll(self, person: Person) -> None:
        with self._server.state.lock:
            self._server.state.people[person.username] = person

    def register_redirect_uri(self, uri: str) -> None:
        """What an administrator does when registering the gateway's callback URL with the IdP."""
        with self._server.state.lock:
            self._server.state.client.redirect_uris.add(uri)

    @property
    def token_requests(self) -> list[dict[str, str]]:
        """How each token request authenticated and what it asked for (no secrets): for assertions."""
        with self._server.state.lock:
            return list(self._server.state.token_requests)

    def __enter__(self) -> OidcIssuer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def _b64url_sha256(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a failing test reads the gateway's log and the assertions, not the IdP's access log."""

    # ---- routing
    def do_GET(self) -> None:
        path, query = self._split()
        if path == "/.well-known/openid-configuration":
            self._json(HTTPStatus.OK, self._discovery())
        elif path == "/jwks":
            self._json(HTTPStatus.OK, {"keys": [self._jwk()]})
        elif path == "/authorize":
            self._authorize(query, submitted=None)
        elif path == "/userinfo":
            self._userinfo()
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        path, query = self._split()
        form = self._form()
        if form is None:
            return
        if path == "/authorize":
            self._authorize({**query, **form}, submitted=form.get("username", ""))
        elif path == "/token":
            self._token(form)
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    # ---- endpoints
    def _discovery(self) -> dict[str, Any]:
        issuer = self.server.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["iss", "aud", "sub", "email", "groups", "nonce", "exp", "iat"],
        }

    def _jwk(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.server.state.key.public_key(), as_dict=True)
        return {**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}

    def _authorize(self, params: Mapping[str, str], *, submitted: str | None) -> None:
        state = self.server.state
        client = state.client
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != client.client_id or redirect_uri not in client.redirect_uris:
            # RFC 6749 4.1.2.1: never redirect to an unverified URI; tell the person instead.
            self._page(HTTPStatus.BAD_REQUEST, "Sign-in error: unknown client or unregistered redirect URI.")
            return
        back = _Redirect(redirect_uri, params.get("state"))
        if params.get("response_type") != "code":
            self._redirect(back.error("unsupported_response_type"))
        elif "openid" not in params.get("scope", "").split():
            self._redirect(back.error("invalid_scope", "openid is required"))
        elif params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            self._redirect(back.error("invalid_request", "PKCE with S256 is required"))
        elif submitted is None:
            self._login_page(params)
        else:
            with state.lock:
                person = state.people.get(submitted)
            if person is None:
                self._redirect(back.error("access_denied", "unknown user"))
                return
            code = secrets.token_urlsafe(32)
            grant = _Grant(
                person=person,
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                nonce=params.get("nonce"),
                code_challenge=params["code_challenge"],
                scope=params.get("scope", ""),
                expires_at=time.monotonic() + CODE_TTL_S,
            )
            with state.lock:
                state.codes[code] = grant
            self._redirect(back.success(code))

    def _token(self, form: Mapping[str, str]) -> None:
        state = self.server.state
        method, client_id, secret = self._client_credentials(form)
        with state.lock:
            state.token_requests.append(
                {"auth": method, "grant_type": form.get("grant_type", ""), "pkce": str("code_verifier" in form)}
            )
        if client_id != state.client.client_id or not secrets.compare_digest(secret, state.client.client_secret):
            self._token_error(HTTPStatus.UNAUTHORIZED, "invalid_client", basic=method == "client_secret_basic")
            return
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            self._exchange_code(form)
        elif grant_type == "refresh_token":
            self._refresh(form)
        else:
            self._token_error(HTTPStatus.BAD_REQUEST, "unsupported_grant_type")

    def _exchange_code(self, form: Mapping[str, str]) -> None:
        state = self.server.state
        code, verifier = form.get("code"), form.get("code_verifier")
        if not code or not verifier:
            self._token_error(HTTPStatus.BAD_REQUEST, "invalid_request", "code and code_verifier are required")
            return
        with state.lock:
            grant = state.codes.pop(code, None)  # single use, whatever happens next
        if (
            grant is None
            or grant.expires_at < time.monotonic()
            or grant.redirect_uri != form.get("redirect_uri")
            or not secrets.compare_digest(_b64url_sha256(verifier), grant.code_challenge)
        ):
            self._token_error(HTTPStatus.BAD_REQUEST, "invalid_grant")
            return
        self._issue(grant.person, grant.scope, nonce=grant.nonce)

    def _refresh(self, form: Mapping[str, str]) -> None:
        state = self.server.state
        with state.lock:
            held = state.refresh_tokens.get(form.get("refresh_token", ""))
        if held is None:
            self._token_error(HTTPStatus.BAD_REQUEST, "invalid_grant")
            return
        person, scope = held
        self._issue(person, scope, nonce=None)

    def _issue(self, person: Person, scope: str, *, nonce: str | None) -> None:
        state = self.server.state
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.server.issuer,
            "aud": state.client.client_id,
            "azp": state.client.client_id,
            "sub": person.sub,
            "email": person.email,
            "email_verified": True,
            "groups": list(person.groups),
            "iat": now,
            "exp": now + TOKEN_TTL_S,
        }
        if nonce:
            claims["nonce"] = nonce
        id_token = jwt.encode(claims, state.key, algorithm="RS256", headers={"kid": KEY_ID})
        access_token = secrets.token_urlsafe(32)
        answer: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_S,
            "id_token": id_token,
            "scope": scope,
        }
        with state.lock:
            state.access_tokens[access_token] = person
            if "offline_access" in scope.split():
                refresh_token = secrets.token_urlsafe(32)
                state.refresh_tokens[refresh_token] = (person, scope)
                answer["refresh_token"] = refresh_token
        self._json(HTTPStatus.OK, answer, no_store=True)

    def _userinfo(self) -> None:
        header = self.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self.server.state.lock:
            person = self.server.state.access_tokens.get(token)
        if person is None:
            self._send(
                HTTPStatus.UNAUTHORIZED, "application/json", b"{}", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
            return
        self._json(HTTPStatus.OK, {"sub": person.sub, "email": person.email, "groups": list(person.groups)})

    # ---- plumbing
    def _client_credentials(self, form: Mapping[str, str]) -> tuple[str, str, str]:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return "client_secret_basic", "", ""
            # RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
            decode = lambda text: parse_qs(f"v={text}").get("v", [""])[0]  # noqa: E731
            return "client_secret_basic", decode(user), decode(password)
        return "client_secret_post", form.get("client_id", ""), form.get("client_secret", "")

    def _split(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}

    def _form(self) -> dict[str, str] | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "invalid_request"})
            return None
        raw = self.rfile.read(length).decode("utf-8", "replace") if length > 0 else ""
        return {key: values[0] for key, values in parse_qs(raw).items()}

    def _login_page(self, params: Mapping[str, str]) -> None:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
            for key, value in params.items()
        )
        body = f'<form method="post" action="/authorize">{hidden}<input name="username"><button>Sign in</button></form>'
        self._page(HTTPStatus.OK, body)

    def _page(self, status: HTTPStatus, body: str) -> None:
        self._send(status, "text/html; charset=utf-8", f"<!doctype html><html><body>{body}</body></html>".encode())

    def _redirect(self, location: str) -> None:
        self._send(HTTPStatus.FOUND, "text/plain", b"", {"Location": location})

    def _token_error(self, status: HTTPStatus, error: str, description: str = "", *, basic: bool = False) -> None:
        payload = {"error": error, **({"error_description": description} if description else {})}
        extra = {"WWW-Authenticate": 'Basic realm="loopback-idp"'} if basic else {}
        self._json(status, payload, no_store=True, extra=extra)

    def _json(self, status: HTTPStatus, payload: Any, *, no_store: bool = False, extra: Mapping[str, str] = {}) -> None:
        headers = {**({"Cache-Control": "no-store", "Pragma": "no-cache"} if no_store else {}), **extra}
        self._send(status, "application/json", json.dumps(payload).encode(), headers)

    def _send(self, status: HTTPStatus, content_type: str, data: bytes, headers: Mapping[str, str] = {}) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


@dataclass(frozen=True)
class _Redirect:
    """Where the authorization endpoint sends the browser back to, with `state` echoed (RFC 6749 4.1.2)."""

    redirect_uri: str
    state: str | None

    def success(self, code: str) -> str:
        return self._with({"code": code})

    def error(self, error: str, description: str = "") -> str:
        return self._with({"error": error, **({"error_description": description} if description else {})})

    def _with(self, params: dict[str, str]) -> str:
        if self.state is not None:
            params["state"] = self.state
        separator = "&" if urlsplit(self.redirect_uri).query else "?"
        return f"{self.redirect_uri}{separator}{urlencode(params)}"
