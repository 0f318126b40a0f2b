"""Offline preview: render a team stack with mocks, judge it with the policy pack, print the plan.

    python -m tools.preview --stack dev [--config-file FILE] [--json] [--no-policy] [--engine-preview]
                            [--policy-config FILE] [--write-env DIR] [--today YYYY-MM-DD]

No cloud, no Pulumi CLI, no credentials: this is the gate a pull request gets, and the quickest way
to see what a stack file will do. `--engine-preview` shows (and judges) the stack as a real `pulumi
preview` of a new stack sends it to the pack: computed outputs unknown (`<unknown until apply>` in the
plan, the engine's sentinel in `--json` inputs), so a platform engineer sees which checks wait for
`pulumi up`.

The pack's process is started first, before this process imports the SDK, and judges each resource
as the program registers it; it is killed once the verdicts are in.

Exit codes: 0 rendered and no mandatory violation; 1 a mandatory policy violation; 2 the stack or policy
config is invalid (one line on stderr).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claude_vertex_gcp import resource_types as gcp_types

from tests.support.engine_config import config_too_large
from tools.stack_file import ROOT, StackFileError, read_stack
from tools.stack_scalars import printable

if TYPE_CHECKING:
    from tests.support.analyzer import Judgement, PackProcess
    from tests.support.gcp_mocks import ResourceRecord
    from tests.support.render import Rendering

EXIT_OK, EXIT_VIOLATION, EXIT_CONFIG = 0, 1, 2
POLICY_PACK = ROOT / "policies"

# What a reviewer wants to see of each resource type in the plan, in that order.
KEY_INPUTS: dict[str, tuple[str, ...]] = {
    gcp_types.PROJECT: ("projectId", "billingAccount", "folderId", "deletionPolicy", "autoCreateNetwork"),
    gcp_types.SERVICE: ("service", "disableOnDestroy"),
    gcp_types.PROJECT_CUSTOM_ROLE: ("roleId", "stage", "permissions"),
    gcp_types.SERVICE_ACCOUNT: ("accountId",),
    gcp_types.PROJECT_IAM_MEMBER: ("role", "member"),
    gcp_types.SERVICE_ACCOUNT_IAM_MEMBER: ("role", "member"),
    gcp_types.WORKLOAD_IDENTITY_POOL: ("workloadIdentityPoolId",),
    gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER: ("workloadIdentityPoolProviderId", "attributeCondition"),
    gcp_types.MODEL_GARDEN_ENABLE_MODEL: ("publisherModelName",),
    gcp_types.ORG_POLICY: ("name", "spec"),
    gcp_types.BUDGET: ("amount", "thresholdRules"),
    gcp_types.NOTIFICATION_CHANNEL: ("type", "labels"),
    gcp_types.QUOTA_PREFERENCE: ("quotaId", "dimensions", "quotaConfig"),
    gcp_types.PROJECT_AUDIT_CONFIG: ("service", "auditLogConfigs"),
    gcp_types.LOG_METRIC: ("name",),
    gcp_types.ALERT_POLICY: ("displayName",),
    gcp_types.DASHBOARD: (),
    gcp_types.CLOUD_RUN_SERVICE: ("ingress", "invokerIamDisabled"),
    gcp_types.CLOUD_RUN_JOB: ("runExecutionToken",),
    gcp_types.SQL_INSTANCE: ("databaseVersion", "settings.availabilityType", "settings.ipConfiguration.ipv4Enabled"),
    gcp_types.SQL_DATABASE: ("name",),
    gcp_types.SQL_USER: ("name", "type"),
    gcp_types.SECRET: ("secretId",),
    gcp_types.SECRET_IAM_MEMBER: ("role", "member"),
    gcp_types.SECRET_VERSION: (),
    gcp_types.NETWORK: ("name",),
    gcp_types.SUBNETWORK: ("ipCidrRange", "purpose"),
    gcp_types.GLOBAL_ADDRESS: ("purpose", "prefixLength"),
    gcp_types.SERVICE_NETWORKING_CONNECTION: ("service",),
    gcp_types.ADDRESS: ("addressType",),
    gcp_types.REGION_NETWORK_ENDPOINT_GROUP: ("networkEndpointType",),
    gcp_types.REGION_BACKEND_SERVICE: ("loadBalancingScheme", "protocol"),
    gcp_types.REGION_URL_MAP: (),
    gcp_types.REGION_TARGET_HTTPS_PROXY: (),
    gcp_types.FORWARDING_RULE: ("loadBalancingScheme", "portRange"),
    gcp_types.CERTIFICATE_ISSUANCE_CONFIG: ("certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool",),
    gcp_types.CERTIFICATE: ("managed.domains",),
    gcp_types.DNS_MANAGED_ZONE: ("dnsName", "visibility"),
    gcp_types.DNS_RECORD_SET: ("name", "type"),
}


class ConfigInvalid(Exception):
    """Raised with the one line to print when the stack config or policy config cannot be used."""


def available_stacks(root: Path = ROOT) -> list[str]:
    """Stack names that have a `Pulumi.<stack>.yaml` beside the project file."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def is_gateway_stack(path: Path, root: Path = ROOT) -> bool:
    """Whether the stack file is a gateway stack's (`claude-vertex:gateway`); an unreadable one is not (its error
    shows wherever it is rendered)."""
    try:
        project, config = read_stack(path, root)
    except StackFileError:
        return False
    return f"{project}:gateway" in config


