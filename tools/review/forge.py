"""What the commands need of a forge, and the two things they do with it: one comment, one issue per stack.

The adapters (`github`, `gitlab`) speak each REST API; the decisions (update rather than duplicate, comment on
a new drift only, close when clean) are made here, once, for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tools.review import body


@dataclass(frozen=True)
class Note:
    """A comment (GitHub) or note (GitLab) this tool wrote: only those are ever edited or read for markers."""

    id: int
    body: str


@dataclass(frozen=True)
class Issue:
    number: int
    body: str


class Forge(Protocol):
    def review_notes(self) -> list[Note]: ...
    def create_review_note(self, text: str) -> None: ...
    def update_review_note(self, note: Note, text: str) -> None: ...
    def open_drift_issue(self, marker: str) -> Issue | None: ...
    def create_issue(self, title: str, text: str, label: str) -> Issue: ...
    def issue_notes(self, issue: Issue) -> list[Note]: ...
    def comment_issue(self, issue: Issue, text: str) -> None: ...
    def close_issue(self, issue: Issue) -> None: ...


def publish_comment(forge: Forge, text: str) -> str:
    """Edit this tool's comment if the request has one (the first, should there be several), else add it."""
    ours = [note for note in forge.review_notes() if note.body.startswith(body.COMMENT_MARKER)]
    if ours:
        if ours[0].body != text:
            forge.update_review_note(ours[0], text)
            return "updated"
        return "unchanged"
    forge.create_review_note(text)
    return "created"


def report_drift(forge: Forge, stack: str, exit_code: int, output: str, run_url: str | None) -> str:
    """One open issue per drifted stack: opened, commented on when the drift changes, closed once clean."""
    marker = body.drift_marker(stack)
    issue = forge.open_drift_issue(marker)
    if exit_code == 0:
        if issue is None:
            return "clean"
        clean = f"`{stack}` matches its stack again (`pulumi preview --refresh --expect-no-changes` exited 0)."
        forge.comment_issue(issue, clean + (f"\n\nRun: {run_url}" if run_url else ""))
        forge.close_issue(issue)
        return "closed"
    current = body.fingerprint(output)
    report = body.drift_report(stack, exit_code, output, run_url) + "\n\n" + body.fingerprint_marker(current)
    if issue is None:
        forge.create_issue(body.drift_title(stack), marker + "\n" + report, body.DRIFT_LABEL)
        return "opened"
    seen = [issue.body, *(note.body for note in forge.issue_notes(issue))]
    latest = next((m.group(1) for text in reversed(seen) for m in [body.FINGERPRINT.search(text)] if m), None)
    if latest == current:
        return "unchanged"
    forge.comment_issue(issue, "The drift changed.\n\n" + report)
    return "commented"
