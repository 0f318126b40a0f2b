"""Apply on merge applies exactly the plan a pull request's preview saved: the pipeline's checks around `--plan`.

The pull request's `cloud-preview` runs `pulumi preview --refresh --save-plan` per changed stack and uploads the
plan with a record of what was previewed (`record`: the stack, the pull request, its head commit and every file's
blob ID in the tree the preview ran on). On the push to main, Apply finds that preview (`locate`,
tools/preview_run.py), checks that the merged tree is the previewed tree in everything the stack depends on
(`check`: the rules of tools/changed_stacks.py), then runs `pulumi up --refresh --plan`; a refusal of the engine's
plan check becomes one line saying the stack moved since the reviewed preview (`explain`). A brand-new stack has no
saved plan (the preview cannot run before the stack exists): Apply creates it, previews, and applies only when that
plan creates exactly the resources of the reviewed offline preview (`new-stack`).

Stdlib only (runs with the runner's `python3`); each refusal is one `::error::` line and exit status 1, a usage
error exit status 2. docs/gitops.md, "Saved plans", is the operator's side of it.

    python3 -m tools.reviewed_plan record --stack S --pr N --head-sha SHA --dir DIR [--new-stack]
    python3 -m tools.reviewed_plan locate --sha SHA --output "$GITHUB_OUTPUT"
    python3 -m tools.reviewed_plan check --stack S --dir DIR --head-sha SHA --source "PR #N" --output FILE
    python3 -m tools.reviewed_plan new-stack --stack S --plan FILE --offline FILE
    python3 -m tools.reviewed_plan explain --stack S --log FILE --source "PR #N" [--retry]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tools.changed_stacks import Change, select_stacks, stacks_in
from tools.preview_run import SHA_RE, STACK_RE, GitHub, GitHubRefusal, NoReviewedPreview, locate

RECORD = "previewed.json"
"""What the preview saw, beside `plan.json` in the stack's artifact."""
PLAN = "plan.json"
RECORD_VERSION = 1
MAX_RECORD_BYTES = 16 * 1024 * 1024
ENGINE_OWN_TYPES = ("pulumi:providers:", "pulumi:pulumi:Stack")
"""What the engine registers itself (default providers, the stack's root): no resource of the program."""
PLAN_VIOLATIONS = (
    re.compile(r"(?:resource \S+ )?violates plan: .*"),
    re.compile(r"is not allowed by the plan: .*"),
    re.compile(r"expected resource operations for .* but none were seen"),
)
"""The engine's refusals under `--plan` (resource/deploy/step_generator.go, step_executor.go,
deployment_executor.go): a goal, step or output the saved plan did not foresee, or a planned step that never came."""
MAX_LOG_BYTES = 8 * 1024 * 1024
MAX_SHOWN = 300


class Refusal(Exception):
    """The apply must not go on: one line for `::error::`."""


def git_tree(root: Path, commit: str = "HEAD") -> dict[str, str]:
    """Every file of `commit`'s tree: path -> blob ID (what `git ls-tree -r` lists)."""
    result = subprocess.run(
        ["git", "-C", str(root), "ls-tree", "-r", "-z", "--full-tree", commit],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise Refusal(f"git ls-tree {commit} failed: {result.stderr.decode(errors='replace').strip()[:MAX_SHOWN]}")
    tree: dict[str, str] = {}
    for entry in result.stdout.decode("utf-8", errors="surrogateescape").split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            tree[path] = meta.split()[2]
    return tree


def record(root: Path, stack: str, pr: int, head_sha: str, directory: Path, *, new_stack: bool) -> Path:
    """Write what this preview saw (`previewed.json`), beside the plan it saved (none for a new stack)."""
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "version": RECORD_VERSION,
        "stack": stack,
        "pr": pr,
        "headSha": head_sha,
        "newStack": new_stack,
        "tree": git_tree(root),
    }
    path = directory / RECORD
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return path


def read_record(directory: Path) -> dict[str, Any]:
    path = directory / RECORD
    try:
        raw = path.read_bytes()[: MAX_RECORD_BYTES + 1]
    except OSError as error:
        raise Refusal(f"the saved plan has no {RECORD} ({error.strerror})") from None
    if len(raw) > MAX_RECORD_BYTES:
        raise Refusal(f"{RECORD} is larger than {MAX_RECORD_BYTES} bytes")
    try:
        document = json.loads(raw)
    except ValueError:
        raise Refusal(f"{RECORD} is not JSON") from None
    tree = document.get("tree") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("version") != RECORD_VERSION
        or not isinstance(tree, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in tree.items())
        or not isinstance(document.get("newStack"), bool)
    ):
        raise Refusal(f"{RECORD} is not a version-{RECORD_VERSION} record of a preview")
    return document


