"""The whole fleet at once: every team stack rendered offline, one table, and the clashes between stacks.

    python -m tools.fleet [--json | --markdown] [--policy-config FILE] [--no-policy] [--stacks-dir DIR] [--jobs N]

Each `Pulumi.<stack>.yaml` is rendered with the real program under mocks and judged by the policy pack, as
`tools.preview` does for one stack; stacks run in parallel worker processes. What no single stack can see is
checked across them, because it fails or collides only at apply: one project created by two stacks, one custom
role, service account, workload identity pool or quota cap twice in one project, one CI repository trusted by
two teams, and a project adopted by a stack the platform has not assigned it to (the policy config's
`team-projects-allowed.teamProjects`, stack name -> project IDs or globs; without it that check is off).

Exit codes: 0 no clash and no mandatory violation; 1 a clash or a mandatory violation (each named);
2 a stack file or the policy config is invalid (one line naming the file).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import multiprocessing
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from claude_vertex_gcp.ci_oidc import GITHUB
from claude_vertex_gcp.names import project_of
from claude_vertex_gcp.resource_types import (
    PROJECT,
    PROJECT_CUSTOM_ROLE,
    PROJECT_IAM_MEMBER,
    QUOTA_PREFERENCE,
    SERVICE_ACCOUNT,
    WORKLOAD_IDENTITY_POOL,
    WORKLOAD_IDENTITY_POOL_PROVIDER,
)

from tests.support.render import ROOT, Rendering
from tools.preview import POLICY_PACK, ConfigInvalid, load_rendering
from tools.stack_scalars import printable

EXIT_OK, EXIT_CLASH, EXIT_INVALID = 0, 1, 2
TEAM_PROJECTS_POLICY, TEAM_PROJECTS_KEY = "team-projects-allowed", "teamProjects"


@dataclass
class StackSummary:
    """One row of the fleet table, plus what the cross-stack checks need (`owned`, `ci`)."""

    stack: str
    file: str
    team: str
    project: str
    created: bool
    members: list[str]
    accounts: list[str]
    models: dict[str, str]
    budget: str
    caps: list[str]
    ci: list[str]
    mandatory: list[str] = field(default_factory=list)
    advisory: list[str] = field(default_factory=list)
    owned: list[list[str]] = field(default_factory=list)
    """[kind, project, id] of every name that must be unique within a project."""


def _money(budget: dict[str, Any] | None) -> str:
    if not budget:
        return "none"
    amount = budget["monthlyAmount"]
    shown = f"{amount:g}" if isinstance(amount, float) else str(amount)
    return f"{shown} {budget.get('currency') or ''}/month".replace(" /", "/")


def _caps(quotas: dict[str, dict[str, int]]) -> list[str]:
    short = {"inputTokensPerMinute": "in", "outputTokensPerMinute": "out", "requestsPerMinute": "rpm"}
    return [
        f"{family} " + " ".join(f"{short[k]}={v}" for k, v in sorted(limits.items()))
        for family, limits in sorted(quotas.items())
    ]


def _ci_sources(resources: list[dict[str, Any]]) -> list[str]:
    """`github:owner/repo`, `gitlab:<issuer>/group/project`: what each CI provider trusts, from its condition."""
    found = []
    for record in resources:
        if record["type"] != WORKLOAD_IDENTITY_POOL_PROVIDER:
            continue
        inputs = record["inputs"]
        condition = inputs.get("attributeCondition") or ""
        issuer = (inputs.get("oidc") or {}).get("issuerUri", "")
        values = [v for v in condition.split("'")[1::2]]
        if issuer.rstrip("/") == GITHUB.issuer:
            found += [f"github:{v}" for v in values]
        else:
            found += [f"gitlab:{issuer.removeprefix('https://')}/{v}" for v in values]
    return sorted(found)


def summarize(path: Path, rendering: Rendering, violations: list[dict[str, str]] | None) -> StackSummary:
    """The table row of one rendered stack: read from what it registers and exports, not re-derived."""
    resources = rendering.resources
    outputs = rendering.outputs
    project_id = outputs["projectId"] if "projectId" in outputs else outputs["gatewayProjectId"]
    role_name = outputs.get("roleName")
    owned: list[list[str]] = []
    for record in resources:
        inputs = record["inputs"]
        if record["type"] == PROJECT:
            owned.append(["project", inputs["projectId"], inputs["projectId"]])
        elif record["type"] == PROJECT_CUSTOM_ROLE:
            owned.append(["custom role", inputs["project"], inputs["roleId"]])
        elif record["type"] == SERVICE_ACCOUNT:
            owned.append(["service account", inputs["project"], inputs["accountId"]])
        elif record["type"] == WORKLOAD_IDENTITY_POOL:
            owned.append(["workload identity pool", inputs["project"], inputs["workloadIdentityPoolId"]])
        elif record["type"] == QUOTA_PREFERENCE:
            dims = ",".join(f"{k}={v}" for k, v in sorted((inputs.get("dimensions") or {}).items()))
            project = project_of(inputs["parent"]) or inputs["parent"]
            owned.append(["quota cap", project, f"{inputs['quotaId']}[{dims}]"])
    members = sorted(
        r["inputs"]["member"]
        for r in resources
        if r["type"] == PROJECT_IAM_MEMBER
        and r["inputs"].get("role") == role_name
        and not r["inputs"]["member"].startswith("serviceAccount:")
    )
    guardrails = outputs.get("guardrails") or {}
    violations = violations or []
    return StackSummary(
        stack=rendering.stack,
        file=str(path),
        # A gateway stack is a row too: its project, its accounts and its verdicts belong in the fleet's view.
        team=outputs["team"] if "team" in outputs else "(gateway: " + ", ".join(outputs.get("servedTeams", {})) + ")",
        project=project_id,
        created=any(r["type"] == PROJECT for r in resources),
        members=members,
        accounts=sorted(r["inputs"]["accountId"] for r in resources if r["type"] == SERVICE_ACCOUNT),
        models={alias: spec["model"] for alias, spec in (outputs.get("models") or {}).items()},
        budget=_money(guardrails.get("budget")),
        caps=_caps(guardrails.get("quotas") or {}),
        ci=_ci_sources(resources),
        mandatory=sorted(
            f"{v['policy']}: {v['message'].splitlines()[0]}" for v in violations if v["level"] == "mandatory"
        ),
        advisory=sorted(f"{v['policy']}" for v in violations if v["level"] != "mandatory"),
        owned=owned,
    )


def inspect_chunk(paths: Sequence[str], policy_config: str | None, no_policy: bool) -> list[dict[str, Any]]:
    """Render and judge some stack files in one worker: `{"summary": ...}` or `{"error": one line}` each.

    One policy pack process serves the whole chunk: starting a pack costs about a second, judging a stack a
    few milliseconds. Each stack is still judged on its own (`Analyze` per resource, `AnalyzeStack` over its
    resources, the same policy config), which is what the engine does; only the pack's start-up is shared.
    """
    from tests.support.analyzer import PolicyConfigError, PolicyPackServer, load_policy_config

    results: list[dict[str, Any]] = []
    renderings: list[tuple[Path, Rendering]] = []
    for path in paths:
        file = Path(path)
        try:
            renderings.append((file, load_rendering(file.name[len("Pulumi.") : -len(".yaml")], file)))
        except ConfigInvalid as err:
            results.append({"error": _one_line(file, str(err))})
    if no_policy or not renderings:
        return results + [{"summary": asdict(summarize(f, r, None))} for f, r in renderings]
    first = renderings[0][1]
    try:
        config = load_policy_config(policy_config) if policy_config else None
        with PolicyPackServer(POLICY_PACK, project=first.project, stack=first.stack) as pack:
            pack.configure(config)
            for file, rendering in renderings:
                pack.configure_stack(rendering.stack)  # the name its rules key on, as the engine sends it
                found = [v for record in rendering.analyzed for v in pack.analyze(record)]
                found += pack.analyze_stack(rendering.analyzed)
                violations = [v.to_dict() for v in sorted(set(found))]
                results.append({"summary": asdict(summarize(file, rendering, violations))})
    except PolicyConfigError as err:
        return [{"error": str(err)}]
    return results


def _one_line(file: Path, message: str) -> str:
    """The preview's error, naming the file once (and not the stacks beside the program, which are not these)."""
    message = re.sub(r" \(stacks here: [^)]*\)$", "", message)
    name = printable(str(file))
    return message if message.startswith(name) else f"{name}: {message}"


