"""Every stack file in the repository renders offline and passes the policy pack.

Whichever stack files are there: the examples, a platform team's own teams, or none at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import BASE_CONFIG
from tests.fixture_stacks import DEV, fixture_args
from tests.support.render import ROOT
from tools import preview
from tools.stack_file import read_stack_config

STACKS = preview.available_stacks()
GATEWAY_STACKS = sorted(set(STACKS) - set(preview.team_stacks()))


@pytest.mark.skipif(not (ROOT / "Pulumi.dev.yaml").exists(), reason="the example Pulumi.dev.yaml is not here")
def test_the_dev_fixture_is_the_readme_example_while_it_exists() -> None:
    """tests/stacks/Pulumi.dev.yaml stands in for the README's `dev`; it must not drift from it."""
    assert read_stack_config(DEV, "claude-vertex") == read_stack_config(ROOT / "Pulumi.dev.yaml", "claude-vertex")


@pytest.mark.slow
@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_previews_through_the_cli_with_exit_0(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The verdicts themselves are judged once, in tests/policies/test_policy_program.py (both modes)."""
    assert preview.main(["--stack", stack, "--json"]) == preview.EXIT_OK
    document = json.loads(capsys.readouterr().out)
    if stack in GATEWAY_STACKS:  # developers sign in through it: what MDM pushes them, not an environment
        assert document["outputs"]["developerManagedSettings"]["forceLoginMethod"] == "gateway"
    else:
        assert document["outputs"]["env"]["CLAUDE_CODE_USE_VERTEX"] == "1"


@pytest.mark.slow
def test_stack_files_point_editors_at_the_schema_and_examples_say_so() -> None:
    for stack in STACKS:
        first, second = (ROOT / f"Pulumi.{stack}.yaml").read_text().splitlines()[:2]
        assert first == "# yaml-language-server: $schema=schema/stack-config.schema.json"
        if stack.startswith("example-"):
            assert "EXAMPLE" in second


@pytest.mark.slow
def test_a_policy_violation_fails_the_preview_with_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Valid config, bad practice: a personal account, made mandatory by the platform's policy config."""
    config = json.loads(json.dumps(BASE_CONFIG))
    config["claude-vertex:access"]["members"].append("user:someone@gmail.com")
    stack_file = tmp_path / "Pulumi.team.yaml"
    stack_file.write_text(yaml.safe_dump({"config": config}))
    policy_config = tmp_path / "policy.json"
    policy_config.write_text(json.dumps({"no-personal-email-members": "mandatory"}))

    args = ["--stack", "team", "--config-file", str(stack_file), "--json"]
    assert preview.main(args) == preview.EXIT_OK  # advisory by default
    advisory = json.loads(capsys.readouterr().out)["violations"]
    assert sorted((v["policy"], v["level"]) for v in advisory if "gmail" in v["message"]) == [
        ("grants-to-groups-not-users", "advisory"),
        ("no-personal-email-members", "advisory"),
    ]

    assert preview.main([*args, "--policy-config", str(policy_config)]) == preview.EXIT_VIOLATION
    document = json.loads(capsys.readouterr().out)
    (violation,) = [v for v in document["violations"] if v["level"] == "mandatory"]
    assert violation["policy"] == "no-personal-email-members"
    assert violation["urn"].endswith("::payments-grant-user:someone@gmail.com")

    text_args = ["--stack", "team", "--config-file", str(stack_file), "--policy-config", str(policy_config)]
    assert preview.main(text_args) == preview.EXIT_VIOLATION
    text = capsys.readouterr().out
    assert "Policies: " in text and "1 mandatory" in text
    assert "[mandatory] no-personal-email-members:" in text


def test_bad_policy_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy_config = tmp_path / "policy.json"
    policy_config.write_text(json.dumps({"no-such-policy": "mandatory"}))
    assert preview.main([*fixture_args(DEV), "--policy-config", str(policy_config)]) == preview.EXIT_CONFIG
    assert "no-such-policy" in capsys.readouterr().err
