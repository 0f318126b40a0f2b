"""The doctor as a developer runs it, in its own process, from only the dotenv file the stack handed out."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from doctor_support import DEVELOPER, PROJECT, TOKEN, base_environ, dotenv_text, run_installed, stack_env

pytestmark = pytest.mark.slow


def _files(tmp_path: Path) -> tuple[Path, Path]:
    env_file = tmp_path / ".env"
    env_file.write_text(dotenv_text(stack_env()), encoding="utf-8")
    token = tmp_path / "token"
    token.write_text(TOKEN, encoding="utf-8")
    return env_file, token


def test_python_m_prints_a_verdict_per_pinned_model(fake, tmp_path):
    env_file, token = _files(tmp_path)
    run = run_installed(["--env-file", str(env_file), "--access-token-file", str(token)], base_environ(fake, tmp_path))
    assert run.code == 0, run.out + run.err
    lines = run.out.splitlines()
    for model in ("claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-4-5@20251001", "claude-fable-5-2"):
        assert any(line.startswith("OK") and f"model:{model}" in line for line in lines), run.out
    assert lines[-1].startswith("Claude Code on Vertex AI should work.")
    assert TOKEN not in run.out + run.err
    assert run.err == ""


def test_console_script_with_settings_json_fails_with_exit_1_and_a_fix(fake, tmp_path):
    script = shutil.which("claude-vertex-doctor", path=str(Path(sys.executable).parent))
    assert script, "the console script is not installed next to this Python"
    fake.scenario.grants[(DEVELOPER, PROJECT)] = set()
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"env": stack_env()}), encoding="utf-8")
    _, token = _files(tmp_path)
    import subprocess

    proc = subprocess.run(
        [script, "--settings", str(settings), "--access-token-file", str(token), "--json"],
        env=base_environ(fake, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False
    assert set(doc) == {"ok", "checks"}
    assert all(set(c) == {"id", "status", "message", "fix"} for c in doc["checks"])
    permission = next(c for c in doc["checks"] if c["id"] == "permission")
    assert permission["status"] == "fail" and permission["fix"]
    assert TOKEN not in proc.stdout + proc.stderr


def test_bad_input_is_one_line_and_exit_2(fake, tmp_path):
    run = run_installed(["--env-file", str(tmp_path / "nope.env")], base_environ(fake, tmp_path))
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert "nope.env: no such file" in run.err


def test_a_team_that_caps_opus_at_0_gets_a_warning_naming_the_cap_and_exit_0(fake, tmp_path):
    # The README's own example: opus capped at 0, so the stack pins --model opus to the primary model.
    fake.scenario.quota[("claude-opus-5-5", "global")] = "zero"
    fake.scenario.quota_base_model[("claude-opus-5-5", "global")] = "anthropic-claude-opus"
    primary = "claude-sonnet-5-5"
    env = stack_env(
        ANTHROPIC_MODEL=primary, ANTHROPIC_DEFAULT_OPUS_MODEL=primary, CLAUDE_VERTEX_ZERO_CAPS="opus:requestsPerMinute"
    )
    env_file, token = _files(tmp_path)
    env_file.write_text(dotenv_text(env), encoding="utf-8")
    run = run_installed(["--env-file", str(env_file), "--access-token-file", str(token)], base_environ(fake, tmp_path))
    assert run.code == 0, run.out + run.err
    lines = run.out.splitlines()
    warning = next(i for i, line in enumerate(lines) if line.startswith("WARN"))
    assert lines[warning].split(None, 2)[1:] == [
        "alias:opus",
        "opus: your team's guardrails cap it at 0 (guardrails.quotas.opus.requestsPerMinute = 0); --model opus runs "
        "claude-sonnet-5-5 (the team's primary model)",
    ]
    assert lines[warning + 1].strip().startswith("fix: nothing to fix on your side: your team chose it")
    assert lines[-1] == "Claude Code on Vertex AI should work. 0 failed, 1 warning, 11 checks."
    assert not any("claude-opus" in r.path for r in fake.requests)
