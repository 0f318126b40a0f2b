"""The stack reference every pipeline passes to `pulumi --stack`: qualified with the Pulumi Cloud organization.

A Pulumi Cloud token that belongs to several organizations creates an unqualified stack in the token's default
organization, which need not be the platform team's. With `PULUMI_ORG` set (a repository variable), every
workflow that selects a stack (preview, apply, drift, destroy) names it `<org>/<stack>`; the engine takes the
project from Pulumi.yaml (`cloudBackend.ParseStackReference`: `stack`, `org/stack` or `org/project/stack`) and
still reads the stack's config from `Pulumi.<stack>.yaml`. Unset, the name stays as it is (a `gs://` backend).

A self-managed backend (`gs://`, `s3://`, `azblob://`, `file://`) has no organizations: it accepts only the
literal `organization/` (`diy` store), so an organization set beside one is a mistake, refused in one line rather
than failing later inside `pulumi`.

Stdlib only, so a workflow runs it with the runner's `python3` before any virtualenv exists:

    PULUMI_ORG=acme python3 tools/stack_ref.py payments     # acme/payments
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
"""A stack name as Pulumi allows it (tools/changed_stacks.py's rule), and an organization name (Pulumi Cloud's
organization names are GitHub-style logins: letters, digits, '-', '_' and '.')."""
SELF_MANAGED_SCHEMES = ("gs://", "s3://", "azblob://", "file://")


class StackRefError(ValueError):
    """A value the platform team set that cannot name a stack: one line, exit status 2."""


def stack_ref(stack: str, environ: Mapping[str, str]) -> str:
    """`stack`, or `<PULUMI_ORG>/<stack>` when the repository names a Pulumi Cloud organization."""
    if not NAME_RE.match(stack):
        raise StackRefError(f"stack {stack!r} is not a stack name (letters, digits, '-', '_' or '.')")
    org = environ.get("PULUMI_ORG", "")
    if not org:
        return stack
    if not NAME_RE.match(org):
        raise StackRefError(f"PULUMI_ORG {org!r} is not an organization name (letters, digits, '-', '_' or '.')")
    backend = environ.get("PULUMI_BACKEND_URL", "")
    if backend.startswith(SELF_MANAGED_SCHEMES):
        raise StackRefError(
            f"PULUMI_ORG {org!r} names a Pulumi Cloud organization, but PULUMI_BACKEND_URL {backend!r} is a "
            "self-managed backend, which has none: unset PULUMI_ORG"
        )
    return f"{org}/{stack}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: tools/stack_ref.py STACK (qualified with $PULUMI_ORG when set)", file=sys.stderr)
        return 2
    try:
        print(stack_ref(args[0], os.environ))
    except StackRefError as error:
        print(f"stack_ref: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
