"""What the developer's group may use, as the gateway itself says it to the stored session.

From the gateway's source (2.1.331): `GET /v1/models` lists the models the caller may use, those of the upstreams
the caller's groups reach, filtered by the `availableModels` of the managed policy that matches the caller;
`GET /managed/settings` serves that policy's settings (`{"uuid", "checksum", "settings": {...}}`, 404 when no policy
matches), whose `env.ANTHROPIC_MODEL`, else `model`, is where Claude Code starts (the variable wins over the setting, as
in Claude Code's own order). Only when the list is empty does the doctor ask once more,
`POST /v1/messages/count_tokens` with a model ID no upstream serves: the gateway answers 400 before any upstream
call, "you aren't in a group that can use this gateway" when the caller's groups reach no upstream, and the doctor
passes that verdict on. Nothing is generated, nothing is billed.
"""

from __future__ import annotations

import json

from claude_vertex_doctor.gateway_http import Answer, Client, HttpFailure
from claude_vertex_doctor.gateway_signin import LOGIN_FIX, Session
from claude_vertex_doctor.report import Report

CHECK_ID = "gateway.models"
PROBE_MODEL = "claude-vertex-doctor-probe-no-such-model"
NO_GROUP = "aren't in a group that can use this gateway"
ANTHROPIC_VERSION = "2023-06-01"
MAX_MODELS = 1000
MAX_SHOWN = 20
RETRY_FIX = "rerun in a minute; if it stays, tell your platform team"
GROUP_FIX = (
    "ask your team lead to add you to your team's group at the company's identity provider, then sign in again "
    "with /login (the gateway reads your groups when you sign in)"
)


def _clean(value: str, limit: int = 128) -> str:
    return "".join(c if c.isprintable() and not c.isspace() else "?" for c in value)[:limit]


def _model_ids(answer: Answer) -> list[str]:
    """The IDs in an Anthropic models list (`{"data": [{"id": ...}, ...]}`); HttpFailure when it is not one."""
    document = answer.json()
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not all(isinstance(m, dict) and isinstance(m.get("id"), str) for m in data):
        raise HttpFailure(f"answered /v1/models with something that is not a models list: {answer.excerpt()}")
    return [_clean(m["id"]) for m in data[:MAX_MODELS]]


def _error_message(answer: Answer) -> str:
    """The message of an Anthropic-shaped error (`{"error": {"message": ...}}`), else an excerpt of the body."""
    try:
        document = json.loads(answer.body)
    except (ValueError, RecursionError):
        return answer.excerpt()
    error = document.get("error") if isinstance(document, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return " ".join(str(message).split())[:300] if isinstance(message, str) else answer.excerpt()


def _start_model(client: Client, headers: dict[str, str]) -> tuple[bool, str | None]:
    """(a managed policy matched, the model it starts Claude Code on) from `GET /managed/settings`."""
    try:
        answer = client.request("GET", "/managed/settings", headers)
        if answer.status != 200:
            return False, None
        document = answer.json()
    except HttpFailure:
        return False, None
    settings = document.get("settings") if isinstance(document, dict) else None
    if not isinstance(settings, dict):
        return False, None
    env = settings.get("env")
    pinned = env.get("ANTHROPIC_MODEL") if isinstance(env, dict) else None
    model = pinned if isinstance(pinned, str) and pinned else settings.get("model")
    return True, _clean(model) if isinstance(model, str) and model else None


def _no_models(client: Client, headers: dict[str, str], groups: tuple[str, ...] | None, report: Report) -> None:
    body = {"model": PROBE_MODEL, "messages": [{"role": "user", "content": "ping"}]}
    try:
        answer = client.request(
            "POST",
            "/v1/messages/count_tokens",
            {**headers, "Content-Type": "application/json"},
            json.dumps(body).encode(),
        )
    except HttpFailure as exc:
        report.add(CHECK_ID, "fail", f"the gateway lists no model for you, and asking why failed: {exc}", RETRY_FIX)
        return
    said = _error_message(answer)
    if NO_GROUP in said:
        carried = "" if groups is None else f"; your sign-in carries the groups: {', '.join(groups) or 'none'}"
        message = f"you aren't in a group that can use this gateway (the gateway: {said!r}){carried}"
        report.add(CHECK_ID, "fail", message, GROUP_FIX)
        return
    report.add(
        CHECK_ID,
        "fail",
        f"the gateway lists no model for you, though it routes your groups (asked why, it answered {answer.status}: "
        f"{said!r})",
        "tell your platform team: the managed policy for your group allows no model",
    )


def check(client: Client, session: Session, report: Report) -> None:
    """One line: the models the developer's group may use (and where Claude Code starts), or why there are none."""
    headers = {"Authorization": f"Bearer {session.token}", "anthropic-version": ANTHROPIC_VERSION}
    try:
        answer = client.request("GET", "/v1/models", headers)
        if answer.status == 401:
            report.add(
                CHECK_ID,
                "fail",
                f"the gateway does not accept your session (401: {_error_message(answer)})",
                f"your sign-in is no longer valid: {LOGIN_FIX}",
            )
            return
        if answer.status == 403:
            report.add(
                CHECK_ID,
                "fail",
                f"the gateway refused a request from your address (403: {answer.excerpt()})",
                "connect through the company network (office or VPN); if you are on it, tell your platform team",
            )
            return
        if answer.status != 200:
            report.add(CHECK_ID, "fail", f"GET /v1/models answered {answer.status}: {answer.excerpt()}", RETRY_FIX)
            return
        models = _model_ids(answer)
    except HttpFailure as exc:
        report.add(CHECK_ID, "fail", f"could not ask the gateway for your models: {exc}", RETRY_FIX)
        return
    if not models:
        _no_models(client, headers, session.groups, report)
        return
    shown = ", ".join(models[:MAX_SHOWN]) + (f", and {len(models) - MAX_SHOWN} more" if len(models) > MAX_SHOWN else "")
    matched, start = _start_model(client, headers)
    message = f"your group may use: {shown}"
    if start is not None and start in models:
        report.add(CHECK_ID, "ok", f"{message}; Claude Code starts on {start}")
    elif start is not None:
        report.add(
            CHECK_ID,
            "warn",
            f"{message}; but the gateway's settings start Claude Code on {start}, which is not among them",
            f"pick one with /model {models[0]}, and tell your platform team",
        )
    elif matched:
        report.add(
            CHECK_ID,
            "warn",
            f"{message}; the gateway's settings for your group name no start model, so Claude Code starts on its own "
            "default, which the gateway refuses",
            f"pick one with /model {models[0]}, and tell your platform team to set the policy's model",
        )
    else:
        report.add(CHECK_ID, "ok", message)
