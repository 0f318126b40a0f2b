"""The review record: one preview of one stack, as `review/<stack>.<kind>.json`.

Written by the preview job (`record`), which a pull request controls; read by the comment job, which holds a
write token. So reading re-checks everything: the file's size, its shape, every name against its pattern and
every number's range, and the tail is re-bounded. A record that fails is reported by file name, never shown.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.review import parse
from tools.review.text import is_rule_name, is_stack_name, printable, shorten_lines, tail

FORMAT = 1
KINDS = ("offline", "cloud")
POLICY_STATES = ("passed", "violations", "skipped", "unknown")
MAX_OUTPUT_READ = 2 * 1024 * 1024
"""Bytes of a preview's output read: its first and last MiB when it is longer (a team stack's `pulumi preview --diff`
is some 30 KiB; the plan's head and its summary, verdicts and errors, at the end, are what is read)."""
MAX_TAIL_CHARS = 12_000
MAX_TAIL_LINES = 200
MAX_RECORD_BYTES = 64 * 1024
MAX_VERDICTS = 100
MAX_COUNT = 1_000_000
MAX_EXIT_CODE = 255
MAX_PULL_REQUEST = 2**31 - 1


class RecordError(ValueError):
    """A record that cannot be trusted to be what it claims: the message names the file and the key."""


@dataclass(frozen=True)
class Record:
    stack: str
    kind: str
    exit_code: int
    summary: dict[str, int] | None
    policies: str
    verdicts: tuple[parse.Verdict, ...]
    tail: str
    truncated: bool
    output_missing: bool = False
    pull_request: int | None = None
    """The pull request the preview ran for, as the preview job claims it: the comment job checks it with the forge."""

    @property
    def file_name(self) -> str:
        return f"{self.stack}.{self.kind}.json"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "stack": self.stack,
            "kind": self.kind,
            "exitCode": self.exit_code,
            "summary": self.summary,
            "policies": self.policies,
            "verdicts": [
                {"policy": v.policy, "level": v.level, "count": v.count, "exempted": v.exempted} for v in self.verdicts
            ],
            "tail": self.tail,
            "truncated": self.truncated,
            "outputMissing": self.output_missing,
            "pullRequest": self.pull_request,
        }


def read_output(path: Path) -> str | None:
    """A preview's output as text (bad bytes replaced), at most MAX_OUTPUT_READ bytes of it; None if there is none."""
    half = MAX_OUTPUT_READ // 2
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size <= MAX_OUTPUT_READ:
                data = stream.read(MAX_OUTPUT_READ)
            else:
                head = stream.read(half)
                stream.seek(size - half)
                data = head + f"\n[... {size - 2 * half} bytes not read ...]\n".encode() + stream.read(half)
    except (FileNotFoundError, IsADirectoryError):
        return None
    return data.decode("utf-8", errors="replace")


def from_output(stack: str, kind: str, exit_code: int, output: str | None, pull_request: int | None = None) -> Record:
    """The record of one preview: what its text says, and the end of the text itself."""
    text = output or ""
    reading = parse.read(text)
    # Only the end is shown: escaping (at most 6 characters for one) and cutting work on that end alone.
    end = text[-MAX_TAIL_CHARS * 2 :]
    shown, truncated = tail(shorten_lines(printable(end)), MAX_TAIL_CHARS, MAX_TAIL_LINES)
    truncated = truncated or len(end) < len(text)
    verdicts = tuple(v for v in reading.verdicts if is_rule_name(v.policy))[:MAX_VERDICTS]
    return Record(
        stack=stack,
        kind=kind,
        exit_code=exit_code,
        summary=reading.summary,
        policies=reading.policies if len(verdicts) == len(reading.verdicts) else "unknown",
        verdicts=verdicts,
        tail=shown,
        truncated=truncated,
        output_missing=output is None,
        pull_request=pull_request,
    )


