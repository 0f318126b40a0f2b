"""`ClaudeVertexTeam`, the package's one public component: what it declares, what it exports, how it refuses.

The component is rendered through the repository's own program (one team per stack) under the mocks; the
outputs a program exports are exactly the ones the class declares, so other languages' SDKs (generated from
the declarations) and the stack outputs never disagree.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from claude_vertex import ClaudeVertexTeam, ClaudeVertexTeamArgs
from claude_vertex.config import ConfigError
from claude_vertex.team import OUTPUT_NAMES

from tests.conftest import Rendered, config_with
from tests.fixture_stacks import PAYMENTS, stack_of
from tests.support.render import render_stack
from tools.stack_file import read_stack_config

# Outputs only some teams have: each is declared on the class, and is null for a team without the feature.
CONDITIONAL = {
    "projectNumber",  # a created project's only
    "dashboardUrl",  # guardrails.usage
    "managedSettings",  # guardrails.telemetry
    "ciProviderNames",
    "ciServiceAccountEmail",
    "ciGithubWorkflow",
    "ciGitlabJob",
}


def test_every_output_the_fullest_stack_exports_is_declared_on_the_class() -> None:
    rendering = render_stack(stack_of(PAYMENTS), read_stack_config(PAYMENTS, "claude-vertex"))
    assert set(rendering.outputs) == set(OUTPUT_NAMES), "every declared output is exported by the fullest stack"


def test_a_team_without_optional_features_exports_only_what_it_has(render_config: Callable[..., Rendered]) -> None:
    outputs = render_config(
        config_with(project={"id": "claude-payments-dev", "create": False}, guardrails={"usage": False}, ci=None)
    ).outputs
    assert set(OUTPUT_NAMES) - set(outputs) <= CONDITIONAL
    assert "projectNumber" not in outputs and "dashboardUrl" not in outputs


def test_the_declared_outputs_are_the_documented_ones() -> None:
    assert {"projectId", "projectNumber", "roleName", "serviceAccountEmails", "models", "env", "dotenv"} <= set(
        OUTPUT_NAMES
    )
    assert {"shellExports", "claudeSettings", "gcloudAuth", "guardrails", "dashboardUrl"} <= set(OUTPUT_NAMES)
    assert {"ciProviderNames", "ciServiceAccountEmail", "ciGithubWorkflow", "ciGitlabJob"} <= set(OUTPUT_NAMES)


def test_the_args_are_the_stack_files_sections() -> None:
    assert set(ClaudeVertexTeamArgs.__annotations__) == {
        "team",
        "project",
        "vertex",
        "access",
        "ci",
        "guardrails",
        "behind_gateway",
    }
    assert ClaudeVertexTeamArgs.__required_keys__ == {"team", "project"}


@pytest.mark.parametrize(
    ("args", "line"),
    [
        ({"team": "Payments", "project": {"id": "claude-payments-dev"}}, 'input team: "Payments"'),
        ({"team": "payments", "project": {"id": "x"}}, 'input project.id: "x"'),
        ({"team": "payments"}, "input project: (missing)"),
        ({"team": "payments", "project": {"id": "claude-payments-dev", "create": False}, "budget": 5}, "input budget"),
    ],
)
def test_a_bad_input_is_one_line_naming_the_component_and_the_input(args: dict, line: str) -> None:
    with pytest.raises(ConfigError) as raised:
        ClaudeVertexTeam("payments-team", args)  # type: ignore[arg-type]
    message = str(raised.value)
    assert message.startswith("invalid ClaudeVertexTeam 'payments-team' input "), message
    assert line in message and "\n" not in message
