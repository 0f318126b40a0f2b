"""A key means the same in either spelling: camelCase in a stack file, snake_case in `ClaudeVertexTeamArgs`.

A Python program passes the component its args with the generated TypedDicts' snake_case keys, and the
component provider host hands the component snake_case keys too when another language constructs it (it maps
the schema's camelCase names back to the Python names). Both must validate exactly like the stack file's
camelCase, defaults and refusals included; one key set in both spellings is refused.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from claude_vertex.config import ConfigError, parse_config

from tests.conftest import SUITE_DATE
from tests.fixture_stacks import PAYMENTS
from tools.stack_file import read_stack_config

CAMEL = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$")


def snake_case(value: Any) -> Any:
    """Every camelCase key in snake_case, at every depth (map keys such as labels or model aliases have none)."""
    if isinstance(value, dict):
        return {
            (re.sub(r"([A-Z])", lambda m: "_" + m[1].lower(), key) if CAMEL.match(key) else key): snake_case(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [snake_case(item) for item in value]
    return value


def fullest() -> dict[str, Any]:
    """The suite's fullest stack, with the keys that otherwise default to the team's name set explicitly."""
    config = {
        key.removeprefix("claude-vertex:"): value for key, value in read_stack_config(PAYMENTS, "claude-vertex").items()
    }
    config["access"] = {**config["access"], "roleId": "claudeVertexPaymentsV2", "verifyPermissions": False}
    config["ci"] = {**config["ci"], "poolId": "claude-payments-v2", "serviceAccountId": "claude-ci-payments-v2"}
    return config


def test_snake_case_args_validate_exactly_like_the_stack_files_camel_case() -> None:
    camel = fullest()
    snake = snake_case(camel)
    assert snake["access"]["service_accounts"][0]["display_name"] == "Claude Code agent"  # the conversion did work
    from_camel, from_snake = parse_config(camel, today=SUITE_DATE), parse_config(snake, today=SUITE_DATE)
    assert from_snake == from_camel
    assert from_snake.access.role_id == "claudeVertexPaymentsV2"
    assert from_snake.access.service_accounts[0].display_name == "Claude Code agent"
    assert (from_snake.ci.pool_id, from_snake.ci.service_account_id) == ("claude-payments-v2", "claude-ci-payments-v2")
    assert from_snake.plan.warnings == from_camel.plan.warnings


@pytest.mark.parametrize(
    ("section", "value", "line"),
    [
        (
            "access",
            {"roleId": "claudeVertexA", "role_id": "claudeVertexB"},
            'access.role_id: "claudeVertexB" — set twice, as roleId and role_id; keep one',
        ),
        (
            "vertex",
            {"primaryModel": "sonnet", "primary_model": "opus"},
            'vertex.primary_model: "opus" — set twice, as primaryModel and primary_model; keep one',
        ),
    ],
)
def test_one_key_in_both_spellings_is_refused_in_one_line(section: str, value: dict[str, Any], line: str) -> None:
    config = {"team": "payments", "project": {"id": "claude-payments-dev", "create": False}, section: value}
    with pytest.raises(ConfigError) as raised:
        parse_config(config, today=SUITE_DATE)
    assert str(raised.value).endswith(line)


def test_an_adopted_projects_snake_case_creation_keys_are_refused_like_camel_case_ones() -> None:
    for key in ("billing_account", "billingAccount"):
        config = {
            "team": "payments",
            "project": {"id": "shared-ml-research", "create": False, key: "012345-6789AB-CDEF01"},
        }
        with pytest.raises(ConfigError) as raised:
            parse_config(config, today=SUITE_DATE)
        assert "only applies when project.create is true" in str(raised.value)
