"""The apply child pipeline for GitLab: one job per stack a push changed, each extending the `.apply` template.

GitLab creates a pipeline's jobs before any of them runs, so jobs that depend on what a push changed must live
in a child pipeline written once the change is known. The `changed-stacks` job writes it with this module from
tools/changed_stacks.py's list, and the `apply` trigger job runs it (`trigger: include: artifact`,
`strategy: depend`). What an apply job is (its identity, resource group, timeout, retry, policy pack, rules) is
declared once, in the reviewed template file `.gitlab/ci/templates.yml`; this only adds, per stack, a job that
extends `.apply` with its STACK. No stack still gives a valid pipeline, with one job that says so: GitLab
refuses a child pipeline that has no job.

A stack name comes from a file name, and a file name from a commit: every name must be one changed_stacks.py
itself would print (its STACK_NAME_RE), once, or nothing is written.

Stdlib only (the job runs before any virtualenv exists), so the pipeline is written as JSON, which is YAML:

    python3 tools/changed_stacks.py --format lines --base A --head B > stacks.txt
    python3 -m tools.gitlab_apply stacks.txt > apply-pipeline.yml

Exit 0 with the pipeline on stdout; 2 with one line on stderr when the list holds anything but stack names.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tools.changed_stacks import STACK_NAME_RE

TEMPLATE_FILE = ".gitlab/ci/templates.yml"
"""The reviewed file holding `.apply`, included by the child pipeline (resolved at the pipeline's commit)."""
TEMPLATE_JOB = ".apply"
STAGE = "apply"
"""The stage `.apply` runs in; the child pipeline declares it, since it is not one of GitLab's default stages."""
NOTHING_TO_APPLY = "nothing to apply"
HEADER = "# Written by tools/gitlab_apply.py in the changed-stacks job: one apply job per stack this push changed.\n"


class StackListError(Exception):
    """The list is not what changed_stacks.py prints: one valid stack name per line, each once."""


def job_name(stack: str) -> str:
    return f"apply:{stack}"


def read_stacks(text: str) -> list[str]:
    """Stack names, one per line, as `changed_stacks.py --format lines` prints them."""
    stacks: list[str] = []
    for number, name in enumerate(text.splitlines(), start=1):
        if not STACK_NAME_RE.match(name):
            raise StackListError(
                f"line {number}: {name[:120]!r} is not a stack name "
                "(letters, digits, '-', '_' or '.', starting with a letter or digit)"
            )
        if name in stacks:
            raise StackListError(f"line {number}: stack {name!r} is listed twice")
        stacks.append(name)
    return stacks


def child_pipeline(stacks: Sequence[str]) -> dict[str, Any]:
    """The child pipeline's configuration: the template file, and one job per stack that extends `.apply`."""
    pipeline: dict[str, Any] = {"include": [{"local": TEMPLATE_FILE}], "stages": [STAGE]}
    if not stacks:
        pipeline[NOTHING_TO_APPLY] = {
            "stage": STAGE,
            "variables": {"GIT_STRATEGY": "none"},
            "script": ['echo "No stack file changed in this push: nothing to apply."'],
        }
    for stack in stacks:
        pipeline[job_name(stack)] = {"extends": TEMPLATE_JOB, "variables": {"STACK": stack}}
    return pipeline


def render(stacks: Sequence[str]) -> str:
    return HEADER + json.dumps(child_pipeline(stacks), indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m tools.gitlab_apply",
        description="Write the GitLab child pipeline that applies the listed stacks, one job each.",
    )
    parser.add_argument("stacks", type=Path, nargs="?", help="stack list, one per line (default: stdin)")
    args = parser.parse_args(argv)
    try:
        text = args.stacks.read_text(encoding="utf-8") if args.stacks else sys.stdin.read()
        pipeline = render(read_stacks(text))
    except (OSError, UnicodeDecodeError, StackListError) as error:
        print(f"gitlab_apply: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(pipeline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
