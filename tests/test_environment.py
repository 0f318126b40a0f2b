"""The developer environment renderings, on plain values."""

from __future__ import annotations

import json
import os
import shlex
import subprocess

from components.config import VertexConfig
from components.environment import (
    PRECEDENCE_NOTE,
    claude_env,
    gcloud_auth_commands,
    render_all,
    settings_json,
    to_claude_settings,
    to_dotenv,
    to_shell_exports,
)

MINIMAL = VertexConfig(
    region="global", region_overrides={}, primary_model=None, small_fast_model=None, disable_prompt_caching=False
)
FULL = VertexConfig(
    region="us-east5",
    region_overrides={"CLAUDE_SONNET_4_5": "europe-west1", "CLAUDE_HAIKU_4_5": "us-east5"},
    primary_model="claude-sonnet-4-5@20250929",
    small_fast_model="claude-haiku-4-5@20251001",
    disable_prompt_caching=True,
)


def test_minimal_env_has_exactly_the_three_required_variables() -> None:
    assert claude_env("claude-payments-dev", MINIMAL) == {
        "CLAUDE_CODE_USE_VERTEX": "1",
        "CLOUD_ML_REGION": "global",
        "ANTHROPIC_VERTEX_PROJECT_ID": "claude-payments-dev",
    }


def test_full_env_adds_overrides_pins_and_caching_in_reading_order() -> None:
    env = claude_env("p-123456", FULL)
    assert list(env) == [
        "CLAUDE_CODE_USE_VERTEX",
        "CLOUD_ML_REGION",
        "ANTHROPIC_VERTEX_PROJECT_ID",
        "VERTEX_REGION_CLAUDE_HAIKU_4_5",
        "VERTEX_REGION_CLAUDE_SONNET_4_5",
        "ANTHROPIC_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
        "ANTHROPIC_SMALL_FAST_MODEL",
        "DISABLE_PROMPT_CACHING",
    ]
    assert env["VERTEX_REGION_CLAUDE_SONNET_4_5"] == "europe-west1"
    assert env["ANTHROPIC_MODEL"] == "claude-sonnet-4-5@20250929"
    assert env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == env["ANTHROPIC_SMALL_FAST_MODEL"] == "claude-haiku-4-5@20251001"
    assert env["DISABLE_PROMPT_CACHING"] == "1"


def test_dotenv_lines_and_precedence_warning() -> None:
    text = to_dotenv(claude_env("claude-payments-dev", MINIMAL), "payments")
    lines = text.splitlines()
    assert lines[0].startswith("# Claude Code on Vertex AI for team payments")
    assert PRECEDENCE_NOTE in lines[1]
    assert lines[2:] == [
        "CLAUDE_CODE_USE_VERTEX=1",
        "CLOUD_ML_REGION=global",
        "ANTHROPIC_VERTEX_PROJECT_ID=claude-payments-dev",
    ]
    assert text.endswith("\n")


def test_dotenv_quotes_values_that_need_it() -> None:
    text = to_dotenv({"A": 'x "y" $HOME', "B": ""}, "t")
    assert 'A="x \\"y\\" \\$HOME"' in text
    assert 'B=""' in text


def test_shell_exports_are_safe_to_source() -> None:
    env = {"CLAUDE_CODE_USE_VERTEX": "1", "HOSTILE": "$(touch /tmp/pwned); `id`; 'q'"}
    script = to_shell_exports(env, "payments")
    assert "unset GOOGLE_CLOUD_PROJECT GCLOUD_PROJECT" in script
    out = subprocess.run(
        ["bash", "-c", script + '\nprintf "%s" "$HOSTILE"; [ -z "${GOOGLE_CLOUD_PROJECT+x}" ] && echo :unset'],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], "GOOGLE_CLOUD_PROJECT": "other-project"},
    )
    assert out.stdout == env["HOSTILE"] + ":unset\n"
    assert f"export HOSTILE={shlex.quote(env['HOSTILE'])}" in script


def test_claude_settings_is_the_env_object() -> None:
    env = claude_env("claude-payments-dev", FULL)
    assert to_claude_settings(env) == {"env": env}
    assert json.loads(settings_json(env)) == {"env": env}


def test_auth_commands_impersonate_each_account() -> None:
    commands = gcloud_auth_commands({"claude-ci": "claude-ci@p.iam.gserviceaccount.com"})
    assert commands["adc"] == "gcloud auth application-default login"
    assert commands["impersonate"] == {
        "claude-ci": "gcloud auth application-default login "
        "--impersonate-service-account=claude-ci@p.iam.gserviceaccount.com"
    }
    assert "set-quota-project" not in json.dumps(commands)


def test_render_all_names_the_three_files() -> None:
    files = render_all(claude_env("p-123456", MINIMAL), "payments")
    assert sorted(files) == [".env", "env.sh", "settings.json"]
    assert json.loads(files["settings.json"])["env"]["ANTHROPIC_VERTEX_PROJECT_ID"] == "p-123456"