def team_stacks(root: Path = ROOT) -> list[str]:
    """The stacks that are teams' (every stack but the gateway's): what the developer environment comes from."""
    return [stack for stack in available_stacks(root) if not is_gateway_stack(root / f"Pulumi.{stack}.yaml", root)]


def read_config(stack: str, config_file: Path | None) -> tuple[str, dict[str, Any]]:
    """The project name, and the config the CLI would hand the program: the stack file's, then Pulumi.yaml's."""
    stack_file = config_file or ROOT / f"Pulumi.{stack}.yaml"
    try:
        project, config = read_stack(stack_file, ROOT)
    except StackFileError as err:
        stacks = printable(", ".join(available_stacks())) or "none"
        raise ConfigInvalid(f"{err} (stacks here: {stacks})") from None
    too_large = config_too_large(config)
    if too_large is not None:
        raise ConfigInvalid(f"{printable(str(stack_file))}: {too_large}")
    return project, config


def load_rendering(stack: str, config_file: Path | None, *, engine_preview: bool = False) -> Rendering:
    """Project defaults, then the stack file, then the program under mocks."""
    project, config = read_config(stack, config_file)
    return render_config(project, stack, config, engine_preview=engine_preview)


def render_config(
    project: str,
    stack: str,
    config: dict[str, Any],
    *,
    engine_preview: bool = False,
    on_register: Callable[[ResourceRecord], None] | None = None,
) -> Rendering:
    """The program under mocks; a config error the program raises becomes `ConfigInvalid`."""
    from claude_vertex.config import find_config_error

    from tests.support.gcp_mocks import GcpMocks
    from tests.support.render import render_stack

    try:
        mocks = GcpMocks(preview=engine_preview)
        return render_stack(stack, config, project=project, mocks=mocks, on_register=on_register)
    except Exception as err:
        config_error = find_config_error(err)
        if config_error is None:
            raise
        raise ConfigInvalid(str(config_error)) from None


def launch_pack(project: str, stack: str, config: dict[str, Any], *, dry_run: bool = True) -> PackProcess:
    """Start the policy pack's process now, before pulumi or grpc is imported here, so that its
    interpreter boots on the other core while this one imports the SDK and renders the program.

    It gets the stack's config as the engine passes it (`PULUMI_CONFIG`, set by the Python language host), and
    `dry_run` as the engine says it: true for `pulumi preview`, false for `pulumi up`, whose known values the plan
    shows without `--engine-preview`."""
    from tests.support.analyzer.process import launch_pack_process
    from tests.support.engine_config import engine_config

    return launch_pack_process(
        POLICY_PACK, project=project, stack=stack, program_config=engine_config(config), dry_run=dry_run
    )


def start_judgement(
    project: str,
    stack: str,
    pack: PackProcess,
    policy_config: dict[str, Any] | None,
    config: dict[str, Any],
    *,
    dry_run: bool = True,
) -> Judgement:
    """The policy pass, begun: it judges each resource as the program registers it, once the pack is up.

    `ConfigureStack` carries the stack's config and which keys are encrypted, as the engine sends them."""
    from tests.support.analyzer import Judgement, PolicyPackServer
    from tests.support.engine_config import engine_config, secret_keys

    server = PolicyPackServer(
        POLICY_PACK,
        project=project,
        stack=stack,
        process=pack,
        program_config=engine_config(config),
        config_secret_keys=secret_keys(config),
        dry_run=dry_run,
    )
    return Judgement(server, policy_config)


