"""`claude-vertex-doctor`: read the environment Claude Code would see, run the checks in order, print a verdict.

Two paths: Vertex AI with the developer's own Google credentials (the default), or the company's Claude apps gateway
(`--gateway`), which holds the Google credentials itself.

Exit codes: 0 nothing failed, 1 something failed, 2 bad input to the doctor itself (one line, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from claude_vertex_doctor import __version__, envcheck, gateway, gateway_tls, managed_settings
from claude_vertex_doctor.catalog import catalog
from claude_vertex_doctor.gateway_url import UrlError
from claude_vertex_doctor.gateway_url import parse as parse_url
from claude_vertex_doctor.inputs import InputError, assemble, read_access_token
from claude_vertex_doctor.report import Report

PROG = "claude-vertex-doctor"


DEFAULT_TIMEOUT = 20.0
MAX_TIMEOUT = 300.0


def _seconds(text: str) -> float:
    """--timeout's value: a number of seconds within bounds (argparse turns the error into one line)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed from 1 to {MAX_TIMEOUT:g} seconds")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's usage block is not one line
        raise InputError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Says whether Claude Code on Vertex AI, or through your company's gateway, will work for you.",
    )
    p.add_argument("--env-file", type=Path, help="a dotenv file (the stack's dotenv output), read over the environment")
    p.add_argument("--settings", type=Path, help='a Claude Code settings file ({"env": {...}}), read over both')
    p.add_argument("--access-token-file", type=Path, help="use the access token in this file instead of ADC")
    p.add_argument(
        "--gateway",
        nargs="?",
        const="",
        metavar="URL",
        help="check the path through the Claude apps gateway instead (URL: default, the managed settings' one)",
    )
    p.add_argument(
        "--managed-settings",
        type=Path,
        metavar="FILE",
        help=f"with --gateway: read this managed-settings file (default: {managed_settings.default_path()})",
    )
    p.add_argument(
        "--ca-file", type=Path, metavar="FILE", help="with --gateway: also trust the CA certificates in FILE"
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long each request to Google may take (default {DEFAULT_TIMEOUT:g}; 1 to {MAX_TIMEOUT:g})",
    )
    p.add_argument("--json", action="store_true", help='print {"ok": bool, "checks": [...]} instead of text')
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return p


def diagnose(
    env: Mapping[str, str],
    token: str | None = None,
    token_file: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Report:
    """Every check, in order; a check that cannot mean anything after a failure is not run."""
    # Imported here: the SDK takes a while to import, and bad input or --version should answer at once.
    from claude_vertex_doctor import credentials, permission, vertex

    report = Report()
    plan = envcheck.check(env, report, catalog())
    if not plan.runnable:
        return report
    auth = credentials.check(
        env,
        report,
        skip_auth=plan.skip_auth,
        base_url=plan.base_url,
        token=token,
        token_file=token_file,
        timeout=timeout,
    )
    if auth is None:
        return report
    predict = None
    if auth.token is not None:
        predict = permission.check(env, report, plan.project, auth.token, auth.quota_project, timeout)
    vertex.check(plan, auth, report, predict, env=env, timeout=timeout)
    return report


def gateway_options(args: argparse.Namespace, environ: Mapping[str, str]) -> gateway.Options:
    """The gateway path's inputs; InputError for flags of the other path, a URL Claude Code refuses, a bad CA file."""
    vertex_only = [f for f, v in (("--env-file", args.env_file), ("--settings", args.settings)) if v is not None]
    if args.access_token_file is not None:
        vertex_only.append("--access-token-file")
    if vertex_only:
        raise InputError(
            f"{', '.join(vertex_only)} check Vertex AI with your own credentials; --gateway does not use them"
        )
    try:
        requested = parse_url(args.gateway) if args.gateway else None
    except UrlError as exc:
        raise InputError(f"--gateway {args.gateway!r} {exc}") from None
    return gateway.Options(
        requested=requested,
        managed_settings=args.managed_settings or managed_settings.default_path(),
        trust=gateway_tls.trust(args.ca_file, environ),
    )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        args = parser().parse_args(argv)
        if args.gateway is not None:
            options = gateway_options(args, environ)
            report = gateway.diagnose(options, environ)
            sys.stdout.write(report.render_json() if args.json else report.render_text())
            return 0 if report.ok else 1
        if args.managed_settings is not None or args.ca_file is not None:
            raise InputError("--managed-settings and --ca-file go with --gateway")
        env = assemble(environ, args.env_file, args.settings)
        token = read_access_token(args.access_token_file) if args.access_token_file else None
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    report = diagnose(env, token, args.access_token_file, args.timeout)
    sys.stdout.write(report.render_json() if args.json else report.render_text())
    return 0 if report.ok else 1
