"""Offline preview: render a team stack with mocks, judge it with the policy pack, print the plan.

    python -m tools.preview --stack dev [--config-file FILE] [--json] [--no-policy]
                            [--policy-config FILE] [--write-env DIR]

No cloud, no Pulumi CLI, no credentials: this is the gate a pull request gets, and the quickest way
to see what a stack file will do. Exit codes: 0 rendered and no mandatory violation; 1 a mandatory
policy violation; 2 the stack or policy config is invalid (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.config import find_config_error
from tools.render import ROOT, Rendering, StackFileError, read_project, read_stack_config, render

EXIT_OK, EXIT_VIOLATION, EXIT_CONFIG = 0, 1, 2
POLICY_PACK = ROOT / "policies"

# What a reviewer wants to see of each resource type in the plan, in that order.
KEY_INPUTS: dict[str, tuple[str, ...]] = {
    "gcp:organizations/project:Project": (
        "projectId",
        "billingAccount",
        "folderId",
        "orgId",
        "deletionPolicy",
        "autoCreateNetwork",
    ),
    "gcp:projects/service:Service": ("service", "disableOnDestroy"),
    "gcp:projects/iAMCustomRole:IAMCustomRole": ("roleId", "stage", "permissions"),
    "gcp:serviceaccount/account:Account": ("accountId",),
    "pulumi-python:dynamic/readiness:IamReady": ("service", "endpoint"),
    "gcp:projects/iAMMember:IAMMember": ("role", "member"),
    "gcp:serviceaccount/iAMMember:IAMMember": ("role", "member"),
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": ("workloadIdentityPoolId",),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (
        "workloadIdentityPoolProviderId",
        "attributeCondition",
    ),
}


class ConfigInvalid(Exception):
    """Raised with the one line to print when the stack config or policy config cannot be used."""


def available_stacks(root: Path = ROOT) -> list[str]:
    """Stack names that have a `Pulumi.<stack>.yaml` beside the project file."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def load_rendering(stack: str, config_file: Path | None) -> Rendering:
    """Project defaults, then the stack file, then the program under mocks."""
    try:
        project, defaults = read_project(ROOT)
        stack_file = config_file or ROOT / f"Pulumi.{stack}.yaml"
        config = {**defaults, **read_stack_config(stack_file, project)}
    except StackFileError as err:
        stacks = ", ".join(available_stacks()) or "none"
        raise ConfigInvalid(f"{err} (stacks here: {stacks})") from None
    try:
        return render(stack, config, project=project)
    except Exception as err:
        config_error = find_config_error(err)
        if config_error is None:
            raise
        raise ConfigInvalid(str(config_error)) from None


def judge(rendering: Rendering, policy_config_file: Path | None) -> list[dict[str, str]]:
    """Run the policy pack over the rendered resources, exactly as `--policy-pack policies` would."""
    from tools.analyzer import PolicyConfigError, load_policy_config, run_policy_pack

    try:
        policy_config = load_policy_config(policy_config_file) if policy_config_file else None
        violations = run_policy_pack(
            rendering.resources,
            project=rendering.project,
            stack=rendering.stack,
            pack_dir=POLICY_PACK,
            policy_config=policy_config,
        )
    except PolicyConfigError as err:
        raise ConfigInvalid(str(err)) from None
    return [v.to_dict() for v in violations]


def write_env(directory: Path, team: str, env: dict[str, str]) -> list[Path]:
    """The three files a team gets: `.env`, `env.sh` and Claude Code's `settings.json`."""
    from components.environment import render_all

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all(env, team).items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