def judge(rendering: Rendering, judgement: Judgement) -> list[dict[str, str]]:
    """The verdicts on what the engine sends the pack, exactly as `--policy-pack policies` would give them."""
    from tests.support.analyzer import PolicyConfigError

    try:
        violations = judgement.verdicts(rendering.analyzed)
    except PolicyConfigError as err:
        raise ConfigInvalid(str(err)) from None
    finally:
        judgement.close()
    return [v.to_dict() for v in violations]


def read_policy_config(path: Path | None) -> dict[str, Any] | None:
    """The `--policy-config` file, checked for shape (its values are checked against the pack's schemas later)."""
    if path is None:
        return None
    from tests.support.analyzer import PolicyConfigError, load_policy_config

    try:
        return load_policy_config(path)
    except PolicyConfigError as err:
        raise ConfigInvalid(str(err)) from None


def write_env(directory: Path, team: str, env: dict[str, str]) -> list[Path]:
    """The three files a team gets: `.env`, `env.sh` and Claude Code's `settings.json`."""
    from claude_vertex.render.environment import render_all

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all(env, team).items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


def _shown(value: Any) -> str:
    from tests.support.gcp_mocks import UNKNOWN
    from tests.support.render import UNKNOWN_OUTPUT

    return UNKNOWN_OUTPUT if value == UNKNOWN else str(value)


def _short(value: Any, width: int = 70) -> str:
    text = ", ".join(map(_shown, value)) if isinstance(value, list) else _shown(value)
    return text if len(text) <= width else text[: width - 3] + "..."


MAX_LEAVES = 6
"""An output with more parts than this (or with multi-line text) is summarised; `--json` has it whole."""


def _leaves(path: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(f"{path}.{k}", v)]
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(f"{path}[{i}]", v)]
    return [(path, value)]


def _flat_record(value: Any) -> bool:
    """A small map of plain values (one model's pin, one pool's commands): one line reads best."""
    return (
        isinstance(value, dict)
        and 0 < len(value) <= MAX_LEAVES
        and not any(isinstance(v, dict | list) or (isinstance(v, str) and "\n" in v) for v in value.values())
    )


def output_lines(key: str, value: Any) -> list[str]:
    """One stack output for the text plan, derived from its shape: small values in full, a map of small records
    one line per record, big ones counted."""
    if isinstance(value, dict) and value and all(_flat_record(v) for v in value.values()):
        return [
            f"{key}.{name}: " + _short(", ".join(f"{k}={v}" for k, v in record.items()), 200)
            for name, record in value.items()
        ]
    leaves = _leaves(key, value)
    if len(leaves) <= MAX_LEAVES and not any(isinstance(v, str) and "\n" in v for _, v in leaves):
        return [f"{path}: {_short(v, 200)}" for path, v in leaves]
    size = f"{len(value.splitlines())} lines of text" if isinstance(value, str) else f"{len(leaves)} values"
    return [f"{key}: {size} (see --json, or pulumi stack output {key})"]


SHOWN_PROVIDER_SETTINGS = ("version", "project", "billingProject", "region", "zone")
"""Provider settings whose values the text plan shows (which plugin, where); others only by name, since a stack
file can carry credentials there and a pipeline's log is no place for them."""


def provider_lines(rendering: Rendering) -> list[str]:
    """The engine's provider resources, one line each: what the stack's config hands each of them."""
    from tests.support.analyzer import is_secret
    from tests.support.default_providers import DYNAMIC_PACKAGES, PROVIDER_TYPE_PREFIX, is_provider_type

    providers = [r for r in rendering.resources if is_provider_type(r["type"])]
    if not providers:
        return []
    lines = ["Providers (registered by the engine, judged by the policy pack like every resource):"]
    for record in providers:
        inputs = record["inputs"]
        if record["type"][len(PROVIDER_TYPE_PREFIX) :] in DYNAMIC_PACKAGES:
            shown = f"the stack's config ({len(inputs)} keys)"
        else:
            shown = "; ".join(
                f"{k}={'[secret]' if is_secret(v) else _short(v)}" if k in SHOWN_PROVIDER_SETTINGS else k
                for k, v in inputs.items()
            )
        lines.append(f"  {record['type']} {record['name']}: {shown or 'no settings'}")
    return [*lines, ""]


_ABSENT = object()


def _input_at(inputs: dict[str, Any], dotted: str) -> Any:
    """The input at a dotted path (`settings.ipConfiguration.ipv4Enabled`), or `_ABSENT`."""
    value: Any = inputs
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value


