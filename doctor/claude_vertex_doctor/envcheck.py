"""Check 1, the environment: the variables Claude Code reads for Vertex AI, and what they make it call.

Its result is the plan for the checks that call Google: the project, the endpoint and, per pinned model, the
region Claude Code would send it to (`VERTEX_REGION_<NAME>` when set, else `CLOUD_ML_REGION`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from claude_vertex_gcp.names import PROJECT_ID

from claude_vertex_doctor.catalog import REGION_RE, Catalog, Model, strip_1m
from claude_vertex_doctor.report import Report

TRUTHY = ("1", "true", "yes", "on")
"""What Claude Code takes as "set" for a switch such as CLAUDE_CODE_USE_VERTEX."""
PROJECT_RE = re.compile(rf"^{PROJECT_ID}$")
PRIMARY = "ANTHROPIC_MODEL"
ALIAS_PINS = {
    "opus": ("ANTHROPIC_DEFAULT_OPUS_MODEL",),
    "sonnet": ("ANTHROPIC_DEFAULT_SONNET_MODEL",),
    # Claude Code reads the deprecated name first, then the current one.
    "haiku": ("ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL"),
}
PIN_VARIABLES = (PRIMARY, *(v for names in ALIAS_PINS.values() for v in names))
ALIASES = (*ALIAS_PINS, "opusplan", "default")
OTHER_PROJECT_VARIABLES = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUTHY


@dataclass(frozen=True)
class PinnedModel:
    """A model ID some variable pins, and where Claude Code would send it."""

    id: str
    variables: tuple[str, ...]
    region: str
    region_source: str
    entry: Model | None


@dataclass
class Plan:
    project: str = ""
    region: str = ""
    base_url: str | None = None
    skip_auth: bool = False
    models: list[PinnedModel] = field(default_factory=list)
    runnable: bool = True


def _check_switch(env: Mapping[str, str], report: Report) -> None:
    value = env.get("CLAUDE_CODE_USE_VERTEX")
    if truthy(value):
        report.add("environment.vertex", "ok", f"CLAUDE_CODE_USE_VERTEX={value}: Claude Code calls Vertex AI")
    else:
        shown = "unset" if value is None else f"={value!r}"
        report.add(
            "environment.vertex",
            "fail",
            f"CLAUDE_CODE_USE_VERTEX is {shown}: Claude Code would call Anthropic's API, not Vertex AI",
            "set CLAUDE_CODE_USE_VERTEX=1 (the stack's dotenv output sets it)",
        )


def _check_project(env: Mapping[str, str], report: Report, plan: Plan) -> None:
    project = env.get("ANTHROPIC_VERTEX_PROJECT_ID", "").strip()
    if not project:
        plan.runnable = False
        report.add(
            "environment.project",
            "fail",
            "ANTHROPIC_VERTEX_PROJECT_ID is unset: Claude Code has no project to call Vertex AI in",
            "set ANTHROPIC_VERTEX_PROJECT_ID to your team's project (it is in the stack's dotenv output)",
        )
        return
    if not PROJECT_RE.match(project):
        plan.runnable = False
        report.add(
            "environment.project",
            "fail",
            f"ANTHROPIC_VERTEX_PROJECT_ID={project!r} is not a project ID (6-30 of a-z, 0-9, '-', starting a-z)",
            "set it to the project ID (not the name or number) from the stack's dotenv output",
        )
        return
    plan.project = project
    report.add("environment.project", "ok", f"ANTHROPIC_VERTEX_PROJECT_ID={project}")
    for name in OTHER_PROJECT_VARIABLES:
        other = env.get(name)
        if other and other != project:
            report.add(
                f"environment.{name}",
                "fail",
                f"{name}={other} differs from ANTHROPIC_VERTEX_PROJECT_ID={project}; Claude Code's docs give "
                f"{name} precedence, and it feeds its credential discovery",
                f"unset {name} in the shell that runs claude (or set it to {project})",
            )


def _check_region(env: Mapping[str, str], report: Report, plan: Plan) -> None:
    region = env.get("CLOUD_ML_REGION", "").strip()
    if not region or not REGION_RE.match(region):
        plan.runnable = False
        seen = "unset" if not region else f"{region!r}, not a location"
        report.add(
            "environment.region",
            "fail",
            f"CLOUD_ML_REGION is {seen}: Claude Code needs global, us, eu or a region such as us-east5",
            "set CLOUD_ML_REGION as the stack's dotenv output does (global unless your team needs a region)",
        )
        return
    plan.region = region
    report.add("environment.region", "ok", f"CLOUD_ML_REGION={region}")


def _check_region_variables(env: Mapping[str, str], report: Report, catalog: Catalog) -> None:
    known = catalog.region_variables()
    for name in sorted(k for k in env if k.startswith("VERTEX_REGION_")):
        value = env[name].strip()
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            report.add(
                f"environment.{name}",
                "warn",
                f"{name} is not a variable Claude Code reads: it has no effect",
                f"{hint}the names follow no pattern; the catalog lists each model's (docs/models.md)",
            )
        elif not REGION_RE.match(value):
            report.add(
                f"environment.{name}",
                "fail",
                f"{name}={value!r} is not a location (global, us, eu or a region such as us-east5)",
                f"set {name} to one of {', '.join(known[name].regions)}, or unset it to use CLOUD_ML_REGION",
            )


def _check_base_url(env: Mapping[str, str], report: Report, plan: Plan) -> None:
    plan.skip_auth = truthy(env.get("CLAUDE_CODE_SKIP_VERTEX_AUTH"))
    base_url = env.get("ANTHROPIC_VERTEX_BASE_URL")
    if base_url is None:
        return
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        plan.runnable = False
        report.add(
            "environment.endpoint",
            "fail",
            f"ANTHROPIC_VERTEX_BASE_URL={base_url!r} is not an http(s) URL",
            "unset it to call Google directly, or set it to your gateway's URL ending in /v1",
        )
        return
    plan.base_url = base_url
    report.add(
        "environment.endpoint",
        "ok",
        f"ANTHROPIC_VERTEX_BASE_URL={base_url}: every Vertex request goes there, whatever the region",
    )


def _resolve(value: str, env: Mapping[str, str]) -> str | None:
    """The model ID a pin variable selects; an alias (`sonnet`, `opus[1m]`) selects its own pin, if any."""
    bare = strip_1m(value.strip()).lower()
    if bare in ALIAS_PINS:
        return next((env[v] for v in ALIAS_PINS[bare] if env.get(v)), None)
    if bare in ALIASES:
        return None
    return value.strip()


def _check_pins(env: Mapping[str, str], report: Report, plan: Plan, catalog: Catalog) -> None:
    unpinned = []
    primary = env.get(PRIMARY)
    if not primary or _resolve(primary, env) is None:
        unpinned.append(f"{PRIMARY} (the default model moves to a newer one on a Claude Code update, at the Opus rate)")
    for alias, names in ALIAS_PINS.items():
        if not any(env.get(n) for n in names):
            unpinned.append(f"{names[-1]} (--model {alias} follows Claude Code's default)")
    if unpinned:
        report.add(
            "environment.pins",
            "warn",
            "unpinned: " + "; ".join(unpinned),
            "pin every alias as the stack's dotenv output does (vertex.models in the team's stack file)",
        )
    small, haiku = env.get("ANTHROPIC_SMALL_FAST_MODEL"), env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL")
    if small and haiku and small != haiku:
        report.add(
            "environment.haiku-pin",
            "warn",
            f"ANTHROPIC_SMALL_FAST_MODEL={small} and ANTHROPIC_DEFAULT_HAIKU_MODEL={haiku} differ; "
            "Claude Code reads ANTHROPIC_SMALL_FAST_MODEL first",
            "set both to the same model",
        )
    by_id: dict[str, list[str]] = {}
    for name in PIN_VARIABLES:
        value = env.get(name)
        model_id = _resolve(value, env) if value else None
        if model_id:
            by_id.setdefault(strip_1m(model_id), []).append(name)
    for model_id, names in by_id.items():
        entry = catalog.get(model_id)
        variable = entry.region_variable if entry else None
        if variable and env.get(variable):
            region, source = env[variable].strip(), variable
        else:
            region, source = plan.region, "CLOUD_ML_REGION"
        plan.models.append(PinnedModel(model_id, tuple(names), region, source, entry))
    if not by_id:
        report.add(
            "environment.models",
            "warn",
            "no model ID is pinned, so there is no model for the doctor to check",
            "pin ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL as the stack's dotenv output does",
        )


def check(env: Mapping[str, str], report: Report, catalog: Catalog) -> Plan:
    """Report on the variables, and return what the later checks should call."""
    plan = Plan()
    _check_switch(env, report)
    _check_project(env, report, plan)
    _check_region(env, report, plan)
    _check_region_variables(env, report, catalog)
    _check_base_url(env, report, plan)
    if plan.region:
        _check_pins(env, report, plan, catalog)
    return plan
