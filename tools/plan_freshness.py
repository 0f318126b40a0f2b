"""Whether a plan saved for one tree still describes another: what the apply checks before `pulumi up --plan`.

A reviewed preview saved a stack's plan at commit P (the merge request's, or pull request's, head or merge
preview); the default branch now holds commit A, which may be a merge commit, a squash, a fast-forward, or a
branch that moved on after the review. The engine itself refuses an update that leaves its plan ("resource ...
violates plan"), but a plan says nothing about the pipeline, the policy pack or the requirements that judged it:
the reviewer saw the preview of P's tree, so the apply runs only where A's tree is P's tree for that stack.

"For that stack" uses the rules tools/changed_stacks.py uses to choose what to preview, so the two never
disagree: another team's `Pulumi.<team>.yaml` and documentation (`*.md`, `docs/**`) leave the plan valid; the
stack's own file, `Pulumi.yaml`, the program, the policy pack, requirements or the pipelines do not.

Forge-neutral and stdlib only (tools/gitlab_plans.py uses it on GitLab; GitHub's apply can use it too):
`stale_paths` is pure; `tree_changes` asks git, fetching the previewed commit when the clone lacks it (a squashed
or merged-results preview is not in the default branch's history).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from tools.changed_stacks import Change, UsageError, is_docs, stack_name

COMMIT_RE = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
"""A full commit ID (SHA-1 or SHA-256 repositories): nothing a ref name or an option could hide behind."""
GIT_TIMEOUT_SECONDS = 120


class TreeUnknown(Exception):
    """The two trees cannot be compared (a commit missing even after a fetch, git failing): one line."""


def invalidates(stack: str, change: Change) -> bool:
    """Whether one changed path could change `stack`'s plan (changed_stacks.py's rules, for this stack only)."""
    try:
        owner = stack_name(change.path)
    except UsageError:  # a stack-file name changed_stacks refuses: not provably another team's, so it counts
        return True
    if owner is not None:
        return owner == stack
    return not is_docs(change.path)


def stale_paths(stack: str, changes: Iterable[Change]) -> list[str]:
    """The paths, among those that differ between the previewed and the applied tree, that make `stack`'s saved
    plan stale; empty when the applied tree is the previewed tree for this stack."""
    return sorted({change.path for change in changes if invalidates(stack, change)})


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise TreeUnknown(f"git {args[0]} did not run: {error}") from None


def _has_commit(root: Path, commit: str) -> bool:
    return _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def ensure_commit(root: Path, commit: str, remote: str = "origin") -> None:
    """`commit` in the clone, fetched from `remote` when missing; TreeUnknown when it cannot be had."""
    if not COMMIT_RE.match(commit):
        raise TreeUnknown(f"{commit[:80]!r} is not a full commit ID")
    if _has_commit(root, commit):
        return
    fetched = _git(root, "fetch", "--quiet", "--no-tags", remote, commit)
    if fetched.returncode != 0 or not _has_commit(root, commit):
        detail = (fetched.stderr.strip().splitlines() or ["not found"])[-1][:200]
        raise TreeUnknown(f"commit {commit} is not in this clone and could not be fetched from {remote}: {detail}")


def tree_changes(root: Path, previewed: str, applied: str) -> list[Change]:
    """Every path whose content differs between the two commits' trees (two dots: tree against tree, not what
    either branch added since a merge base). Renames are a deletion and an addition, as in changed_stacks.py."""
    for commit in (previewed, applied):
        ensure_commit(root, commit)
    diff = _git(root, "diff", "--name-status", "--no-renames", "-z", previewed, applied)
    if diff.returncode != 0:
        detail = (diff.stderr.strip().splitlines() or [str(diff.returncode)])[-1][:200]
        raise TreeUnknown(f"git diff {previewed[:12]} {applied[:12]} failed: {detail}")
    fields = diff.stdout.split("\0")
    return [Change(path=fields[i + 1], status=fields[i][:1]) for i in range(0, len(fields) - 1, 2)]