def format_text(rendering: Rendering, violations: list[dict[str, str]] | None) -> str:
    """The human plan: resources by apply wave, outputs, the environment, then the verdicts."""
    from tests.support.render import is_cloud_resource

    custom = [r for r in rendering.resources if is_cloud_resource(r["type"])]
    lines = [f"Stack {rendering.stack} of {rendering.project}: {len(custom)} resources to create"]
    if rendering.preview:
        from tests.support.render import UNKNOWN_OUTPUT

        lines.append(
            f"(as `pulumi preview` sends it to the policy pack: {UNKNOWN_OUTPUT} is known only after `pulumi up`)"
        )
    lines.append("")
    waves = max((r["wave"] for r in custom), default=0)
    type_width = max((len(r["type"]) for r in custom), default=4)
    name_width = min(max((len(r["name"]) for r in custom), default=4), 56)
    lines.append(f"{'wave':<5} {'type':<{type_width}} {'name':<{name_width}} key inputs")
    for record in custom:
        wanted = KEY_INPUTS.get(record["type"], ())
        inputs = record["inputs"]
        shown = "; ".join(f"{k}={_short(value)}" for k in wanted if (value := _input_at(inputs, k)) is not _ABSENT)
        name = _short(record["name"], name_width)
        lines.append(f"{record['wave']:<5} {record['type']:<{type_width}} {name:<{name_width}} {shown}")
    lines += [f"(critical path: {waves + 1} sequential API calls; each wave waits only for the one before)", ""]
    lines += provider_lines(rendering)

    outputs = rendering.outputs
    lines.append("Outputs:")
    for key, value in outputs.items():
        lines += [f"  {line}" for line in output_lines(key, value)]
    dotenv = outputs.get("dotenv")
    if isinstance(dotenv, str):
        lines += ["", "Developer environment (.env):", dotenv.rstrip()]
    lines.append("")

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
        | {"provider": r["provider"]["urn"] if r["provider"] is not None else ""}
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
    parser.add_argument(
        "--engine-preview",
        action="store_true",
        help="show the stack as a real `pulumi preview` sends it to the pack: outputs unknown until apply",
    )
    parser.add_argument("--write-env", type=Path, metavar="DIR", help="write .env, env.sh and settings.json here")
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="judge the stack as of this date (model retirements, default pins, quota caps); default: "
        "CLAUDE_VERTEX_TODAY, else today",
    )
    return parser.parse_args(argv)


def set_stack_date(text: str) -> None:
    """`--today`: the program reads the stack's one date from CLAUDE_VERTEX_TODAY (claude_vertex/config/clock.py)."""
    from claude_vertex.config import ConfigError
    from claude_vertex.config.clock import TODAY_VARIABLE, parse_date

    try:
        os.environ[TODAY_VARIABLE] = parse_date(text, setting="--today").isoformat()
    except ConfigError as err:
        raise ConfigInvalid(str(err)) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pack = judgement = None
    try:
        project, config = read_config(args.stack, args.config_file)
        if not args.no_policy:
            dry_run = args.engine_preview
            pack = launch_pack(project, args.stack, config, dry_run=dry_run)
            judgement = start_judgement(
                project, args.stack, pack, read_policy_config(args.policy_config), config, dry_run=dry_run
            )
        on_register = judgement.add if judgement is not None else None
        if args.today is not None:
            set_stack_date(args.today)
        rendering = render_config(
            project, args.stack, config, engine_preview=args.engine_preview, on_register=on_register
        )
        violations = None if judgement is None else judge(rendering, judgement)
    except ConfigInvalid as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        if judgement is not None:
            judgement.close()
        if pack is not None:
            pack.kill()
    if args.write_env:
        for path in write_env(args.write_env, rendering.outputs["team"], rendering.outputs["env"]):
            print(f"wrote {path}", file=sys.stderr)
    sys.stdout.write(format_json(rendering, violations) if args.json else format_text(rendering, violations))
    mandatory = any(v["level"] == "mandatory" for v in violations or [])
    return EXIT_VIOLATION if mandatory else EXIT_OK


def exit_now(code: int) -> None:
    """Flush and leave without the interpreter's teardown.

    Teardown (the runtime's thread pools, gRPC's threads, the modules of a rendered program) takes up to
    0.1 s of a 0.3 s command and does nothing it needs: every file is written and closed, the pack is
    reaped, and the output is flushed here.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say to it
        pass
    os._exit(code)


if __name__ == "__main__":
    # A short-lived command that exits without teardown: the cyclic GC only slows down the thousands of
    # objects its imports create (about 10% of the gate's time, benchmarks/bench_preview.py).
    gc.disable()
    exit_now(main())
