"""What the doctor reads: the stack's dotenv output, a Claude Code settings file, a token file; and how it
refuses input it cannot read (exit 2, one line, the file and the place, never the value)."""

from __future__ import annotations

import json

import pytest
from claude_vertex_doctor.cli import main
from claude_vertex_doctor.inputs import parse_dotenv, parse_settings
from doctor_support import dotenv_text, stack_env


def test_dotenv_as_the_stack_writes_it_reads_back_to_the_same_variables():
    env = stack_env(DISABLE_PROMPT_CACHING="1", ODD='a "quoted" $value with \\ and spaces')
    environment = pytest.importorskip("claude_vertex.render.environment")
    text = environment.to_dotenv(env, "payments")
    assert parse_dotenv(text) == env
    # The other tests write their dotenv files with dotenv_text; it must read back as the real rendering does.
    plain = stack_env()
    assert parse_dotenv(dotenv_text(plain)) == parse_dotenv(environment.to_dotenv(plain, "payments")) == plain


def test_dotenv_accepts_export_lines_single_quotes_and_comments():
    text = "# c\nexport CLOUD_ML_REGION='us-east5'\nANTHROPIC_MODEL=claude-opus-5-5 # pinned\n\n"
    assert parse_dotenv(text) == {"CLOUD_ML_REGION": "us-east5", "ANTHROPIC_MODEL": "claude-opus-5-5"}


def test_settings_env_is_read_and_other_keys_ignored():
    text = json.dumps({"env": {"CLOUD_ML_REGION": "eu"}, "permissions": {"allow": []}})
    assert parse_settings(text) == {"CLOUD_ML_REGION": "eu"}


def test_settings_override_the_env_file(doctor, fake, tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"env": {"ANTHROPIC_MODEL": "claude-opus-4-8"}}), encoding="utf-8")
    run = doctor(stack_env(), "--settings", str(settings))
    assert "model:claude-opus-4-8" in run.statuses()
    assert "ANTHROPIC_MODEL" not in run.check("model:claude-opus-5-5")["message"]


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        ({}, ["--env-file", "{d}/missing.env"], "--env-file {d}/missing.env: no such file"),
        ({".env": "CLOUD_ML_REGION=global\nthis line is secret-ish\n"}, ["--env-file", "{d}/.env"], "line 2"),
        ({"s.json": "{not json"}, ["--settings", "{d}/s.json"], "--settings {d}/s.json: not JSON"),
        ({"s.json": '{"env": {"CLOUD_ML_REGION": 5}}'}, ["--settings", "{d}/s.json"], "env.CLOUD_ML_REGION must be"),
        ({"t": "\n"}, ["--access-token-file", "{d}/t"], "expected one access token"),
        ({}, ["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, files, args, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    argv = [a.format(d=tmp_path) for a in args]
    code = main(argv, {"HOME": str(tmp_path)})
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("claude-vertex-doctor: error: ")
    assert expected.format(d=tmp_path) in lines[0]
    assert "secret-ish" not in captured.err