def stack_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("Pulumi.*.yaml"))


def inspect_all(files: Sequence[Path], policy_config: Path | None, no_policy: bool, jobs: int) -> list[dict[str, Any]]:
    """Every stack, in `jobs` processes forked after the program's imports (so each starts warm)."""
    paths = [str(f) for f in files]
    config = str(policy_config) if policy_config else None
    jobs = max(1, min(jobs, len(paths)))
    if jobs == 1:
        return inspect_chunk(paths, config, no_policy)
    import pulumi_gcp  # noqa: F401  (imported once here, inherited by every forked worker)

    chunks = [paths[i::jobs] for i in range(jobs)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        done = list(pool.map(inspect_chunk, chunks, [config] * jobs, [no_policy] * jobs))
    return [result for results in done for result in results]


def team_projects(policy_config: Path | None) -> dict[str, list[str]] | None:
    """`team-projects-allowed.teamProjects` of the policy config (stack name -> project IDs or globs), if set."""
    if policy_config is None:
        return None
    from tests.support.analyzer import PolicyConfigError, load_policy_config

    try:
        data = load_policy_config(policy_config)
    except PolicyConfigError as err:
        raise ConfigInvalid(str(err)) from None
    entry = data.get(TEAM_PROJECTS_POLICY) if isinstance(data, dict) else None
    mapping = entry.get(TEAM_PROJECTS_KEY) if isinstance(entry, dict) else None
    if mapping is None:
        return None
    valid = isinstance(mapping, dict) and all(
        isinstance(v, list) and all(isinstance(p, str) for p in v) for v in mapping.values()
    )
    if not valid:
        raise ConfigInvalid(
            f"{policy_config}: {TEAM_PROJECTS_POLICY}.{TEAM_PROJECTS_KEY} must map stack names to lists of project IDs"
        )
    return mapping


def clashes(summaries: Iterable[StackSummary], allowed: dict[str, list[str]] | None = None) -> list[str]:
    """Every cross-stack conflict that would fail or collide at apply, one line each, sorted."""
    summaries = list(summaries)
    found: list[str] = []
    owners: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for s in summaries:
        for kind, project, name in s.owned:
            owners[(kind, project, name)].append(s.stack)
    for (kind, project, name), stacks in sorted(owners.items()):
        if len(stacks) > 1:
            if kind == "project":
                found.append(f"project {project} is created by {len(stacks)} stacks: {', '.join(sorted(stacks))}")
            else:
                found.append(f"{kind} {name} in project {project} is declared by stacks {', '.join(sorted(stacks))}")
    trusted: dict[str, set[str]] = defaultdict(set)
    for s in summaries:
        for source in s.ci:
            trusted[source.lower()].add(s.team)
    for source, teams in sorted(trusted.items()):
        if len(teams) > 1:
            found.append(f"CI repository {source} is trusted by teams {', '.join(sorted(teams))}")
    if allowed is not None:
        for s in sorted(summaries, key=lambda x: x.stack):
            patterns = allowed.get(s.stack, [])  # keyed by stack name, as the pack's rule is
            if not s.created and not any(fnmatch.fnmatchcase(s.project, p) for p in patterns):
                found.append(
                    f"project {s.project} is adopted by stack {s.stack} (team {s.team}), which "
                    f"{TEAM_PROJECTS_POLICY}.{TEAM_PROJECTS_KEY} does not assign it"
                )
    return found


COLUMNS = ("team", "project", "members", "accounts", "models", "budget", "caps", "CI repositories", "violations")


def row(s: StackSummary) -> list[str]:
    violations = f"{len(s.mandatory)} mandatory, {len(s.advisory)} advisory" if s.mandatory or s.advisory else "none"
    return [
        s.team,
        f"{s.project} ({'created' if s.created else 'adopted'})",
        ", ".join(s.members) or "-",
        ", ".join(s.accounts) or "-",
        ", ".join(f"{a}={m}" for a, m in s.models.items() if a != "primary") or "-",
        s.budget,
        "; ".join(s.caps) or "none",
        ", ".join(s.ci) or "-",
        violations,
    ]


def format_markdown(summaries: list[StackSummary], found: list[str]) -> str:
    """What the pull-request pipeline posts: the table, then the clashes and mandatory violations."""
    escape = lambda text: text.replace("|", "\\|")  # noqa: E731
    lines = [f"### Claude Code fleet: {len(summaries)} stacks", ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    lines += ["| " + " | ".join(escape(c) for c in row(s)) + " |" for s in summaries]
    lines += _verdicts(summaries, found, bullet="- ")
    return "\n".join(lines) + "\n"


def format_text(summaries: list[StackSummary], found: list[str]) -> str:
    rows = [list(COLUMNS)] + [row(s) for s in summaries]
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(len(COLUMNS))]
    clip = lambda text, width: text if len(text) <= width else text[: width - 3] + "..."  # noqa: E731
    lines = ["  ".join(clip(c, w).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines += _verdicts(summaries, found, bullet="  ")
    return "\n".join(lines) + "\n"


def _verdicts(summaries: list[StackSummary], found: list[str], bullet: str) -> list[str]:
    lines = [""]
    lines.append(f"Clashes between stacks: {len(found)}" if found else "Clashes between stacks: none")
    lines += [f"{bullet}{c}" for c in found]
    mandatory = [(s.stack, v) for s in summaries for v in s.mandatory]
    if mandatory:
        lines.append(f"Mandatory policy violations: {len(mandatory)}")
        lines += [f"{bullet}{stack}: {v}" for stack, v in mandatory]
    return lines


def format_json(summaries: list[StackSummary], found: list[str]) -> str:
    document = {"stacks": [{k: v for k, v in asdict(s).items() if k != "owned"} for s in summaries], "clashes": found}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.fleet", description=__doc__.split("\n\n")[0])
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON document")
    output.add_argument("--markdown", action="store_true", help="a Markdown table (what the PR pipeline posts)")
    parser.add_argument("--policy-config", type=Path, help="policy config, as `--policy-pack-config` takes it")
    parser.add_argument("--no-policy", action="store_true", help="skip the policy pack")
    parser.add_argument("--stacks-dir", type=Path, default=ROOT, help="where the Pulumi.<stack>.yaml files are")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    files = stack_files(args.stacks_dir)
    try:
        allowed = team_projects(args.policy_config)
    except ConfigInvalid as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    results = inspect_all(files, args.policy_config, args.no_policy, max(1, args.jobs))
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    summaries = sorted((StackSummary(**r["summary"]) for r in results), key=lambda s: s.file)
    found = clashes(summaries, allowed)
    render = format_json if args.json else format_markdown if args.markdown else format_text
    sys.stdout.write(render(summaries, found))
    return EXIT_CLASH if found or any(s.mandatory for s in summaries) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
