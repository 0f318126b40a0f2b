"""`make gateway-secrets STACK=<gateway stack>`: the gateway's credentials put in place outside Pulumi state.

    python -m tools.gateway_secrets --stack acme-gateway [--rotate NAME ...] [--oidc-client-secret-file PATH]

Run by a platform engineer from their own machine, with their own Application Default Credentials, after `pulumi up`
has created the gateway stack's secrets and database. For each credential the gateway reads (`GATEWAY_SECRETS`:
the OIDC client secret, the JWT secret, the database password, the admin write key) it adds a version to the
secret the stack created, only where the secret has no enabled version yet, or where `--rotate` names it:

* the JWT secret, the admin write key and the database password are generated here (`secrets.token_urlsafe`,
  256 random bits, 43 characters: the gateway refuses a JWT secret or an admin key under 32);
* the OIDC client secret is the one the IdP issued: read from `--oidc-client-secret-file`, else from standard input
  (typed without echo at a terminal, or piped from a password manager). Never from the command line, where it
  would land in the shell's history and in the process list: no option takes it;
* the database password is also set on the Cloud SQL user the stack created without one.

The order for the database password: Cloud SQL first (waiting until the change is applied), then the secret
version. The gateway reads the secret's `latest` version when an instance starts, so a new version must never name a
password the database does not take. Set first, a refused or failed change (an operation in progress, a missing
permission, no instance yet) leaves both as they were; and before the database is touched, every secret to be
written is checked for `secretmanager.versions.add` (`testIamPermissions`), so the version that follows is not
refused for a missing grant either. If it still fails, the line says to run again with `--rotate db-password`.

Nothing here prints, logs or writes a secret value: each is a `SecretValue`, every line printed is scrubbed of the
values in play, and Google's errors are shown as their status and message only. Running instances keep the values
they started with; a rotation ends with the command that starts a new revision.

Exit codes: 0 done (or nothing to do); 1 a Google API refused (the line names the API, the resource and Google's
message); 2 the stack, a file, the input or the environment cannot be used; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from claude_vertex.config import ConfigError
from claude_vertex.config.base import NAMESPACE
from claude_vertex.config.gateway import parse_gateway_stack
from claude_vertex.render.gateway import (
    ADMIN_WRITE_KEY,
    DATABASE_PASSWORD,
    DATABASE_USER,
    GATEWAY_SECRETS,
    JWT_SECRET,
    OIDC_CLIENT_SECRET,
    GatewaySecret,
)
from claude_vertex.resources.gateway.database import instance_name
from claude_vertex.resources.gateway.secrets import secret_id
from claude_vertex.resources.gateway.service import service_name
from claude_vertex_gcp.iam import SECRET_VERSION_ADD

from tools.gateway_apis import SECRET_MANAGER_API, SQL_ADMIN_API, SecretManager, SecretValue, SqlAdmin
from tools.google_rest import ApiRefusal, GoogleApi, InputError, adc_session, one_line
from tools.preview import ConfigInvalid, read_config

EXIT_OK, EXIT_REFUSED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
GATEWAY_MINIMUM = 32
"""The gateway refuses a `session.jwt_secret` or an admin key shorter than this (its config schema, 2.1.331)."""
GENERATED_BYTES = 32
"""Random bytes per generated credential: `token_urlsafe` makes 43 characters of them."""
OIDC_SHORTEST, OIDC_LONGEST = 8, 4096
"""Bounds on an OAuth client secret as IdPs issue them (Okta, Entra ID and Google issue 24 to 64 characters)."""
BY_SLUG = {secret.slug: secret for secret in GATEWAY_SECRETS}
REDACTED = "[secret]"

AFTER_ROTATION = {
    OIDC_CLIENT_SECRET.slug: "the new revision signs developers in with the new client secret: retire the old one at "
    "the IdP once it serves",
    JWT_SECRET.slug: "sessions signed with the old JWT secret are refused once the new revision serves: developers "
    "sign in again (/login)",
    DATABASE_PASSWORD.slug: "until the new revision serves, the running instances cannot open new database "
    "connections (open ones keep working): start it now",
    ADMIN_WRITE_KEY.slug: "the spend-cap job reads the new key when it next runs, and only the new revision takes it: "
    "start the revision before the caps next change",
}
"""What each rotation means for the running gateway, printed after it."""


@dataclass(frozen=True)
class GatewayTarget:
    """Where the gateway stack's credentials live, as its program names them."""

    stack: str
    name: str
    project: str
    region: str
    oidc_client_id: str

    def secret_id(self, secret: GatewaySecret) -> str:
        return secret_id(self.name, secret.slug)

    @property
    def instance(self) -> str:
        return instance_name(self.name)

    @property
    def service(self) -> str:
        return service_name(self.name)


