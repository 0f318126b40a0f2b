"""Check 1, the environment: the variables Claude Code reads for Vertex AI, and what they make it call.

Its result is the plan for the checks that call Google: the project, the endpoint and, per pinned model, the
region Claude Code would send it to (`VERTEX_REGION_<NAME>` when set, else `CLOUD_ML_REGION`). A model of a family
the team's guardrails cap at 0 (`CLAUDE_VERTEX_ZERO_CAPS`) is reported here and left out of the plan: Vertex would
answer 429, which cannot tell a deliberate cap from a quota used up.

A region the team's stack would refuse (not a location the catalog serves Claude in) is a warning, not a failure:
the catalog's regions are partly unverified, and the model checks ask Vertex itself, whose 404 fails the run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from claude_vertex_gcp.names import PROJECT_ID

from claude_vertex_doctor import zero_caps
from claude_vertex_doctor.catalog import REGION_RE, Catalog, Model, strip_1m
from claude_vertex_doctor.report import Report
from claude_vertex_doctor.zero_caps import ZeroCap

TRUTHY = ("1", "true", "yes", "on")
"""What Claude Code takes as "set" for a switch such as CLAUDE_CODE_USE_VERTEX."""
PROJECT_RE = re.compile(rf"^{PROJECT_ID}$")
PRIMARY = "ANTHROPIC_MODEL"
ALIAS_PINS = {
    "opus": ("ANTHROPIC_DEFAULT_OPUS_MODEL",),
    "sonnet": ("ANTHROPIC_DEFAULT_SONNET_MODEL",),
    # Claude Code reads the deprecated name first, then the current one.
    "haiku": ("ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL"),
    "fable": ("ANTHROPIC_DEFAULT_FABLE_MODEL",),
}
PIN_VARIABLES = (PRIMARY, *(v for names in ALIAS_PINS.values() for v in names))
ALIASES = (*ALIAS_PINS, "opusplan", "default")
OTHER_PROJECT_VARIABLES = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")
PIN_FIX = (
    "pin every alias as the stack's dotenv output does (ANTHROPIC_MODEL and "
    f"ANTHROPIC_DEFAULT_{{{','.join(a.upper() for a in ALIAS_PINS)}}}_MODEL; vertex.models in the team's stack file)"
)
STACK_ENV_FIX = "get the environment from your team's stack again (its dotenv output: docs/developers.md says how)"


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
    zero_caps: dict[str, ZeroCap] = field(default_factory=dict)


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


def _check_region(env: Mapping[str, str], report: Report, plan: Plan, catalog: Catalog) -> None:
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
    served = catalog.regions()
    if region in served:
        report.add("environment.region", "ok", f"CLOUD_ML_REGION={region}")
        return
    report.add(
        "environment.region",
        "warn",
        f"CLOUD_ML_REGION={region} is not a location your team's stack accepts (the catalog serves Claude in "
        f"{', '.join(served)}); the model checks below ask Vertex itself (the catalog's regions are partly unverified)",
        f"set CLOUD_ML_REGION to the stack's value (its dotenv output), one of: {', '.join(served)}",
    )


def _check_region_variables(env: Mapping[str, str], report: Report, catalog: Catalog) -> None:
    known = catalog.region_variables()
    served = catalog.regions()
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
        elif value not in served:
            report.add(
                f"environment.{name}",
                "warn",
                f"{name}={value} is not a location your team's stack accepts (the catalog serves Claude in "
                f"{', '.join(served)}); a model check below asks Vertex itself if {known[name].id} is pinned",
                f"set {name} to one of {', '.join(known[name].regions)} (where the catalog serves {known[name].id}), "
                "or unset it to use CLOUD_ML_REGION",
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
        report.add("environment.pins", "warn", "unpinned: " + "; ".join(unpinned), PIN_FIX)
    small, haiku = env.get("ANTHROPIC_SMALL_FAST_MODEL"), env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL")
    if small and haiku and small != haiku:
        report.add(
            "environment.haiku-pin",
            "warn",
            f"ANTHROPIC_SMALL_FAST_MODEL={small} and ANTHROPIC_DEFAULT_HAIKU_MODEL={haiku} differ; "
            "Claude Code reads ANTHROPIC_SMALL_FAST_MODEL first",
            "set both to the same model",
        )
    primary_id = _resolve(primary, env) if primary else None
    _check_alias_families(env, report, plan, catalog, strip_1m(primary_id) if primary_id else None)
    by_id: dict[str, list[str]] = {}
    for name in PIN_VARIABLES:
        value = env.get(name)
        model_id = _resolve(value, env) if value else None
        if model_id:
            by_id.setdefault(strip_1m(model_id), []).append(name)
    for model_id, names in by_id.items():
        entry = catalog.get(model_id)
        family = catalog.family_of(model_id)
        cap = plan.zero_caps.get(family or "")
        if cap is not None:
            _report_capped(model_id, names, cap, report)
            continue
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
            PIN_FIX,
        )


def _report_capped(model_id: str, names: list[str], cap: ZeroCap, report: Report) -> None:
    """A pinned model of a family capped at 0: not probed (Vertex would answer 429 either way). Through an alias
    that is the team's decision (a warning); as the primary model, `claude` itself is refused (a failure)."""
    pinned_by = ", ".join(names)
    if PRIMARY in names:
        report.add(
            f"model:{model_id}",
            "fail",
            f"{model_id} ({pinned_by}) is {_a(cap.family)} model and your team's guardrails cap {cap.family} at 0 "
            f"({cap.keys}): claude without --model is refused (429); not probed",
            f"{STACK_ENV_FIX}: its primary model is one the team may call; if it still pins {model_id}, tell your "
            "platform team",
        )
        return
    report.add(
        f"model:{model_id}",
        "warn",
        f"{model_id} ({pinned_by}) is {_a(cap.family)} model and your team's guardrails cap {cap.family} at 0 "
        f"({cap.keys}): Vertex refuses it (429), so the doctor does not probe it",
        f"{STACK_ENV_FIX}: it pins a capped family's alias to the team's primary model; to use {cap.family}, ask "
        "your platform team to lift the cap",
    )


