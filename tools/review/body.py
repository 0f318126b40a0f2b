"""What the comment and the drift issues say, in markdown both forges render.

Only checked values appear outside a fence: stack and rule names (their patterns admit no markdown), numbers and
fixed words. A preview's own text appears only in `text.fenced`. The whole comment stays under MAX_BODY, below
GitHub's 65,536-character limit for a comment (GitLab's is larger): tails are shortened, stack by stack, until it fits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from tools.review import parse
from tools.review.record import Record
from tools.review.text import ANSI_ESCAPE, fenced, printable, shorten_lines, tail

COMMENT_MARKER = "<!-- claude-vertex:review -->"
MAX_BODY = 60_000
KIND_TITLES = {"offline": "offline preview (as a new stack, mocks)", "cloud": "`pulumi preview` against the state"}
COLUMNS = ("create", "update", "replace", "delete", "same")


def _summary_cells(summary: dict[str, int] | None) -> list[str]:
    if summary is None:
        return ["?"] * len(COLUMNS)
    return [str(summary.get(op, 0)) for op in COLUMNS]


def _other_steps(summary: dict[str, int] | None) -> str:
    others = {op: n for op, n in (summary or {}).items() if op not in COLUMNS}
    return ", ".join(f"{n} to {op}" for op, n in sorted(others.items()))


def verdict_cell(record: Record) -> str:
    reading = parse.Reading(record.summary, record.policies, list(record.verdicts))
    mandatory, advisory = parse.mandatory(reading), parse.advisory(reading)
    if record.output_missing:
        return "none"
    if record.policies == "passed":
        return "✅ no violations"
    if record.policies == "skipped":
        return "skipped"
    if record.policies == "unknown":
        return "❔ not read (see the output)"
    return f"{'❌' if mandatory else '⚠️'} {mandatory} mandatory, {advisory} advisory"


def status(record: Record) -> str:
    if record.output_missing:
        if record.exit_code == 0:
            return "not previewed (a stack not deployed yet?)" if record.kind == "cloud" else "no output"
        return f"failed before the preview (exit {record.exit_code})"
    return "ok" if record.exit_code == 0 else f"exit {record.exit_code}"


def _verdict_lines(record: Record) -> list[str]:
    lines = []
    for verdict in record.verdicts:
        tag = "exempted " if verdict.exempted else ""
        lines.append(f"  - {tag}{verdict.level} `{verdict.policy}`: {verdict.count}")
    return lines


def section(record: Record, tail_chars: int) -> str:
    lines = [
        f"| `{record.stack}` | {KIND_TITLES[record.kind]} | {status(record)} | "
        + " | ".join(_summary_cells(record.summary))
        + f" | {verdict_cell(record)} |"
    ]
    return "\n".join(lines)


def details(record: Record, tail_chars: int) -> str:
    shown, cut = tail(record.tail, tail_chars, 10_000)
    cut = cut or record.truncated
    others = _other_steps(record.summary)
    parts = [f"<details><summary><code>{record.stack}</code>: {record.kind} preview output</summary>", ""]
    if others:
        parts += [f"Other steps: {others}", ""]
    parts += _verdict_lines(record)
    if record.verdicts:
        parts.append("")
    if cut:
        parts += [f"(the last {len(shown.splitlines())} lines; the job log has all of it)", ""]
    parts += [fenced(shown or "(no output)"), "", "</details>"]
    return "\n".join(parts)


def comment(records: Sequence[Record], head_sha: str | None, rejected: Sequence[str] = ()) -> str:
    """The one comment of a pull request: a table row per stack and kind, then each one's output."""
    ordered = sorted(records, key=lambda r: (r.stack, r.kind != "offline"))
    header = [
        COMMENT_MARKER,
        "### claude-vertex: what this change would do",
        "",
        f"Commit `{head_sha[:12]}`. This comment is updated on every push." if head_sha else "Updated on every push.",
        "",
        "| stack | preview | result | create | update | replace | delete | unchanged | policies |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    rows = [section(r, 0) for r in ordered]
    footer = []
    if not ordered:
        footer.append("No stack was previewed.")
    offline_only = sorted({r.stack for r in ordered} - {r.stack for r in ordered if r.kind == "cloud"})
    if offline_only:
        names = ", ".join(f"`{stack}`" for stack in offline_only)
        footer += ["", f"No preview against the state for {names}: a fork's pull request, or no previewer identity."]
    if rejected:
        footer += ["", "Records refused (not shown):", *(f"- {fenced_inline(r)}" for r in rejected[:20])]
    budget = 12_000
    while True:
        body = "\n".join([*header, *rows, *footer, "", *(details(r, budget) for r in ordered)]) + "\n"
        if len(body) <= MAX_BODY or budget <= 200:
            return body[:MAX_BODY]
        budget //= 2


def fenced_inline(text: str) -> str:
    """A short untrusted line as a code span (backticks replaced: a span cannot be made unbreakable otherwise)."""
    return "`" + printable(text).replace("`", "'").replace("\n", " ")[:200] + "`"


# --- drift issues -----------------------------------------------------------------------------------------------

DRIFT_LABEL = "drift"
VOLATILE = re.compile(
    r"^(?:Duration:|View (?:in Browser|Live)|Previewing update|Refreshing|@ |Permalink:|Policy Packs run:|"
    r"\s+Name\s+Version$|\s+\S+\|local\|)|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}|https?://\S+/updates/\S+"
)


def drift_marker(stack: str) -> str:
    return f"<!-- claude-vertex:drift stack={stack} -->"


def fingerprint(output: str) -> str:
    """What identifies one drift: the output without what changes from run to run (times, links, pack paths)."""
    plain = ANSI_ESCAPE.sub("", output)
    kept = [line.rstrip() for line in plain.splitlines() if line.strip() and not VOLATILE.search(line)]
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()[:16]


def fingerprint_marker(value: str) -> str:
    return f"<!-- claude-vertex:drift-fingerprint {value} -->"


FINGERPRINT = re.compile(r"<!-- claude-vertex:drift-fingerprint ([0-9a-f]{16}) -->")


def drift_title(stack: str) -> str:
    return f"Drift: stack {stack} no longer matches what runs in GCP"


def drift_report(stack: str, exit_code: int, output: str, run_url: str | None) -> str:
    reading = parse.read(output)
    summary = reading.summary or {}
    changes = ", ".join(f"{n} to {op}" for op, n in summary.items() if op != "same") or "no plan printed"
    end = output[-40_000:]
    shown, cut = tail(shorten_lines(printable(end)), 20_000, 300)
    cut = cut or len(end) < len(output)
    lines = [
        f"`pulumi preview --refresh --expect-no-changes` of `{stack}` exited {exit_code}: {changes}.",
        "",
        "Someone changed the project outside the pipeline, or an apply never finished. Re-running the apply of this"
        " stack puts the stack's version back; changing the stack file to match keeps what was changed.",
    ]
    if run_url:
        lines += ["", f"Run: {run_url}"]
    lines += ["", f"(the last {len(shown.splitlines())} lines)" if cut else "", fenced(shown or "(no output)")]
    return "\n".join(lines)
