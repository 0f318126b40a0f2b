"""Check 4, per pinned model at its effective region: calls that cost nothing, made as Claude Code makes them.

Two requests per model, both through the Anthropic SDK's Vertex client (the same URL scheme and host mapping
as Claude Code, `ANTHROPIC_VERTEX_BASE_URL` honoured):
1. token counting (`.../models/count-tokens:rawPredict`), free, documented, needs `aiplatform.endpoints.predict`;
2. an empty-body probe to the model's own `:rawPredict` (no messages, so nothing is generated or billed):
   404 = not enabled or not served in the region, 429 = quota, 400 = access and quota are fine.
Each error is turned into the next step, with the catalog naming the regions that serve the model and its quota.
No answer at all (the name does not resolve, the connection is refused or times out, TLS or the proxy fails) is
"cannot reach <host>", with a fix about the network: it says nothing about grants or membership.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import anthropic
from anthropic import AnthropicVertex
from claude_vertex_gcp.iam import PREDICT
from claude_vertex_gcp.names import PUBLISHER_MODEL_PREFIX
from claude_vertex_gcp.org_policy import ALLOWED_MODELS, CONSTRAINT_PREFIX
from claude_vertex_gcp.services import VERTEX_AI

from claude_vertex_doctor import network
from claude_vertex_doctor.catalog import REGION_RE
from claude_vertex_doctor.credentials import LOGIN_FIX, Auth
from claude_vertex_doctor.envcheck import PinnedModel, Plan
from claude_vertex_doctor.google_errors import GoogleError, parse
from claude_vertex_doctor.report import Report

TIMEOUT_SECONDS = 20.0
RETIREMENT_WARNING_DAYS = 30
MAX_ERROR_BODY = 64 * 1024
"""The part of an error body the doctor reads (Google's are a few hundred bytes)."""
_QUOTA_RE = re.compile(r"Quota exceeded for ([\w./-]+?)(?: with base model: ([\w-]+))?\.?(?:\s|$)")


class _UnauthenticatedVertex(AnthropicVertex):
    """What Claude Code does with CLAUDE_CODE_SKIP_VERTEX_AUTH: look up no credentials, send no Authorization."""

    def _prepare_request(self, request: object) -> None:
        return None


def client(plan: Plan, auth: Auth, region: str, timeout: float = TIMEOUT_SECONDS) -> AnthropicVertex:
    """The SDK's Vertex client for one region. Claude Code's auth library sends the ADC quota project as
    `x-goog-user-project`; the doctor does too, so it meets the same refusal."""
    headers = {"x-goog-user-project": auth.quota_project} if auth.quota_project else None
    cls = _UnauthenticatedVertex if auth.token is None else AnthropicVertex
    return cls(
        region=region,
        project_id=plan.project,
        access_token=auth.token,
        base_url=plan.base_url,
        max_retries=0,
        timeout=timeout,
        default_headers=headers,
    )


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str
    fix: str = ""


def _not_found(model: PinnedModel, plan: Plan) -> Verdict:
    entry = model.entry
    where = f"{model.id} at {model.region} ({model.region_source})"
    if entry is None:
        return Verdict(
            "fail",
            f"Vertex answered 404 for {where}, and the doctor's catalog does not know this model ID",
            f"check the spelling of {', '.join(model.variables)} (older models need their @date); "
            "docs/models.md lists the IDs",
        )
    if model.region not in entry.regions:
        served = ", ".join(entry.regions)
        if model.region_source == "CLOUD_ML_REGION":
            alone = f" (or {entry.region_variable} for this model alone)" if entry.region_variable else ""
            fix = f"set CLOUD_ML_REGION to the stack's value (its dotenv output), one of: {served}{alone}"
        else:
            fix = (
                f"set {model.region_source}={entry.regions[0]} (or another region listed; the stack's "
                "vertex.regionOverrides sets it for the whole team)"
            )
        return Verdict("fail", f"{where} is not served there (404); it is served in: {served}", fix)
    others = [r for r in entry.regions if r != model.region]
    variable = entry.region_variable or "CLOUD_ML_REGION"
    retry = f" If it is enabled, try {variable}={others[0]} (the catalog's regions are unverified)." if others else ""
    return Verdict(
        "fail",
        f"{where}: 404, the model is not enabled for project {plan.project} in Model Garden",
        "a project owner accepts Anthropic's terms once in the console (Vertex AI > Model Garden), and the team's "
        f"stack enables {entry.id} (vertex.enableModels).{retry}",
    )


def _quota(model: PinnedModel, error: GoogleError) -> Verdict:
    match = _QUOTA_RE.search(error.message + " ")
    metric = match.group(1) if match else "a Vertex AI quota"
    base_model = (match.group(2) if match else None) or (
        model.entry.quota_base_model(model.region) if model.entry else "?"
    )
    shared = ""
    if model.entry and model.entry.family_bucket and base_model == model.entry.family_bucket:
        shared = f", a bucket every {model.entry.family} model shares at {model.region}"
    return Verdict(
        "fail",
        f"{model.id} at {model.region}: 429 quota exceeded, {metric} for base_model {base_model}{shared}; the "
        "doctor's probes use no tokens, so the limit is 0 (capped by the team's guardrails) or used up this minute",
        f"see the limit in the console (IAM & Admin > Quotas, service {VERTEX_AI}, base_model "
        f"{base_model}, region {model.region}): at 0, ask your platform team to raise the team's quota cap; "
        "otherwise retry in a minute or request an increase",
    )


def classify(model: PinnedModel, plan: Plan, error: GoogleError, predict: bool | None) -> Verdict:
    """The next step for an error Vertex answered for this model."""
    where = f"{model.id} at {model.region}"
    if error.mentions(CONSTRAINT_PREFIX, ALLOWED_MODELS):
        return Verdict(
            "fail",
            f"{where}: the organization policy {ALLOWED_MODELS} on {plan.project} does not allow it "
            f"({error.code} {error.status})",
            "use a model your team's stack pins (its vertex.restrictModels allows only those), or ask your platform "
            "team to pin this one",
        )
    if error.code == 401:
        return Verdict("fail", f"{where}: Vertex rejected the credentials (401 {error.status})", LOGIN_FIX)
    if error.code == 403:
        if error.mentions("USER_PROJECT_DENIED", "serviceusage", "to use project"):
            return Verdict(
                "fail",
                f"{where}: 403, your ADC quota project is refused ({error.message[:160]})",
                "gcloud auth application-default login --disable-quota-project",
            )
        if error.mentions("SERVICE_DISABLED", "has not been used in project", "it is disabled"):
            return Verdict(
                "fail",
                f"{where}: 403, the Vertex AI API is not enabled in {plan.project}",
                "check ANTHROPIC_VERTEX_PROJECT_ID is your team's project; the team's stack enables the API",
            )
        if predict:
            return Verdict(
                "fail",
                f"{where}: 403 although IAM grants you {PREDICT}: a deny policy, VPC Service "
                "Controls, or a grant still propagating",
                "wait a few minutes (group changes: up to hours) and rerun; if it stays, ask your platform team",
            )
        return Verdict(
            "fail",
            f"{where}: 403 PERMISSION_DENIED, you lack {PREDICT} on {plan.project}",
            "ask your team to add you (or your group) to access.members; group changes can take hours to apply",
        )
    if error.code == 404:
        return _not_found(model, plan)
    if error.code == 429:
        return _quota(model, error)
    return Verdict(
        "warn",
        f"{where}: Vertex answered {error.code} {error.status}: {error.message[:200]}",
        "rerun in a minute; if it stays, ask your platform team",
    )


def _call(model: PinnedModel, vertex: AnthropicVertex) -> tuple[str, GoogleError | None]:
    """Token counting, then the empty-body probe; the first error, if any. An answer that is not a token count
    (a proxy's page with status 200) is an error too, never a traceback."""
    try:
        vertex.messages.count_tokens(model=model.id, messages=[{"role": "user", "content": "ping"}])
    except anthropic.APIStatusError as exc:
        return "count-tokens", parse(exc.status_code, exc.response.text[:MAX_ERROR_BODY])
    except anthropic.APIConnectionError:
        raise
    except (anthropic.APIError, ValueError) as exc:
        return "count-tokens", GoogleError(200, "", f"an answer that is not a token count ({type(exc).__name__})")
    path = f"/projects/{vertex.project_id}/locations/{model.region}/{PUBLISHER_MODEL_PREFIX}{model.id}:rawPredict"
    try:
        vertex.post(path, body={}, cast_to=object)
    except anthropic.APIStatusError as exc:
        error = parse(exc.status_code, exc.response.text[:MAX_ERROR_BODY])
        if error.code != 400 or error.mentions(CONSTRAINT_PREFIX, ALLOWED_MODELS):
            return "probe", error
    except anthropic.APIConnectionError:
        raise
    except (anthropic.APIError, ValueError):
        pass  # an answer to an empty body that is not an error: nothing was generated, access works
    return "", None


@dataclass
class Probe:
    """What the model checks share: a client per region, the time limit, the network fix, the hosts that could not
    be reached (each is tried once: a name that does not resolve fails every model behind it the same way)."""

    vertex_for: Callable[[str], AnthropicVertex]
    timeout: float
    network_fix: str
    unreachable: dict[str, str] = field(default_factory=dict)  # host -> the first model's check id


def _answered(model: PinnedModel, host: str, pinned_by: str, today: dt.date, report: Report) -> None:
    check_id = f"model:{model.id}"
    entry = model.entry
    message = f"{model.id} at {model.region} ({model.region_source}) answers via {host} [pinned by {pinned_by}]"
    if entry is None:
        report.add(
            check_id,
            "warn",
            message + "; the doctor's catalog does not know this model",
            "upgrade the doctor, or pin a model from docs/models.md",
        )
    elif model.region not in entry.regions:
        served = ", ".join(entry.regions)
        where = f"{model.id} at {model.region} ({model.region_source}) answers via {host}"
        report.add(
            check_id,
            "warn",
            f"{where}, though the catalog does not list {model.region} for it ({served}): your team's stack would "
            f"not send it there, and the team's quota caps are set where the stack sends it [pinned by {pinned_by}]",
            f"set {model.region_source} to one of {served} as the stack's dotenv output does; if Vertex now serves it "
            "here, tell your platform team the catalog is out of date (docs/models.md)",
        )
    elif entry.retires and (entry.retires - today).days <= RETIREMENT_WARNING_DAYS:
        report.add(
            check_id,
            "warn",
            f"{message}; it retires on {entry.retires}",
            f"pin {entry.successor or 'a current model'} before then",
        )
    else:
        report.add(check_id, "ok", message)


def check_model(
    model: PinnedModel, plan: Plan, probe: Probe, report: Report, predict: bool | None, today: dt.date
) -> None:
    check_id = f"model:{model.id}"
    pinned_by = ", ".join(model.variables)
    if not REGION_RE.match(model.region):
        return  # the environment check already failed that VERTEX_REGION_* value
    entry = model.entry
    if entry and entry.retires and entry.retires <= today:
        report.add(
            check_id,
            "fail",
            f"{model.id} ({pinned_by}) retired on Vertex AI on {entry.retires}",
            f"pin {entry.successor or 'a current model'} instead",
        )
        return
    vertex = probe.vertex_for(model.region)
    host = str(vertex.base_url).rstrip("/")
    where = network.host_of(host)
    if where in probe.unreachable:
        report.add(
            check_id,
            "fail",
            f"cannot reach {where} for {model.id} at {model.region} (as for {probe.unreachable[where]}; not tried "
            f"again) [pinned by {pinned_by}]",
            probe.network_fix,
        )
        return
    try:
        _, error = network.within(2 * probe.timeout + network.GRACE_SECONDS, lambda: _call(model, vertex))
    except (anthropic.APIConnectionError, network.Overtime) as exc:
        probe.unreachable[where] = check_id
        report.add(
            check_id,
            "fail",
            f"{network.cannot_reach(host, exc, probe.timeout)} for {model.id} at {model.region} [pinned by "
            f"{pinned_by}]",
            probe.network_fix,
        )
        return
    if error is not None:
        verdict = classify(model, plan, error, predict)
        report.add(check_id, verdict.status, f"{verdict.message} [pinned by {pinned_by}]", verdict.fix)
        return
    _answered(model, host, pinned_by, today, report)


def check(
    plan: Plan,
    auth: Auth,
    report: Report,
    predict: bool | None,
    today: dt.date | None = None,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    clients: dict[str, AnthropicVertex] = {}

    def vertex_for(region: str) -> AnthropicVertex:
        """One client per region: models pinned to the same region share its connection."""
        if region not in clients:
            clients[region] = client(plan, auth, region, timeout)
        return clients[region]

    probe = Probe(vertex_for, timeout, network.fix(env or {}))
    for model in plan.models:
        check_model(model, plan, probe, report, predict, today or dt.date.today())
