"""`python3 -m tools.review record|comment|drift`: the contract the pipelines of both forges call.

Exit codes: 0 done; 1 the forge refused or a record or pull request failed its checks (one line on stderr);
2 the command line or the environment is wrong (one line naming the option or variable).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tools.review import body, forge, github, gitlab, record
from tools.review.rest import ForgeError
from tools.review.text import is_stack_name, printable

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
MAX_RECORDS = 200
RUN_URL = re.compile(r"https://[A-Za-z0-9.:-]+/[A-Za-z0-9._~/%+-]+")


class UsageError(ValueError):
    pass


def _stack(value: str) -> str:
    if not is_stack_name(value):
        raise argparse.ArgumentTypeError(f"{printable(value)[:80]!r} is not a stack name ([A-Za-z0-9._-], 100 at most)")
    return value


def _exit_code(value: str) -> int:
    if not value.isdigit() or int(value) > record.MAX_EXIT_CODE:
        raise argparse.ArgumentTypeError(f"{printable(value)[:20]!r}: expected 0 to {record.MAX_EXIT_CODE}")
    return int(value)


def _number(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= record.MAX_PULL_REQUEST:
        raise argparse.ArgumentTypeError(f"{printable(value)[:20]!r}: expected a pull/merge request number")
    return int(value)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python3 -m tools.review", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)

    rec = commands.add_parser("record", help="write review/<stack>.<kind>.json from a preview's output")
    rec.add_argument("--stack", type=_stack, required=True)
    rec.add_argument("--kind", choices=record.KINDS, required=True)
    rec.add_argument("--exit-code", type=_exit_code, required=True, help="the preview's exit code")
    rec.add_argument("--output", type=Path, required=True, help="the preview's output (missing: nothing printed)")
    rec.add_argument("--dir", type=Path, default=Path("review"))
    rec.add_argument("--pr", type=_number, help="the pull request previewed (the comment job checks it)")

    com = commands.add_parser("comment", help="create or update the one review comment of a pull/merge request")
    com.add_argument("--forge", choices=("github", "gitlab"), required=True)
    com.add_argument("--dir", type=Path, default=Path("review"))
    com.add_argument("--pr", type=_number, help="GitHub: the pull request (default: the one the records claim)")
    com.add_argument("--head-sha", help="the commit previewed; the pull/merge request must be at it")

    drift = commands.add_parser("drift", help="open, update or close the drift issue of one stack")
    drift.add_argument("--forge", choices=("github", "gitlab"), required=True)
    drift.add_argument("--stack", type=_stack, required=True)
    drift.add_argument("--exit-code", type=_exit_code, required=True)
    drift.add_argument("--output", type=Path, required=True)
    return top


def _env(environ: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = environ.get(name, "") or default
    if not value:
        raise UsageError(f"{name} is not set")
    return value


def load_records(directory: Path) -> tuple[list[record.Record], list[str]]:
    """Every record under `directory` (artifacts unpack one folder each), and one line per refused file."""
    if not directory.is_dir():
        raise UsageError(f"--dir {printable(str(directory))}: no such directory")
    paths = sorted(p for p in directory.rglob("*.json"))
    records: dict[tuple[str, str], record.Record] = {}
    rejected: list[str] = []
    if len(paths) > MAX_RECORDS:
        rejected.append(f"{len(paths) - MAX_RECORDS} records past the first {MAX_RECORDS}")
    for path in paths[:MAX_RECORDS]:
        try:
            loaded = record.load(path)
        except record.RecordError as error:
            rejected.append(str(error))
            continue
        if (loaded.stack, loaded.kind) in records:
            rejected.append(f"{loaded.file_name}: a second record of the same stack and kind")
            continue
        records[(loaded.stack, loaded.kind)] = loaded
    return list(records.values()), rejected


def claimed_pull_request(records: Sequence[record.Record]) -> int:
    claims = {r.pull_request for r in records}
    if len(claims) != 1 or None in claims:
        raise ForgeError("the records do not all name one pull request: pass --pr")
    return claims.pop()  # type: ignore[return-value]


def run_url(environ: Mapping[str, str]) -> str | None:
    if url := environ.get("CI_PIPELINE_URL"):
        candidate = url
    elif environ.get("GITHUB_RUN_ID"):
        server = environ.get("GITHUB_SERVER_URL", "https://github.com")
        candidate = f"{server}/{environ.get('GITHUB_REPOSITORY', '')}/actions/runs/{environ['GITHUB_RUN_ID']}"
    else:
        return None
    return candidate if RUN_URL.fullmatch(candidate) else None


def github_forge(environ: Mapping[str, str]) -> github.GitHub:
    api = github.client(_env(environ, "GITHUB_API_URL", "https://api.github.com"), _env(environ, "GITHUB_TOKEN"))
    return github.GitHub(api, _env(environ, "GITHUB_REPOSITORY"))


def gitlab_forge(environ: Mapping[str, str]) -> gitlab.GitLab:
    api = gitlab.client(_env(environ, "CI_API_V4_URL"), _env(environ, "CLAUDE_VERTEX_GITLAB_TOKEN"))
    return gitlab.GitLab(api, _env(environ, "CI_PROJECT_ID"))


def command_record(args: argparse.Namespace) -> int:
    made = record.from_output(args.stack, args.kind, args.exit_code, record.read_output(args.output), args.pr)
    path = record.write(made, args.dir)
    print(f"{path}: {body.status(made)}, policies {made.policies}")
    return EXIT_OK


def command_comment(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    records, rejected = load_records(args.dir)
    for line in rejected:
        print(f"refused: {line}", file=sys.stderr)
    if not records and not rejected and args.pr is None and args.forge == "github":
        print("no review records (no stack previewed): nothing to comment")
        return EXIT_OK
    target: forge.Forge
    if args.forge == "github":
        if not args.head_sha:
            raise UsageError("--head-sha is required on GitHub: the pull request must be at the commit previewed")
        hub = github_forge(environ)
        hub.verify_pull_request(args.pr or claimed_pull_request(records), args.head_sha)
        target = hub
    else:
        lab = gitlab_forge(environ)
        iid = args.pr or _number_env(environ, "CI_MERGE_REQUEST_IID")
        lab.verify_merge_request(iid, args.head_sha)
        target = lab
    outcome = forge.publish_comment(target, body.comment(records, args.head_sha, rejected))
    print(f"review comment {outcome}: {len(records)} record(s), {len(rejected)} refused")
    return EXIT_OK


def _number_env(environ: Mapping[str, str], name: str) -> int:
    value = _env(environ, name)
    try:
        return _number(value)
    except argparse.ArgumentTypeError as error:
        raise UsageError(f"{name}: {error}") from None


def command_drift(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    output = record.read_output(args.output)
    target: forge.Forge = github_forge(environ) if args.forge == "github" else gitlab_forge(environ)
    outcome = forge.report_drift(target, args.stack, args.exit_code, output or "", run_url(environ))
    print(f"drift issue of {args.stack}: {outcome}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    try:
        if args.command == "record":
            return command_record(args)
        if args.command == "comment":
            return command_comment(args, environ)
        return command_drift(args, environ)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ForgeError as error:
        print(f"error: {printable(str(error))}", file=sys.stderr)
        return EXIT_REFUSED
