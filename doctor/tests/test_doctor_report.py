"""What a developer reads: two lines per check, a closing verdict, and never a secret, however it got there."""

from __future__ import annotations

from claude_vertex_doctor.report import REDACTED, Report
from doctor_support import stack_env

SECRET = "ya29.a0-a-token-that-leaked-into-an-error-message"


def test_a_secret_in_any_message_is_scrubbed_in_text_and_json():
    report = Report()
    report.keep_secret(SECRET, "short")
    report.add("credentials", "fail", f"the server said: bad token {SECRET}", f"never paste {SECRET}")
    for text in (report.render_text(), report.render_json()):
        assert SECRET not in text
        assert REDACTED in text
    assert report.as_dict()["ok"] is False


def test_text_output_is_status_id_message_then_fix_and_a_verdict():
    report = Report()
    report.add("environment.region", "ok", "CLOUD_ML_REGION=global")
    report.add("permission", "warn", "something odd", "do this")
    lines = report.render_text().splitlines()
    assert lines[0].split() == ["OK", "environment.region", "CLOUD_ML_REGION=global"]
    assert lines[1].startswith("WARN") and lines[2].strip() == "fix: do this"
    assert lines[-1] == "Claude Code on Vertex AI should work. 0 failed, 1 warning, 2 checks."


def test_unreachable_vertex_is_a_failure_naming_the_host(doctor, fake):
    run = doctor(stack_env(), shell={"ANTHROPIC_VERTEX_BASE_URL": "http://127.0.0.1:9/v1"})
    check = run.check("model:claude-opus-5-5")
    assert check["status"] == "fail"
    assert check["message"].startswith("cannot reach 127.0.0.1:9 (connection refused) for claude-opus-5-5 at global")
    assert run.check("permission")["status"] == "ok"  # Resource Manager is still the fake one


def test_a_variable_with_a_newline_cannot_forge_a_line_of_its_own(doctor, fake):
    # The dotenv format's double quotes turn \n into a newline: the model ID then holds one.
    forged = '"claude-sonnet-5-5\\nOK    model:forged  all good"'
    run = doctor(stack_env(ANTHROPIC_DEFAULT_OPUS_MODEL=forged), "--timeout", "2")
    for check in run.doc["checks"]:
        assert not any("\n" in check[k] for k in ("id", "message", "fix")), check
    assert run.check("alias:opus")["message"].startswith("--model opus runs claude-sonnet-5-5?OK    model:forged")
    assert "model:claude-sonnet-5-5?OK    model:forged  all good" in run.statuses()


def test_a_huge_message_is_cut_to_one_bounded_line():
    report = Report()
    report.add("environment.x", "warn", "x" * 100_000, "y" * 100_000)
    lines = report.render_text().splitlines()
    assert len(lines) == 3 and all(len(line) < 2100 for line in lines)
