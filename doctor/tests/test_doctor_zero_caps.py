"""A family the team's guardrails cap at 0 (`CLAUDE_VERTEX_ZERO_CAPS`, rendered by the stack): never probed, never a
failed run, always named with the stack key that caps it. A 429 on a family that is not capped still fails."""

from __future__ import annotations

import pytest
from doctor_support import stack_env

PRIMARY = "claude-sonnet-5-5"
OPUS = "claude-opus-5-5"


def _opus_capped_on_vertex(fake) -> None:
    """Vertex as a project with opus capped at 0 answers: 429 for every opus call."""
    fake.scenario.quota[(OPUS, "global")] = "zero"
    fake.scenario.quota_base_model[(OPUS, "global")] = "anthropic-claude-opus"


def _opus_calls(fake) -> list:
    return [r for r in fake.requests if OPUS in r.path or (isinstance(r.body, dict) and r.body.get("model") == OPUS)]


def test_the_stacks_environment_with_opus_capped_warns_naming_the_cap_and_exits_0(doctor, fake):
    _opus_capped_on_vertex(fake)
    env = stack_env(
        ANTHROPIC_MODEL=PRIMARY, ANTHROPIC_DEFAULT_OPUS_MODEL=PRIMARY, CLAUDE_VERTEX_ZERO_CAPS="opus:requestsPerMinute"
    )
    run = doctor(env)
    assert run.code == 0, run.out
    alias = run.check("alias:opus")
    assert alias["status"] == "warn"
    assert alias["message"] == (
        "opus: your team's guardrails cap it at 0 (guardrails.quotas.opus.requestsPerMinute = 0); "
        "--model opus runs claude-sonnet-5-5 (the team's primary model)"
    )
    assert "lift the cap" in alias["fix"]
    assert run.check("environment.zero-caps")["status"] == "ok"
    assert _opus_calls(fake) == []
    assert [s for s in run.statuses().values() if s != "ok"] == ["warn"]


def test_an_older_environment_still_pinning_the_capped_family_is_not_probed(doctor, fake):
    _opus_capped_on_vertex(fake)
    run = doctor(stack_env(ANTHROPIC_MODEL=PRIMARY, CLAUDE_VERTEX_ZERO_CAPS="opus:requestsPerMinute"))
    assert run.code == 0, run.out
    opus = run.check(f"model:{OPUS}")
    assert opus["status"] == "warn"
    assert opus["message"] == (
        "claude-opus-5-5 (ANTHROPIC_DEFAULT_OPUS_MODEL) is an opus model and your team's guardrails cap opus at 0 "
        "(guardrails.quotas.opus.requestsPerMinute = 0): Vertex refuses it (429), so the doctor does not probe it"
    )
    assert opus["fix"].startswith("get the environment from your team's stack again")
    assert _opus_calls(fake) == []


def test_a_primary_model_of_a_capped_family_fails_claude_itself_would_be_refused(doctor, fake):
    _opus_capped_on_vertex(fake)
    run = doctor(stack_env(CLAUDE_VERTEX_ZERO_CAPS="opus:requestsPerMinute"))
    assert run.code == 1
    opus = run.check(f"model:{OPUS}")
    assert opus["status"] == "fail"
    assert "claude without --model is refused (429)" in opus["message"]
    assert _opus_calls(fake) == []


def test_a_429_on_a_family_that_is_not_capped_keeps_failing(doctor, fake):
    _opus_capped_on_vertex(fake)
    run = doctor(stack_env(ANTHROPIC_MODEL=PRIMARY, CLAUDE_VERTEX_ZERO_CAPS="fable:inputTokensPerMinute"))
    assert run.code == 1
    opus = run.check(f"model:{OPUS}")
    assert opus["status"] == "fail" and "429" in opus["message"]
    fable = run.check("model:claude-fable-5-2")
    assert fable["status"] == "warn"
    assert "guardrails.quotas.fable.inputTokensPerMinute = 0" in fable["message"]


def test_every_zero_limit_of_every_family_is_named(doctor, fake):
    caps = "opus:requestsPerMinute, opus:outputTokensPerMinute,fable:inputTokensPerMinute"
    env = stack_env(
        ANTHROPIC_MODEL=PRIMARY,
        ANTHROPIC_DEFAULT_OPUS_MODEL=PRIMARY,
        ANTHROPIC_DEFAULT_FABLE_MODEL=PRIMARY,
        CLAUDE_VERTEX_ZERO_CAPS=caps,
    )
    run = doctor(env)
    assert run.code == 0, run.out
    assert run.check("environment.zero-caps")["message"].startswith(
        "your team's guardrails cap at 0: opus (guardrails.quotas.opus.requestsPerMinute = 0, "
        "guardrails.quotas.opus.outputTokensPerMinute = 0); fable (guardrails.quotas.fable.inputTokensPerMinute = 0)"
    )
    assert run.check("alias:fable")["status"] == "warn"
    assert "--model fable runs claude-sonnet-5-5 (the team's primary model)" in run.check("alias:fable")["message"]