def _check_alias_families(
    env: Mapping[str, str], report: Report, plan: Plan, catalog: Catalog, primary_id: str | None
) -> None:
    """Say why `--model <alias>` runs a model of another family, rather than leave the developer puzzled."""
    for alias, names in ALIAS_PINS.items():
        variable = next((n for n in names if env.get(n)), None)
        resolved = _resolve(env[variable], env) if variable else None
        model_id = strip_1m(resolved) if resolved else None
        family = catalog.family_of(model_id) if model_id else None
        if model_id is None or family is None or family == alias:
            continue
        runs = f"--model {alias} runs {model_id}"
        if model_id == primary_id:
            runs += " (the team's primary model)"
        cap = plan.zero_caps.get(alias)
        if cap is not None:
            report.add(
                f"alias:{alias}",
                "warn",
                f"{alias}: your team's guardrails cap it at 0 ({cap.keys}); {runs}",
                f"nothing to fix on your side: your team chose it; to use {alias}, ask your platform team to lift "
                "the cap",
            )
            continue
        served_here = any(plan.region in m.regions for m in catalog.models if m.family == alias)
        why = (
            f"no {alias} model of the catalog is served in {plan.region}"
            if not served_here
            else f"your team's stack pins it so (vertex.models.{alias})"
        )
        report.add(f"alias:{alias}", "ok", f"{runs}, {_a(family)} model ({variable}): {why}")


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _check_zero_caps(env: Mapping[str, str], report: Report, plan: Plan) -> None:
    try:
        plan.zero_caps = zero_caps.read(env)
    except zero_caps.Unreadable as exc:
        report.add(
            "environment.zero-caps",
            "warn",
            f"{zero_caps.VARIABLE} is unreadable ({exc}): the doctor ignores it and probes every pinned model, so a "
            "family your team caps at 0 shows as a 429 failure below",
            f"{STACK_ENV_FIX}; the stack writes this variable for the doctor, Claude Code ignores it",
        )
        return
    if plan.zero_caps:
        report.add(
            "environment.zero-caps",
            "ok",
            "your team's guardrails cap at 0: "
            + "; ".join(f"{cap.family} ({cap.keys})" for cap in plan.zero_caps.values())
            + ": the doctor does not call these families (Vertex refuses them with 429)",
        )


def check(env: Mapping[str, str], report: Report, catalog: Catalog) -> Plan:
    """Report on the variables, and return what the later checks should call."""
    plan = Plan()
    _check_switch(env, report)
    _check_project(env, report, plan)
    _check_region(env, report, plan, catalog)
    _check_region_variables(env, report, catalog)
    _check_base_url(env, report, plan)
    _check_zero_caps(env, report, plan)
    if plan.region:
        _check_pins(env, report, plan, catalog)
    return plan