def moved_paths(previewed: Mapping[str, str], merged: Mapping[str, str]) -> list[Change]:
    """The files that differ between the previewed tree and the merged one (a file gone from main is deleted)."""
    changes = []
    for path in sorted(set(previewed) | set(merged)):
        if previewed.get(path) != merged.get(path):
            changes.append(Change(path, "D" if path not in merged else "M"))
    return changes


def check(root: Path, stack: str, directory: Path, head_sha: str, source: str) -> str:
    """Refuse unless the saved plan is this stack's, for this head commit, previewed on what main now holds in
    everything the stack depends on. Returns `saved` (apply plan.json) or `new` (a stack created on this apply)."""
    document = read_record(directory)
    if document.get("stack") != stack or document.get("headSha") != head_sha:
        raise Refusal(
            f"the saved plan is {document.get('stack')!r} at {str(document.get('headSha'))[:12]}, "
            f"not {stack!r} at {head_sha[:12]}"
        )
    merged = git_tree(root)
    changes = moved_paths(document["tree"], merged)
    if stack in select_stacks(changes, stacks_in(merged)):
        shown = ", ".join(change.path for change in changes[:5]) + (" ..." if len(changes) > 5 else "")
        raise Refusal(
            f"main moved since the preview of {source}: {stack} depends on files that changed since ({shown}); "
            "its reviewed plan is not what merged. Re-run its preview on what main is now (docs/gitops.md, "
            "'When main moves')."
        )
    if document["newStack"]:
        return "new"
    if not (directory / PLAN).is_file():
        raise Refusal(f"the preview of {source} saved no {PLAN} for {stack}")
    return "saved"


def _plan_resources(plan_path: Path) -> dict[str, list[str]]:
    try:
        plan = json.loads(plan_path.read_bytes()[: MAX_RECORD_BYTES + 1])
    except (OSError, ValueError) as error:
        raise Refusal(f"{plan_path.name} is not a readable plan ({error})") from None
    plans = plan.get("resourcePlans") if isinstance(plan, dict) else None
    if not isinstance(plans, dict):
        raise Refusal(f"{plan_path.name} has no resourcePlans: not a `pulumi preview --save-plan` file")
    return {
        urn: [str(step) for step in (entry.get("steps") or [])] if isinstance(entry, dict) else []
        for urn, entry in plans.items()
    }