def load_target(stack: str, config_file: Path | None) -> GatewayTarget:
    """The gateway stack's config, read and validated as the offline preview and `pulumi up` read it."""
    try:
        _, config = read_config(stack, config_file)
    except ConfigInvalid as error:
        raise InputError(str(error)) from None
    prefix = f"{NAMESPACE}:"
    raw = {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}
    if "gateway" not in raw:
        raise InputError(f"stack {one_line(stack, 100)} is not a gateway stack (it has no {NAMESPACE}:gateway)")
    try:
        gateway = parse_gateway_stack(raw)
    except ConfigError as error:
        raise InputError(str(error)) from None
    return GatewayTarget(stack, gateway.name, gateway.project.id, gateway.region, gateway.oidc.client_id)


def generate() -> SecretValue:
    return SecretValue(secrets.token_urlsafe(GENERATED_BYTES))


def parse_client_secret(data: bytes, source: str) -> SecretValue:
    """The OIDC client secret from a file or standard input: one line of printable text (a final line break is
    dropped). Refusals name the source, never the content."""
    if len(data) > OIDC_LONGEST:
        raise InputError(f"{source} holds more than {OIDC_LONGEST} bytes: not an OAuth client secret")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source} is not UTF-8 text: not an OAuth client secret") from None
    text = text.removesuffix("\n").removesuffix("\r")
    if not text.strip():
        raise InputError(
            f"{source} is empty: give the client secret the IdP issued for the gateway "
            "(--oidc-client-secret-file PATH, or on standard input)"
        )
    if not text.isprintable() or text != text.strip():
        raise InputError(
            f"{source} holds line breaks, control characters or surrounding spaces: put the client secret alone "
            "on one line"
        )
    if len(text) < OIDC_SHORTEST:
        raise InputError(f"{source} holds fewer than {OIDC_SHORTEST} characters: not an OAuth client secret")
    return SecretValue(text)


def read_client_secret_file(path: Path) -> SecretValue:
    """The path is not shown in a refusal: a secret pasted where the path belongs must not be printed either."""
    source = "--oidc-client-secret-file"
    try:
        with path.open("rb") as file:
            data = file.read(OIDC_LONGEST + 1)
    except OSError as error:
        raise InputError(f"{source}: cannot read that file ({error.strerror or type(error).__name__})") from None
    return parse_client_secret(data, source)


def ask_client_secret(target: GatewayTarget, stdin: TextIO) -> SecretValue:
    """At a terminal: typed without echo. Otherwise: standard input, piped from a password manager or a file."""
    if stdin.isatty():
        try:
            typed = getpass.getpass(
                f"OAuth client secret the IdP issued for client {target.oidc_client_id} (input not shown): "
            )
        except (EOFError, KeyboardInterrupt):
            raise InputError("no OIDC client secret given") from None
        return parse_client_secret(typed.encode("utf-8"), "the client secret typed")
    return parse_client_secret(stdin.buffer.read(OIDC_LONGEST + 1), "standard input")