@pytest.mark.parametrize(
    "value",
    [
        "opus",
        "opus:rpm",
        "opus:requestsPerMinute;fable:inputTokensPerMinute",
        "Opus:requestsPerMinute",
        "opus:0,",
        "opus:requestsPerMinute," * 100,
        "\x1b[31mopus:requestsPerMinute",
    ],
)
def test_an_unreadable_value_is_one_warning_and_every_model_is_probed(doctor, fake, value):
    run = doctor(stack_env(ANTHROPIC_MODEL=PRIMARY, CLAUDE_VERTEX_ZERO_CAPS=value))
    assert run.code == 0, run.out
    check = run.check("environment.zero-caps")
    assert check["status"] == "warn"
    assert check["message"].startswith("CLAUDE_VERTEX_ZERO_CAPS is unreadable (")
    assert "\x1b" not in check["message"] and len(check["message"]) < 400
    assert check["fix"].startswith("get the environment from your team's stack again")
    assert run.check(f"model:{OPUS}")["status"] == "ok"  # probed, as if nothing were capped


def test_an_alias_pinned_to_another_family_without_a_cap_is_explained(doctor, fake):
    env = stack_env(CLOUD_ML_REGION="europe-west1", ANTHROPIC_DEFAULT_FABLE_MODEL=PRIMARY)
    run = doctor(env)
    assert run.code == 0, run.out
    fable = run.check("alias:fable")
    assert fable["status"] == "ok"
    assert fable["message"] == (
        "--model fable runs claude-sonnet-5-5, a sonnet model (ANTHROPIC_DEFAULT_FABLE_MODEL): no fable model of the "
        "catalog is served in europe-west1"
    )


def test_an_unpinned_fable_alias_is_named(doctor, fake):
    run = doctor(stack_env(ANTHROPIC_DEFAULT_FABLE_MODEL=""))
    pins = run.check("environment.pins")
    assert pins["status"] == "warn"
    assert "ANTHROPIC_DEFAULT_FABLE_MODEL (--model fable follows Claude Code's default)" in pins["message"]
    assert "ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU,FABLE}_MODEL" in pins["fix"]


def test_the_doctor_knows_every_limit_name_and_alias_the_stack_has():
    # The variable's limit names are the stack's keys, and every alias the program pins has its variable here.
    from claude_vertex.catalog import ALIASES
    from claude_vertex.config.guardrails.quotas import QuotaCaps
    from claude_vertex_doctor.envcheck import ALIAS_PINS
    from claude_vertex_doctor.zero_caps import LIMITS

    assert sorted(LIMITS) == sorted(QuotaCaps.keys())
    assert set(ALIASES) <= set(ALIAS_PINS)
    assert ALIAS_PINS["fable"] == ("ANTHROPIC_DEFAULT_FABLE_MODEL",)


def test_the_readme_stack_with_opus_capped_at_0_is_a_clean_run_of_the_doctor(doctor, fake):
    """The two sides meet: the README's own team stack (opus capped at 0) rendered by the real program's config and
    plan, its environment handed to the doctor against a Vertex that refuses opus: one warning naming the cap,
    exit 0, and no opus call at all."""
    import re
    from pathlib import Path

    import yaml
    from claude_vertex.config.stack import parse_config
    from claude_vertex.render.environment import claude_env

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "claude-vertex:team" in b]
    config = {key.split(":", 1)[1]: value for key, value in yaml.safe_load(block)["config"].items()}
    config["project"]["id"] = fake.scenario.project
    parsed = parse_config(config)
    env = claude_env(parsed.project.id, parsed.vertex, parsed.plan.models)
    assert env["CLAUDE_VERTEX_ZERO_CAPS"] == "opus:requestsPerMinute"
    _opus_capped_on_vertex(fake)
    run = doctor(env)
    assert run.code == 0, run.out
    assert run.check("alias:opus")["status"] == "warn"
    assert "guardrails.quotas.opus.requestsPerMinute = 0" in run.check("alias:opus")["message"]
    assert _opus_calls(fake) == []