def _offline_urns(offline_path: Path) -> set[str]:
    try:
        document = json.loads(offline_path.read_bytes()[: MAX_RECORD_BYTES + 1])
        return {str(resource["urn"]) for resource in document["resources"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise Refusal(f"{offline_path.name} is not the offline preview's --json ({error})") from None


def _program_urn(urn: str) -> bool:
    return not any(f"::{kind}" in urn for kind in ENGINE_OWN_TYPES)


def new_stack(stack: str, plan_path: Path, offline_path: Path) -> int:
    """Refuse unless the fresh plan of a brand-new stack creates exactly what the reviewed offline preview showed."""
    planned = {urn: steps for urn, steps in _plan_resources(plan_path).items() if _program_urn(urn)}
    not_created = sorted(urn for urn, steps in planned.items() if steps != ["create"])
    if not_created:
        raise Refusal(
            f"{stack} was previewed as a new stack, but its plan does more than create ({not_created[0]}: "
            f"{planned[not_created[0]] or 'no step'}): the stack exists already. Re-run its preview."
        )
    reviewed = {urn for urn in _offline_urns(offline_path) if _program_urn(urn)}
    extra, missing = sorted(set(planned) - reviewed), sorted(reviewed - set(planned))
    if extra or missing:
        detail = f"creates {extra[0]}, not in it" if extra else f"does not create {missing[0]}"
        raise Refusal(
            f"the plan of new stack {stack} is not the reviewed offline preview's: it {detail} "
            f"({len(extra)} more, {len(missing)} fewer)"
        )
    return len(planned)


def explain(stack: str, log: Path, source: str, *, retry: bool) -> str | None:
    """The one line for a failed `pulumi up --plan` that the plan check refused; None for any other failure."""
    try:
        text = log.read_bytes()[-MAX_LOG_BYTES:].decode("utf-8", errors="replace")
    except OSError as error:
        raise Refusal(f"cannot read the log of pulumi up {log} ({error.strerror})") from None
    for pattern in PLAN_VIOLATIONS:
        match = pattern.search(text)
        if match:
            found = " ".join(match.group(0).split())[:MAX_SHOWN]
            if retry:
                return (
                    f"{stack}: the retry no longer fits the reviewed plan of {source} ({found}). The first attempt "
                    "applied part of it and stopped; what ran stayed within the plan. Run Apply by hand for "
                    f"{stack}: it previews what is left and applies that once approved (docs/gitops.md)."
                )
            return (
                f"{stack} moved since the reviewed preview of {source} ({found}); nothing outside the plan was "
                "applied. Someone changed the stack or its cloud resources after the preview: re-run the preview "
                "(docs/gitops.md, 'When main moves') or run Apply by hand for this stack."
            )
    return None


def _error(message: str) -> None:
    print(f"::error::{' '.join(message.split())}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m tools.reviewed_plan", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="write previewed.json beside the plan a preview saved")
    rec.add_argument("--stack", required=True)
    rec.add_argument("--pr", type=int, required=True)
    rec.add_argument("--head-sha", required=True)
    rec.add_argument("--dir", type=Path, required=True)
    rec.add_argument("--new-stack", action="store_true", help="the stack does not exist yet: no plan was saved")
    loc = commands.add_parser("locate", help="the pull request and Preview run behind a pushed commit")
    loc.add_argument("--sha", required=True)
    loc.add_argument("--output", type=Path, required=True, help="$GITHUB_OUTPUT")
    chk = commands.add_parser("check", help="the saved plan is this stack's and main has not moved since")
    chk.add_argument("--stack", required=True)
    chk.add_argument("--dir", type=Path, required=True)
    chk.add_argument("--head-sha", required=True)
    chk.add_argument("--source", required=True, help='what made the plan, for messages ("PR #12")')
    chk.add_argument("--output", type=Path, required=True, help="$GITHUB_OUTPUT (kind=saved|new)")
    new = commands.add_parser("new-stack", help="a new stack's plan creates exactly the offline preview's resources")
    new.add_argument("--stack", required=True)
    new.add_argument("--plan", type=Path, required=True)
    new.add_argument("--offline", type=Path, required=True, help="python -m tools.preview --json")
    exp = commands.add_parser("explain", help="one line for a plan violation in a `pulumi up --plan` log")
    exp.add_argument("--stack", required=True)
    exp.add_argument("--log", type=Path, required=True)
    exp.add_argument("--source", required=True)
    exp.add_argument("--retry", action="store_true", help="the log is the retry's, after a partial first attempt")
    return parser


def _append(path: Path, values: Mapping[str, str]) -> None:
    with path.open("a") as output:
        output.writelines(f"{key}={value}\n" for key, value in values.items())


def run(args: argparse.Namespace, environ: Mapping[str, str], root: Path) -> int:
    if getattr(args, "stack", None) is not None and not STACK_RE.match(args.stack):
        raise Refusal(f"{args.stack!r} is not a stack name")
    for sha in (getattr(args, "head_sha", None), getattr(args, "sha", None)):
        if sha is not None and not SHA_RE.match(sha):
            raise Refusal(f"{sha!r} is not a full commit SHA")
    if args.command == "record":
        print(record(root, args.stack, args.pr, args.head_sha, args.dir, new_stack=args.new_stack))
    elif args.command == "locate":
        found = locate(GitHub.from_environment(environ), args.sha)
        print(f"PR #{found.pr}, head {found.head_sha[:12]}: Preview run {found.run_url or found.run_id}")
        print(f"Saved plans: {', '.join(sorted(found.plans)) or 'none'}")
        values = {"pr": str(found.pr), "head-sha": found.head_sha, "run-id": str(found.run_id)}
        _append(args.output, values | {"plans": json.dumps(sorted(found.plans), separators=(",", ":"))})
    elif args.command == "check":
        kind = check(root, args.stack, args.dir, args.head_sha, args.source)
        print(f"{args.stack}: {'a new stack, created on this apply' if kind == 'new' else 'the reviewed plan'}")
        _append(args.output, {"kind": kind})
    elif args.command == "new-stack":
        count = new_stack(args.stack, args.plan, args.offline)
        print(f"{args.stack}: the plan creates the {count} resources of the reviewed offline preview")
    else:
        line = explain(args.stack, args.log, args.source, retry=args.retry)
        if line is not None:
            _error(line)
            return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args, os.environ, Path.cwd())
    except (Refusal, NoReviewedPreview, GitHubRefusal) as error:
        _error(str(error))
        return 1


if __name__ == "__main__":
    sys.exit(main())