def _short(value: Any, width: int = 70) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def format_text(rendering: Rendering, violations: list[dict[str, str]] | None) -> str:
    """The human plan: resources by apply wave, outputs, the environment, then the verdicts."""
    custom = [r for r in rendering.resources if r["type"].startswith(("gcp:", "pulumi-python:dynamic"))]
    lines = [f"Stack {rendering.stack} of {rendering.project}: {len(custom)} resources to create", ""]
    waves = max((r["wave"] for r in custom), default=0)
    type_width = max((len(r["type"]) for r in custom), default=4)
    name_width = min(max((len(r["name"]) for r in custom), default=4), 56)
    lines.append(f"{'wave':<5} {'type':<{type_width}} {'name':<{name_width}} key inputs")
    for record in custom:
        wanted = KEY_INPUTS.get(record["type"], ())
        inputs = record["inputs"]
        shown = "; ".join(f"{k}={_short(inputs[k])}" for k in wanted if k in inputs)
        name = _short(record["name"], name_width)
        lines.append(f"{record['wave']:<5} {record['type']:<{type_width}} {name:<{name_width}} {shown}")
    lines += [f"(critical path: {waves + 1} sequential API calls; each wave waits only for the one before)", ""]

    outputs = rendering.outputs
    lines.append("Outputs:")
    for key in ("projectId", "projectNumber", "roleName", "ciServiceAccountEmail"):
        if key in outputs:
            lines.append(f"  {key}: {outputs[key]}")
    for key in ("serviceAccountEmails", "ciProviderNames"):
        for name, value in (outputs.get(key) or {}).items():
            lines.append(f"  {key}.{name}: {value}")
    auth = outputs.get("gcloudAuth") or {}
    if auth:
        lines.append(f"  gcloudAuth.adc: {auth['adc']}")
        for sa_id, command in auth.get("impersonate", {}).items():
            lines.append(f"  gcloudAuth.impersonate.{sa_id}: {command}")
    for key in ("ciGithubWorkflow", "ciGitlabJob"):
        if key in outputs:
            lines.append(
                f"  {key}: {len(outputs[key].splitlines())} lines of YAML (see --json, or pulumi stack output {key})"
            )
    lines += ["", "Developer environment (.env):", outputs.get("dotenv", "").rstrip(), ""]

    if rendering.warnings:
        lines.append("Warnings:")
        lines += [f"  {w}" for w in rendering.warnings]
        lines.append("")
    if violations is None:
        lines.append("Policies: skipped (--no-policy)")
    elif not violations:
        lines.append("Policies: no violations")
    else:
        mandatory = sum(v["level"] == "mandatory" for v in violations)
        lines.append(f"Policies: {len(violations)} violation(s), {mandatory} mandatory")
        for v in violations:
            first, *rest = v["message"].splitlines() or [""]
            lines.append(f"  [{v['level']}] {v['policy']}: {first}")
            lines += [f"      {line}" for line in rest if line.strip()]
            lines.append(f"      at {v['urn']}")
    return "\n".join(lines) + "\n"


def format_json(rendering: Rendering, violations: list[dict[str, str]] | None) -> str:
    resources = [
        {
            k: r[k]
            for k in (
                "urn",
                "type",
                "name",
                "parent",
                "dependencies",
                "propertyDependencies",
                "protect",
                "retainOnDelete",
                "deleteBeforeReplace",
                "inputs",
            )
        }
        for r in rendering.resources
    ]
    document = {
        "stack": rendering.stack,
        "resources": resources,
        "outputs": rendering.outputs,
        "warnings": rendering.warnings,
        "violations": violations or [],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.preview",
        description="Render a team stack offline (Pulumi mocks, no credentials) and run the policy pack over it.",
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--config-file", type=Path, help="read this stack file instead of Pulumi.<stack>.yaml")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the text plan")
    parser.add_argument("--no-policy", action="store_true", help="skip the policy pack")
    parser.add_argument("--policy-config", type=Path, help="policy config, as `--policy-pack-config` takes it")
    parser.add_argument("--write-env", type=Path, metavar="DIR", help="write .env, env.sh and settings.json here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        rendering = load_rendering(args.stack, args.config_file)
        violations = None if args.no_policy else judge(rendering, args.policy_config)
    except ConfigInvalid as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFIG
    if args.write_env:
        for path in write_env(args.write_env, rendering.outputs["team"], rendering.outputs["env"]):
            print(f"wrote {path}", file=sys.stderr)
    sys.stdout.write(format_json(rendering, violations) if args.json else format_text(rendering, violations))
    mandatory = any(v["level"] == "mandatory" for v in violations or [])
    return EXIT_VIOLATION if mandatory else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