class Console:
    """Every line the tool prints, scrubbed of every secret value in play."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err
        self._values: list[str] = []

    def keep_secret(self, value: SecretValue) -> None:
        self._values.append(value.reveal())

    def _scrubbed(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text

    def say(self, line: str) -> None:
        print(self._scrubbed(line), file=self.out, flush=True)

    def refuse(self, line: str) -> None:
        print(f"error: {one_line(self._scrubbed(line), 2000)}", file=self.err, flush=True)


@dataclass(frozen=True)
class Change:
    secret: GatewaySecret
    before: int | None
    value: SecretValue


def put_in_place(
    target: GatewayTarget,
    secret_manager: SecretManager,
    sql: SqlAdmin,
    console: Console,
    *,
    rotate: Iterable[str],
    given_client_secret: SecretValue | None,
    stdin: TextIO,
) -> None:
    """Look, check, then write: nothing is changed before every secret has been listed and every grant checked."""
    rotating = set(rotate)
    current = {s.slug: secret_manager.newest_enabled_version(target.secret_id(s)) for s in GATEWAY_SECRETS}
    wanted = [s for s in GATEWAY_SECRETS if current[s.slug] is None or s.slug in rotating]
    if given_client_secret is not None and OIDC_CLIENT_SECRET not in wanted:
        raise InputError(
            f"--oidc-client-secret-file given, but {target.secret_id(OIDC_CLIENT_SECRET)} already has version "
            f"{current[OIDC_CLIENT_SECRET.slug]}: add --rotate {OIDC_CLIENT_SECRET.slug} to replace it"
        )
    changes = []
    for secret in wanted:
        value = (
            (given_client_secret or ask_client_secret(target, stdin)) if secret is OIDC_CLIENT_SECRET else generate()
        )
        console.keep_secret(value)
        changes.append(Change(secret, current[secret.slug], value))
    for change in changes:
        if not secret_manager.may_add_version(target.secret_id(change.secret)):
            raise ApiRefusal(
                f"{SECRET_MANAGER_API.name}: you do not hold {SECRET_VERSION_ADD} on "
                f"{secret_manager.resource(target.secret_id(change.secret))}; nothing was changed"
            )

    added: dict[str, int] = {}
    for change in changes:
        if change.secret is DATABASE_PASSWORD:
            sql.set_password(target.instance, DATABASE_USER, change.value)
            console.say(f"Cloud SQL: user {DATABASE_USER} of instance {target.instance} has the new password")
    for change in changes:
        resource = secret_manager.resource(target.secret_id(change.secret))
        try:
            added[change.secret.slug] = secret_manager.add_version(target.secret_id(change.secret), change.value)
        except ApiRefusal as refusal:
            if change.secret is not DATABASE_PASSWORD:
                raise
            said = str(refusal).rstrip(".")
            raise ApiRefusal(
                f"{said}. Meanwhile the database user got a new password, which no secret holds: once the cause is "
                f"fixed, run `make gateway-secrets STACK={target.stack} ARGS='--rotate {DATABASE_PASSWORD.slug}'`",
                refusal.code,
            ) from None
        replaced = f" (replaces version {change.before})" if change.before is not None else ""
        console.say(f"{resource}: version {added[change.secret.slug]} added{replaced}")
    for secret in GATEWAY_SECRETS:
        if secret.slug not in added:
            console.say(
                f"{secret_manager.resource(target.secret_id(secret))}: version {current[secret.slug]} is enabled; "
                f"unchanged (--rotate {secret.slug} replaces it)"
            )
    report_next_steps(target, changes, {**current, **added}, console)


def report_next_steps(
    target: GatewayTarget, changes: list[Change], versions: dict[str, int | None], console: Console
) -> None:
    if not changes:
        console.say("Nothing to do: every secret has an enabled version.")
        return
    if any(change.before is None for change in changes):
        console.say(
            f"Next: `pulumi up` for stack {target.stack} (or again, if it stopped at the gateway's service): "
            "the gateway reads these secrets when its instances start."
        )
    rotated = [change for change in changes if change.before is not None]
    if rotated:
        label = "-".join(str(versions[secret.slug]) for secret in GATEWAY_SECRETS)
        console.say("The running instances keep the old values until a new revision replaces them. Start one now:")
        console.say(
            f"  gcloud run services update {target.service} --project {target.project} --region {target.region} "
            f"--update-labels=gateway-secret-versions={label}"
        )
        for change in rotated:
            console.say(f"  {change.secret.slug}: {AFTER_ROTATION[change.secret.slug]}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """argparse's own refusals (a missing --stack, a bad --rotate name) name no secret: keep them, exit 2."""
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: `--oidc-client-secret VALUE` must not be taken for `--oidc-client-secret-file VALUE`.
    parser = _Parser(
        prog="python -m tools.gateway_secrets",
        allow_abbrev=False,
        description="Put the gateway's credentials in Secret Manager (and the database password in Cloud SQL), "
        "outside Pulumi state, with your Application Default Credentials.",
    )
    parser.add_argument("--stack", required=True, help="the gateway stack: reads Pulumi.<stack>.yaml")
    parser.add_argument("--config-file", type=Path, help="read this stack file instead of Pulumi.<stack>.yaml")
    parser.add_argument(
        "--rotate",
        action="append",
        default=[],
        choices=list(BY_SLUG),
        metavar="NAME",
        help=f"add a new version even though one is enabled (repeatable): {', '.join(BY_SLUG)}",
    )
    parser.add_argument(
        "--oidc-client-secret-file",
        type=Path,
        metavar="PATH",
        help="a file holding the OIDC client secret the IdP issued (default: read it from standard input, "
        "without echo at a terminal); never give the secret itself on the command line",
    )
    return parser


def unknown_arguments(extra: Sequence[str]) -> str:
    """argparse would print the unknown words whole; one of them may be a secret typed on the command line. Name
    the options only, never a value."""
    options = sorted({word.split("=", 1)[0] for word in extra if word.startswith("--")})
    named = f"unknown option(s) {', '.join(options)}" if options else "unexpected argument(s)"
    return (
        f"{named} (not shown: a value may be a secret). The OIDC client secret is read from "
        "--oidc-client-secret-file PATH or from standard input, never from the command line"
    )


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    args, extra = parser().parse_known_args(argv)
    console = Console(sys.stdout, sys.stderr)
    try:
        if extra:
            raise InputError(unknown_arguments(extra))
        target = load_target(args.stack, args.config_file)
        secret_base = SECRET_MANAGER_API.base_path(os.environ)
        sql_base = SQL_ADMIN_API.base_path(os.environ)
        given = None
        if args.oidc_client_secret_file is not None:
            given = read_client_secret_file(args.oidc_client_secret_file)
            console.keep_secret(given)
        session = adc_session()
        put_in_place(
            target,
            SecretManager(GoogleApi(SECRET_MANAGER_API, secret_base, session), target.project),
            SqlAdmin(GoogleApi(SQL_ADMIN_API, sql_base, session), target.project),
            console,
            rotate=args.rotate,
            given_client_secret=given,
            stdin=stdin or sys.stdin,
        )
    except InputError as error:
        console.refuse(str(error))
        return EXIT_INPUT
    except ApiRefusal as error:
        console.refuse(str(error))
        return EXIT_REFUSED
    except KeyboardInterrupt:
        console.refuse("interrupted: nothing after the last line printed was done")
        return EXIT_INTERRUPTED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
