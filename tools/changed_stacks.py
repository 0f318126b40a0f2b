"""Which stacks a change touches: the matrix the GitOps pipelines preview and apply.

The rules, and why:

* `Pulumi.<stack>.yaml` at the repository root is one team's record, so changing it re-runs that stack only.
* `Pulumi.yaml` is the project file, shared by every stack: changing it re-runs all of them.
* Pure documentation (`*.md` anywhere, anything under `docs/`) cannot change infrastructure: it runs nothing.
* Anything else (the program, the policy pack, requirements, the pipelines themselves) may change every
  stack's plan, so it re-runs all of them. Erring towards "all" costs a few previews; erring the other way
  ships an untested change.
* A deleted stack file is not "changed": offboarding a team is a deliberate `pulumi destroy`, never a side
  effect of a merge, and there is no stack file left to preview or apply.

Stdlib only, so a pipeline can run it with any `python3` before any virtualenv exists:

    python3 tools/changed_stacks.py --base <sha> --head <sha>     # git diff base...head
    python3 tools/changed_stacks.py --all                           # every stack file present
    git diff --name-only main | python3 tools/changed_stacks.py     # paths on stdin (or as arguments)

It prints a JSON list (`["dev","payments"]`, ready for GitHub's `fromJSON` matrix) or, with
`--format lines`, one stack per line for GitLab's shell loops. Exit 0 with `[]` when nothing needs a run,
2 on a usage or git error (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PROJECT_FILE = "Pulumi.yaml"
STACK_FILE_RE = re.compile(r"^Pulumi\.(?P<stack>.+)\.yaml$")
# Pulumi allows letters, digits, '-', '_' and '.' in a stack name. Anything else in a stack-file name is
# refused rather than echoed into a CI matrix: file names in a pull request are attacker-controlled input.
STACK_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
NULL_SHA_RE = re.compile(r"^0+$")


class UsageError(Exception):
    """A problem the caller must fix (bad stack-file name, unknown git ref); exit status 2."""


@dataclass(frozen=True)
class Change:
    """One changed path as git reports it: `status` is git's letter (A, M, D, T, ...)."""

    path: str
    status: str = "M"

    @property
    def deleted(self) -> bool:
        return self.status == "D"


def stack_name(path: str) -> str | None:
    """The stack a root-level `Pulumi.<stack>.yaml` belongs to; None for every other path."""
    if "/" in path or path == PROJECT_FILE:
        return None
    match = STACK_FILE_RE.match(path)
    if match is None:
        return None
    name = match.group("stack")
    if not STACK_NAME_RE.match(name):
        raise UsageError(
            f"{path!r} looks like a stack file but {name!r} is not a valid stack name "
            "(letters, digits, '-', '_' or '.', starting with a letter or digit)"
        )
    return name


def is_docs(path: str) -> bool:
    """Documentation only: it cannot change what any stack deploys."""
    return path.endswith(".md") or PurePosixPath(path).parts[:1] == ("docs",)


def select_stacks(changes: Iterable[Change], all_stacks: Iterable[str]) -> list[str]:
    """Apply the rules above: sorted, de-duplicated stack names to preview or apply."""
    everything = sorted(set(all_stacks))
    selected: set[str] = set()
    for change in changes:
        name = stack_name(change.path)
        if name is not None:
            if not change.deleted:
                selected.add(name)
        elif not is_docs(change.path):
            return everything
    return sorted(selected)


def stacks_in(names: Iterable[str]) -> list[str]:
    """Stack names among a directory listing (file names at the repository root)."""
    found = (stack_name(name) for name in names)
    return sorted({name for name in found if name is not None})


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise UsageError(f"git {' '.join(args)} failed: {detail[-1] if detail else result.returncode}")
    return result.stdout


def _resolves(root: Path, ref: str) -> bool:
    probe = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def git_stacks(root: Path, head: str) -> list[str]:
    """Every stack file in the head commit's root tree (not the working tree, which may differ)."""
    return stacks_in(_git(root, "ls-tree", "--name-only", "-z", head).split("\0"))


def git_changes(root: Path, base: str, head: str) -> list[Change] | None:
    """Changes from the merge base of `base` and `head` to `head`; None when `base` cannot be used.

    Three dots, because a pull request's base branch may have moved on: what the branch changes is what
    counts. Renames are split into a deletion and an addition, so renaming a stack file runs the new
    name and leaves the old one to a deliberate destroy.
    """
    if NULL_SHA_RE.match(base) or not _resolves(root, base):
        return None
    out = _git(root, "diff", "--name-status", "--no-renames", "-z", f"{base}...{head}")
    fields = out.split("\0")
    return [Change(path=fields[i + 1], status=fields[i][:1]) for i in range(0, len(fields) - 1, 2)]


def path_changes(paths: Iterable[str], root: Path) -> list[Change]:
    """A plain path list has no status letters: a stack file that no longer exists was deleted."""
    changes = []
    for raw in paths:
        path = raw.strip().removeprefix("./")
        if path:
            gone = stack_name(path) is not None and not (root / path).exists()
            changes.append(Change(path=path, status="D" if gone else "M"))
    return changes


def format_stacks(stacks: Sequence[str], fmt: str) -> str:
    if fmt == "lines":
        return "".join(f"{name}\n" for name in stacks)
    return json.dumps(list(stacks), separators=(",", ":")) + "\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="changed_stacks.py",
        description="List the Pulumi stacks a change touches, for a CI matrix.",
    )
    parser.add_argument("paths", nargs="*", help="changed paths (read from stdin when none and no --base/--all)")
    parser.add_argument("--base", help="git ref the change starts from (the merge base with --head is used)")
    parser.add_argument("--head", default="HEAD", help="git ref the change ends at (default: HEAD)")
    parser.add_argument(
        "--all", action="store_true", help="every stack file at --head (or in --root when it is not a git checkout)"
    )
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    parser.add_argument("--format", choices=("json", "lines"), default="json", help="output format")
    return parser


def compute(args: argparse.Namespace, stdin: Iterable[str]) -> list[str]:
    """The stack list for parsed arguments; raises UsageError for anything the caller must fix."""
    if args.all and (args.base or args.paths):
        raise UsageError("--all takes neither --base nor paths")
    if args.base and args.paths:
        raise UsageError("give either --base/--head or paths, not both")
    root: Path = args.root
    if args.all:
        if _resolves(root, args.head):
            return git_stacks(root, args.head)
        return stacks_in(p.name for p in root.iterdir())
    if args.base:
        all_stacks = git_stacks(root, args.head)
        changes = git_changes(root, args.base, args.head)
        if changes is None:
            print(
                f"changed_stacks: base {args.base!r} is not a known commit (new branch or rewritten history); "
                "selecting every stack",
                file=sys.stderr,
            )
            return all_stacks
        return select_stacks(changes, all_stacks)
    paths = args.paths or list(stdin)
    return select_stacks(path_changes(paths, root), stacks_in(p.name for p in root.iterdir()))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        stacks = compute(args, sys.stdin)
    except UsageError as error:
        print(f"changed_stacks: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(format_stacks(stacks, args.format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