def write(record: Record, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / record.file_name
    path.write_text(json.dumps(record.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _count(value: Any, where: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        raise RecordError(f"{where}: expected a whole number from 0 to {MAX_COUNT}")
    return value


def _summary(value: Any, where: str) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > 20:
        raise RecordError(f"{where}: expected an object of at most 20 step counts, or null")
    summary = {}
    for op, count in value.items():
        if not (isinstance(op, str) and op.replace("-", "").isalpha() and op.islower() and len(op) <= 32):
            raise RecordError(f"{where}: {printable(str(op))[:40]!r} is not a step name")
        summary[op] = _count(count, f"{where}.{op}")
    return summary


def _verdict(value: Any, where: str) -> parse.Verdict:
    if not isinstance(value, dict) or set(value) != {"policy", "level", "count", "exempted"}:
        raise RecordError(f"{where}: expected policy, level, count and exempted")
    if not is_rule_name(value["policy"]):
        raise RecordError(f"{where}.policy: not a rule name")
    if value["level"] not in ("mandatory", "advisory") or type(value["exempted"]) is not bool:
        raise RecordError(f"{where}: level must be mandatory or advisory, exempted true or false")
    return parse.Verdict(value["policy"], value["level"], _count(value["count"], f"{where}.count"), value["exempted"])


def load(path: Path) -> Record:
    """A record file checked from scratch: anything else raises RecordError naming the file and the key."""
    name = printable(path.name)[:120]
    if path.is_symlink() or not path.is_file():
        raise RecordError(f"{name}: not a regular file")
    if path.stat().st_size > MAX_RECORD_BYTES:
        raise RecordError(f"{name}: larger than {MAX_RECORD_BYTES} bytes")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise RecordError(f"{name}: not JSON") from None
    expected = {
        "format",
        "stack",
        "kind",
        "exitCode",
        "summary",
        "policies",
        "verdicts",
        "tail",
        "truncated",
        "outputMissing",
        "pullRequest",
    }
    if not isinstance(data, dict) or set(data) != expected:
        raise RecordError(f"{name}: expected exactly the keys {', '.join(sorted(expected))}")
    if data["format"] != FORMAT:
        raise RecordError(f"{name}: format must be {FORMAT}")
    if not is_stack_name(data["stack"]) or data["kind"] not in KINDS:
        raise RecordError(f"{name}: stack must be a stack name, kind one of {', '.join(KINDS)}")
    if path.name != f"{data['stack']}.{data['kind']}.json":
        raise RecordError(f"{name}: named for another stack or kind than it records")
    exit_code = data["exitCode"]
    if type(exit_code) is not int or not 0 <= exit_code <= MAX_EXIT_CODE:
        raise RecordError(f"{name}: exitCode must be 0 to {MAX_EXIT_CODE}")
    if data["policies"] not in POLICY_STATES:
        raise RecordError(f"{name}: policies must be one of {', '.join(POLICY_STATES)}")
    verdicts = data["verdicts"]
    if not isinstance(verdicts, list) or len(verdicts) > MAX_VERDICTS:
        raise RecordError(f"{name}: verdicts must be a list of at most {MAX_VERDICTS}")
    if not isinstance(data["tail"], str) or len(data["tail"]) > MAX_TAIL_CHARS * 2:
        raise RecordError(f"{name}: tail must be text of at most {MAX_TAIL_CHARS * 2} characters")
    if type(data["truncated"]) is not bool or type(data["outputMissing"]) is not bool:
        raise RecordError(f"{name}: truncated and outputMissing must be true or false")
    pull_request = data["pullRequest"]
    if pull_request is not None and (type(pull_request) is not int or not 1 <= pull_request <= MAX_PULL_REQUEST):
        raise RecordError(f"{name}: pullRequest must be a pull request number or null")
    shown, cut = tail(shorten_lines(printable(data["tail"])), MAX_TAIL_CHARS, MAX_TAIL_LINES)
    return Record(
        stack=data["stack"],
        kind=data["kind"],
        exit_code=exit_code,
        summary=_summary(data["summary"], f"{name}: summary"),
        policies=data["policies"],
        verdicts=tuple(_verdict(v, f"{name}: verdicts[{i}]") for i, v in enumerate(verdicts)),
        tail=shown,
        truncated=data["truncated"] or cut,
        output_missing=data["outputMissing"],
        pull_request=pull_request,
    )
