"""The developer environment renderings, on plain values."""

from __future__ import annotations

import json
import os
import shlex
import subprocess

from claude_vertex.catalog import ALIAS_VARIABLES, ALIASES, catalog
from claude_vertex.config import VertexConfig
from claude_vertex.plan.models import resolve_models
from claude_vertex.render.environment import (
    PRECEDENCE_NOTE,
    ZERO_CAPS_VARIABLE,
    claude_env,
    gcloud_auth_commands,
    models_output,
    render_all,
    settings_json,
    to_claude_settings,
    to_dotenv,
    to_shell_exports,
)

from tests.conftest import SUITE_DATE

TODAY = SUITE_DATE
MINIMAL = VertexConfig.model_validate({})
FULL = VertexConfig.model_validate(
    {
        "region": "us-east5",
        "models": {"opus": "claude-opus-4-6[1m]", "haiku": "claude-haiku-4-5@20251001"},
        "regionOverrides": {"sonnet": "europe-west1", "CLAUDE_HAIKU_4_5": "us-east5"},
        "primaryModel": "opus",
        "disablePromptCaching": True,
    }
)


def env_of(vertex: VertexConfig, project: str = "claude-payments-dev") -> dict[str, str]:
    return claude_env(project, vertex, resolve_models(vertex, TODAY))


def test_minimal_env_pins_every_alias_to_the_catalog_recommendation() -> None:
    recommended = {alias: catalog().recommended(alias).id for alias in ALIASES}
    assert env_of(MINIMAL) == {
        "CLAUDE_CODE_USE_VERTEX": "1",
        "CLOUD_ML_REGION": "global",
        "ANTHROPIC_VERTEX_PROJECT_ID": "claude-payments-dev",
        "ANTHROPIC_MODEL": recommended["sonnet"],
        "ANTHROPIC_DEFAULT_OPUS_MODEL": recommended["opus"],
        "ANTHROPIC_DEFAULT_SONNET_MODEL": recommended["sonnet"],
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": recommended["haiku"],
        "ANTHROPIC_SMALL_FAST_MODEL": recommended["haiku"],
        "ANTHROPIC_DEFAULT_FABLE_MODEL": recommended["fable"],
    }
    assert all(pin.from_default for pin in resolve_models(MINIMAL, TODAY).aliases.values())


def test_full_env_adds_overrides_pins_and_caching_in_reading_order() -> None:
    env = env_of(FULL, "p-123456")
    assert list(env) == [
        "CLAUDE_CODE_USE_VERTEX",
        "CLOUD_ML_REGION",
        "ANTHROPIC_VERTEX_PROJECT_ID",
        "VERTEX_REGION_CLAUDE_5_5_SONNET",
        "VERTEX_REGION_CLAUDE_HAIKU_4_5",
        "ANTHROPIC_MODEL",
        "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
        "ANTHROPIC_SMALL_FAST_MODEL",
        "ANTHROPIC_DEFAULT_FABLE_MODEL",
        "DISABLE_PROMPT_CACHING",
    ]
    # The sonnet alias runs in Europe under the variable Claude Code reads for the model it is pinned to.
    assert env["VERTEX_REGION_CLAUDE_5_5_SONNET"] == "europe-west1"
    # The older spelling, by Claude Code's model key, is written as given.
    assert env["VERTEX_REGION_CLAUDE_HAIKU_4_5"] == "us-east5"
    assert env["ANTHROPIC_MODEL"] == env["ANTHROPIC_DEFAULT_OPUS_MODEL"] == "claude-opus-4-6[1m]"
    assert env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == env["ANTHROPIC_SMALL_FAST_MODEL"] == "claude-haiku-4-5@20251001"
    assert env["DISABLE_PROMPT_CACHING"] == "1"


def test_models_output_names_model_region_and_context_per_alias() -> None:
    models = models_output(resolve_models(FULL, TODAY))
    assert models["opus"] == {
        "model": "claude-opus-4-6",
        "region": "us-east5",
        "context1m": True,
        "pinnedBy": "stack file",
    }
    assert models["sonnet"]["pinnedBy"] == "catalog default"
    assert models["sonnet"]["region"] == "europe-west1"
    assert models["primary"] == models["opus"]


def test_dotenv_lines_and_precedence_warning() -> None:
    text = to_dotenv({"CLAUDE_CODE_USE_VERTEX": "1", "CLOUD_ML_REGION": "global"}, "payments")
    lines = text.splitlines()
    assert lines[0].startswith("# Claude Code on Vertex AI for team payments")
    assert PRECEDENCE_NOTE in lines[1]
    assert lines[2:] == ["CLAUDE_CODE_USE_VERTEX=1", "CLOUD_ML_REGION=global"]
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
    env = env_of(FULL)
    assert to_claude_settings(env) == {"env": env}
    assert json.loads(settings_json(env)) == {"env": env}


def test_auth_commands_impersonate_each_account() -> None:
    commands = gcloud_auth_commands({"claude-ci": "claude-ci@p.iam.gserviceaccount.com"})
    assert commands["adc"] == "gcloud auth application-default login --disable-quota-project"
    assert commands["impersonate"] == {
        "claude-ci": "gcloud auth application-default login --disable-quota-project "
        "--impersonate-service-account=claude-ci@p.iam.gserviceaccount.com"
    }
    assert "set-quota-project" not in json.dumps(commands)
    assert commands["doctor"] == "claude-vertex-doctor --env-file .env"
    assert "workforce" not in commands


def test_auth_commands_for_corporate_identities_create_a_login_config_first() -> None:
    commands = gcloud_auth_commands({}, {"acme-okta": "okta-oidc"})
    assert commands["workforce"] == {
        "acme-okta": {
            "loginConfig": "gcloud iam workforce-pools create-login-config "
            "locations/global/workforcePools/acme-okta/providers/okta-oidc --output-file=claude-vertex-login.json",
            "login": "gcloud auth login --login-config=claude-vertex-login.json",
            "adc": "gcloud auth application-default login --disable-quota-project "
            "--login-config=claude-vertex-login.json",
        }
    }


def test_render_all_names_the_three_files() -> None:
    files = render_all(env_of(MINIMAL, "p-123456"), "payments")
    assert sorted(files) == [".env", "env.sh", "settings.json"]
    assert json.loads(files["settings.json"])["env"]["ANTHROPIC_VERTEX_PROJECT_ID"] == "p-123456"


def test_every_alias_the_client_knows_is_pinned_in_every_form_the_environment_takes() -> None:
    env = env_of(MINIMAL)
    forms = {**render_all(env, "payments"), "managed": json.dumps(to_claude_settings(env))}
    for alias, variables in ALIAS_VARIABLES.items():
        for variable in variables:
            assert env[variable] == catalog().recommended(alias).id, variable
            for name, text in forms.items():
                assert variable in text, (name, variable)


def test_a_family_capped_at_zero_runs_the_primary_model_and_the_doctor_is_told_why() -> None:
    env = claude_env("claude-payments-dev", MINIMAL, resolve_models(MINIMAL, TODAY, {"opus": "requestsPerMinute"}))
    assert env["ANTHROPIC_DEFAULT_OPUS_MODEL"] == env["ANTHROPIC_MODEL"] == catalog().recommended("sonnet").id
    assert env[ZERO_CAPS_VARIABLE] == "opus:requestsPerMinute"
    assert ZERO_CAPS_VARIABLE not in env_of(MINIMAL)
