"""`tools.review record` and the parsers: the plan and the verdicts of both previews, and hostile output bounded."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools.review import body, parse, record
from tools.review.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
"""Captured outputs: `offline-*` from `python -m tools.preview --stack dev` (with policy configs that make the pack
refuse), `engine-*` from the real CLI (`make engine`) running `pulumi preview --non-interactive --diff --policy-pack`
on the dev stack against the stand-in provider: a new stack under a strict policy config, an update after a member
changed, and `--refresh --expect-no-changes` clean and drifted."""


def reading(name: str) -> parse.Reading:
    return parse.read((FIXTURES / name).read_text())


def verdicts(found: parse.Reading) -> list[tuple[str, str, int]]:
    return [(v.level, v.policy, v.count) for v in found.verdicts]


def test_the_offline_preview_plan_and_a_clean_pack() -> None:
    found = reading("offline-clean.txt")
    assert found.summary == {"create": 16}
    assert (found.policies, found.verdicts) == ("passed", [])


def test_the_offline_preview_verdicts_by_rule_and_level() -> None:
    found = reading("offline-mandatory.txt")
    assert verdicts(found) == [("mandatory", "allowed-resource-types", 17), ("advisory", "allowed-services-only", 3)]
    assert (found.policies, parse.mandatory(found), parse.advisory(found)) == ("violations", 17, 3)
    assert verdicts(reading("offline-advisory.txt")) == [("advisory", "allowed-resource-types", 17)]


def test_the_engine_plan_summary_of_a_new_stack_an_update_and_a_clean_refresh() -> None:
    assert reading("engine-violations.txt").summary == {"create": 22}
    assert reading("engine-update.txt").summary == {"create": 2, "delete": 2, "same": 20}
    assert reading("engine-clean.txt").summary == {"same": 22}
    assert reading("engine-clean.txt").policies == "passed"


def test_the_engine_verdicts_with_their_levels() -> None:
    found = reading("engine-violations.txt")
    assert verdicts(found) == [("mandatory", "required-guardrails", 2), ("advisory", "allowed-services-only", 3)]
    assert found.policies == "violations"


def test_every_step_kind_the_engine_prints_and_the_progress_view() -> None:
    text = (
        "Policies:\n    ❌ claude-vertex@v0.1.0 (local: policies)\n"
        "        - [mandatory] [severity: high]  team-projects-allowed  (gcp:organizations:Project: p)\n"
        "          The project is another team's.\n"
        "        · [exempted: ex-1] [advisory]  project-hardening  (gcp:organizations:Project: p)\n\n"
        "Resources:\n    ~ 1 to update\n    +-2 to replace\n    - 3 to delete\n    = 1 to import\n"
        "    7 changes. 9 unchanged\n"
    )
    found = parse.read(text)
    assert found.summary == {"update": 1, "replace": 2, "delete": 3, "import": 1, "same": 9}
    assert verdicts(found) == [("mandatory", "team-projects-allowed", 1), ("advisory", "project-hardening", 1)]
    assert [v.exempted for v in found.verdicts] == [False, True]
    assert (parse.mandatory(found), parse.advisory(found)) == (1, 0)


def test_a_preview_that_stopped_early_reads_as_unknown_never_as_clean() -> None:
    found = parse.read("error: could not load plugin gcp\n")
    assert (found.summary, found.policies) == (None, "unknown")
    lying = (FIXTURES / "offline-mandatory.txt").read_text().replace("20 violation(s)", "21 violation(s)")
    assert parse.read(lying).policies == "unknown"


def run_record(tmp_path: Path, output: Path, *extra: str) -> dict:
    code = main(
        [
            "record",
            "--stack",
            "dev",
            "--kind",
            "cloud",
            "--exit-code",
            "1",
            "--output",
            str(output),
            "--dir",
            str(tmp_path / "review"),
            *extra,
        ]
    )
    assert code == 0
    return json.loads((tmp_path / "review" / "dev.cloud.json").read_text())


def test_record_writes_the_contract_file(tmp_path: Path) -> None:
    written = run_record(tmp_path, FIXTURES / "engine-violations.txt", "--pr", "12")
    assert written["stack"] == "dev" and written["kind"] == "cloud" and written["exitCode"] == 1
    assert written["summary"] == {"create": 22} and written["policies"] == "violations"
    assert written["pullRequest"] == 12
    assert written["tail"].endswith("error: preview failed")
    assert record.load(tmp_path / "review" / "dev.cloud.json").verdicts[0].policy == "required-guardrails"


def test_record_of_a_job_that_failed_before_its_preview(tmp_path: Path) -> None:
    written = run_record(tmp_path, tmp_path / "absent.txt")
    assert (written["outputMissing"], written["summary"], written["tail"]) == (True, None, "")
    new_stack = record.from_output("payments", "cloud", 0, None)
    shown = "| not previewed (a stack not deployed yet?) | ? | ? | ? | ? | ? | none |"
    assert "| `payments` | `pulumi preview` against the state " + shown in body.comment([new_stack], None)


def test_hostile_output_is_bounded_and_printable(tmp_path: Path) -> None:
    output = tmp_path / "preview.txt"
    hostile = "\x1b[31mred\x1b[0m \u202eevil\u202c \x00\x07 zero\u200bwidth\n" + ("x" * 100_000 + "\n") * 200
    output.write_bytes(hostile.encode() + b"\xff\xfe not utf-8\n" + b"A" * (record.MAX_OUTPUT_READ + 10))
    written = run_record(tmp_path, output)
    assert len(written["tail"]) <= record.MAX_TAIL_CHARS and written["truncated"] is True
    assert (tmp_path / "review" / "dev.cloud.json").stat().st_size < record.MAX_RECORD_BYTES
    short = tmp_path / "short.txt"
    short.write_text(hostile.splitlines()[0])
    tail = run_record(tmp_path, short)["tail"]
    assert tail == "red \\u202eevil\\u202c \\u0000\\u0007 zero\\u200bwidth"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "../etc", "--kind", "cloud", "--exit-code", "0"], "is not a stack name"),
        (["--stack", "dev", "--kind", "apply", "--exit-code", "0"], "invalid choice"),
        (["--stack", "dev", "--kind", "cloud", "--exit-code", "-1"], "expected 0 to 255"),
    ],
)
def test_record_refuses_what_the_contract_does_not_allow(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["record", *argv, "--output", str(tmp_path / "x"), "--dir", str(tmp_path)])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_module_runs_with_the_bare_interpreter_from_the_repository_root(tmp_path: Path) -> None:
    """The comment and drift jobs run `python3 -m tools.review` with nothing installed: stdlib only."""
    result = subprocess.run(
        [
            sys.executable,
            "-E",
            "-S",
            "-m",
            "tools.review",
            "record",
            "--stack",
            "dev",
            "--kind",
            "offline",
            "--exit-code",
            "0",
            "--output",
            str(FIXTURES / "offline-clean.txt"),
            "--dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{tmp_path}/dev.offline.json: ok, policies passed"


HOSTILE_SHAPES = {
    "blank lines": "\n" * 8_000_000,
    "indentation": "    x\n" * 1_300_000,
    "a Resources block without end": "Resources:\n" + "    + 1 to create\n" * 400_000,
    "verdict lines": "    pack@v1 [mandatory]  rule\n" * 300_000,
    "an unterminated exemption": "    pack@v1 [exempted" + "x" * 8_000_000,
    "backticks": "`" * 8_000_000,
    "an unterminated escape": "\x1b]" + "x" * 8_000_000,
}


@pytest.mark.parametrize("shape", HOSTILE_SHAPES)
def test_output_shaped_to_slow_the_parsers_is_read_bounded_and_in_linear_time(shape: str, tmp_path: Path) -> None:
    """`record` and `drift` read 2 MiB of any output, and no shape of it makes a regular expression backtrack."""
    path = tmp_path / "preview.txt"
    path.write_text(HOSTILE_SHAPES[shape])
    started = time.monotonic()
    text = record.read_output(path)
    assert text is not None and len(text.encode()) <= record.MAX_OUTPUT_READ + 100
    made = record.from_output("dev", "cloud", 1, text)
    body.drift_report("dev", 1, text, None)
    body.fingerprint(text)
    assert time.monotonic() - started < 5
    assert len(made.tail) <= record.MAX_TAIL_CHARS


def test_a_long_output_keeps_its_head_and_its_summary(tmp_path: Path) -> None:
    engine = (FIXTURES / "engine-violations.txt").read_text()
    head, rest = engine.split("\n", 1)
    path = tmp_path / "long.txt"
    path.write_text(head + "\n" + "    filler\n" * 400_000 + rest)
    found = parse.read(record.read_output(path) or "")
    assert found.summary == {"create": 22}
    assert found.policies == "violations" and parse.mandatory(found) == 2
