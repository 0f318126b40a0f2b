"""The gateway's sign-in, scripted: what `/login` and a developer's browser do, as plain HTTP (RFC 8628 + OIDC).

    device  POST /oauth/device_authorization          -> device_code, user_code, verification_uri(_complete)
    browser GET  /device?user_code=...                 the gateway's confirmation page
    browser POST /device  (user_code; same-origin)     -> 302 to the IdP's authorize URL (PKCE S256, nonce, state),
                                                          and a browser-binding cookie the callback must carry
    browser GET/POST the IdP's /authorize (username)   -> 302 to /oauth/callback?code&state
    browser GET  /oauth/callback                       the gateway exchanges the code, mints the session
    device  POST /oauth/token (device_code grant)      -> access_token (the gateway session JWT), refresh_token

The "browser" is one `requests.Session` (its cookie jar is the browser's); the device polls with no cookies, as
the client does. Every request is bounded by `TIMEOUT_S`; any unexpected answer raises `SignInFailed` naming the
step and what came back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests

from tests.support.gateway.oidc_issuer import Person

TIMEOUT_S = 10
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
POLL_DEADLINE_S = 30


class SignInFailed(AssertionError):
    """A step of the sign-in answered what a working gateway and IdP would not."""


@dataclass(frozen=True)
class GatewaySession:
    """What the device receives at the end: the gateway's session token for this person."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    person: Person


def sign_in(gateway_url: str, person: Person) -> GatewaySession:
    """The whole device flow for `person` (enrolled at the gateway's IdP), ending with the gateway's session."""
    device = requests.Session()
    grant = _expect(
        device.post(f"{gateway_url}/oauth/device_authorization", data={}, timeout=TIMEOUT_S),
        200,
        "device authorization",
    ).json()
    confirm_in_browser(gateway_url, grant["verification_uri_complete"], grant["user_code"], person)
    return _poll_for_token(device, gateway_url, grant, person)


def confirm_in_browser(gateway_url: str, verification_url: str, user_code: str, person: Person) -> None:
    """The browser half: open the verification link, confirm the code, sign in at the IdP as `person`."""
    browser = requests.Session()
    _expect(browser.get(verification_url, timeout=TIMEOUT_S), 200, "device page")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(gateway_url))
    to_idp = _expect(
        browser.post(
            f"{gateway_url}/device",
            data={"user_code": user_code},
            headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"},
            allow_redirects=False,
            timeout=TIMEOUT_S,
        ),
        302,
        "device confirmation",
    ).headers["Location"]
    _expect(browser.get(to_idp, timeout=TIMEOUT_S), 200, "IdP login page")
    authorize = "{0.scheme}://{0.netloc}{0.path}".format(urlsplit(to_idp))
    query = dict(parse_qsl(urlsplit(to_idp).query, keep_blank_values=True))
    back = _expect(
        browser.post(authorize, data={**query, "username": person.username}, allow_redirects=False, timeout=TIMEOUT_S),
        302,
        "IdP sign-in",
    ).headers["Location"]
    callback = urljoin(authorize, back)
    if not callback.startswith(f"{gateway_url}/oauth/callback?"):
        raise SignInFailed(f"the IdP sent the browser to {callback!r}, not to the gateway's callback")
    page = _expect(browser.get(callback, timeout=TIMEOUT_S), 200, "gateway callback")
    if "could not" in page.text or "expired" in page.text or "different browser" in page.text:
        raise SignInFailed(f"gateway callback refused the sign-in: {_excerpt(page.text)}")


def _poll_for_token(
    device: requests.Session, gateway_url: str, grant: dict[str, object], person: Person
) -> GatewaySession:
    interval = float(grant.get("interval") or 5)  # type: ignore[arg-type]
    deadline = time.monotonic() + POLL_DEADLINE_S
    while True:
        answer = device.post(
            f"{gateway_url}/oauth/token",
            data={"grant_type": DEVICE_GRANT, "device_code": grant["device_code"]},
            timeout=TIMEOUT_S,
        )
        if answer.status_code == 200:
            token = answer.json()
            return GatewaySession(token["access_token"], token.get("refresh_token"), int(token["expires_in"]), person)
        error = _oauth_error(answer)
        if error not in ("authorization_pending", "slow_down") or time.monotonic() > deadline:
            raise SignInFailed(f"token poll answered {answer.status_code} {error or _excerpt(answer.text)}")
        time.sleep(interval + (5 if error == "slow_down" else 0))


def _oauth_error(answer: requests.Response) -> str | None:
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def _expect(answer: requests.Response, status: int, step: str) -> requests.Response:
    if answer.status_code != status:
        raise SignInFailed(f"{step}: expected HTTP {status}, got {answer.status_code}: {_excerpt(answer.text)}")
    return answer


def _excerpt(text: str) -> str:
    return " ".join(text.split())[:300]
