"""`claude-vertex-doctor`: read the environment Claude Code would see, run the checks in order, print a verdict.

Exit codes: 0 nothing failed, 1 something failed, 2 bad input to the doctor itself (one line, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from claude_vertex_doctor import __version__, envcheck
from claude_vertex_doctor.catalog import catalog
from claude_vertex_doctor.inputs import InputError, assemble, read_access_token
from claude_vertex_doctor.report import Report

PROG = "claude-vertex-doctor"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's usage block is not one line
        raise InputError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Says whether Claude Code on Vertex AI will work for you, and what to do.")
    p.add_argument("--env-file", type=Path, help="a dotenv file (the stack's dotenv output), read over the environment")
    p.add_argument("--settings", type=Path, help='a Claude Code settings file ({"env": {...}}), read over both')
    p.add_argument("--access-token-file", type=Path, help="use the access token in this file instead of ADC")
    p.add_argument("--json", action="store_true", help='print {"ok": bool, "checks": [...]} instead of text')
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return p


def diagnose(env: Mapping[str, str], token: str | None = None, token_file: Path | None = None) -> Report:
    """Every check, in order; a check that cannot mean anything after a failure is not run."""
    # Imported here: the SDK takes a while to import, and bad input or --version should answer at once.
    from claude_vertex_doctor import credentials, permission, vertex

    report = Report()
    plan = envcheck.check(env, report, catalog())
    if not plan.runnable:
        return report
    auth = credentials.check(
        env, report, skip_auth=plan.skip_auth, base_url=plan.base_url, token=token, token_file=token_file
    )
    if auth is None:
        return report
    predict = None
    if auth.token is not None:
        predict = permission.check(env, report, plan.project, auth.token, auth.quota_project)
    vertex.check(plan, auth, report, predict)
    return report


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        env = assemble(os.environ if environ is None else environ, args.env_file, args.settings)
        token = read_access_token(args.access_token_file) if args.access_token_file else None
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    report = diagnose(env, token, args.access_token_file)
    sys.stdout.write(report.render_json() if args.json else report.render_text())
    return 0 if report.ok else 1
