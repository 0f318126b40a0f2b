"""A typo is reported as the typo: the unknown key, the key it most likely meant, the required key it left missing.

One line each, through the real parsers (team stack, gateway stack, the component's args in either spelling) and
through `make preview`'s command line; members typed without their IAM prefix get the prefixed form to paste.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from claude_vertex import ClaudeVertexTeam
from claude_vertex.config import ConfigError, parse_config
from claude_vertex.config.gateway import parse_gateway_stack
from claude_vertex.config.vertex import ModelPins
from claude_vertex_gcp.members import parse_member

from tests.conftest import SUITE_DATE
from tests.support.render import ROOT
from tools import preview

BASE: dict[str, Any] = {
    "team": "payments",
    "project": {"id": "claude-payments-dev", "billingAccount": "012345-6789AB-CDEF01", "folderId": "123456789012"},
    "access": {"members": ["group:payments-devs@example.com"]},
}
BUDGET_KEYS = "monthlyAmount, currency, thresholds, forecast, notify, billingAccount"
MEMBER_RULE_START = "; allowed: user:EMAIL, group:EMAIL, serviceAccount:"


def error_line(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, today=SUITE_DATE)
    message = str(caught.value)
    assert "\n" not in message
    return message


def with_section(**sections: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw.update(sections)
    return raw


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (
            with_section(guardrails={"budget": {"monthlyBudget": 2000}}),
            "invalid config claude-vertex:guardrails.budget.monthlyBudget: 2000 — unknown key (did you mean "
            f"monthlyAmount?); monthlyAmount is required and missing; allowed keys: {BUDGET_KEYS}",
        ),
        (
            with_section(project={**BASE["project"], "billingAcount": "012345-6789AB-CDEF01"}),
            'invalid config claude-vertex:project.billingAcount: "012345-6789AB-CDEF01" — unknown key (did you mean '
            "billingAccount?); allowed keys: id, create, name, billingAccount, folderId, labels, defaultNetworkPolicy, "
            "deletionProtection",
        ),
        (
            with_section(vertex={"regoin": "global"}),
            'invalid config claude-vertex:vertex.regoin: "global" — unknown key (did you mean region?); allowed keys: '
            "region, models, primaryModel, regionOverrides, smallFastModel, enableModels, restrictModels, "
            "allowModelsOutsideCatalog, disablePromptCaching",
        ),
        (
            with_section(access={"serviceAccounts": [{"idd": "claude-agent"}]}),
            'invalid config claude-vertex:access.serviceAccounts[0].idd: "claude-agent" — unknown key (did you mean '
            "id?); id is required and missing; allowed keys: id, displayName, description, impersonators",
        ),
        (
            with_section(guardrails={"quotas": {"opus": {"requestPerMinute": 0}}}),
            "invalid config claude-vertex:guardrails.quotas.opus.requestPerMinute: 0 — unknown key (did you mean "
            "requestsPerMinute?); allowed keys: inputTokensPerMinute, outputTokensPerMinute, requestsPerMinute",
        ),
        (
            with_section(guardrails={"telemetry": {"otlpEndpont": "https://otel.example.com:4318"}}),
            'invalid config claude-vertex:guardrails.telemetry.otlpEndpont: "https://otel.example.com:4318" — unknown '
            "key (did you mean otlpEndpoint?); otlpEndpoint is required and missing; allowed keys: otlpEndpoint, "
            "protocol",
        ),
        (
            with_section(ci={"githb": {"repositories": ["acme/app"]}}),
            'invalid config claude-vertex:ci.githb: {"repositories": ["acme/app"]} — unknown key (did you mean '
            "github?); allowed keys: github, gitlab, poolId, serviceAccountId",
        ),
        (
            with_section(behindGateway={"group": ["payments-devs"]}),
            'invalid config claude-vertex:behindGateway.group: ["payments-devs"] — unknown key (did you mean groups?); '
            "groups is required and missing; allowed keys: groups, developerMonthlyCap, failoverRegions",
        ),
        (
            {"team": "payments", "projekt": {"id": "claude-payments-dev"}},
            'invalid config claude-vertex:projekt: {"id": "claude-payments-dev"} — unknown key (did you mean '
            "project?); project is required and missing; allowed keys: team, project, vertex, access, ci, "
            "guardrails, behindGateway",
        ),
        (
            with_section(Access={"members": []}),
            'invalid config claude-vertex:Access: {"members": []} — unknown key (did you mean access?); allowed keys: '
            "team, project, vertex, access, ci, guardrails, behindGateway",
        ),
        (
            with_section(regoin="us"),
            'invalid config claude-vertex:regoin: "us" — unknown key; allowed keys: team, project, vertex, access, ci, '
            "guardrails, behindGateway",
        ),
    ],
    ids=[
        "budget",
        "project",
        "vertex",
        "service-account",
        "quota-caps",
        "telemetry",
        "ci",
        "behind-gateway",
        "namespace-key",
        "namespace-key-case",
        "nothing-close",
    ],
)
def test_an_unknown_key_names_itself_the_key_it_meant_and_what_it_left_missing(raw: dict, line: str) -> None:
    assert error_line(raw) == line


def test_the_typo_is_reported_ahead_of_a_sections_own_rules() -> None:
    """`ci` with neither platform, and `budget` without its amount, each have a rule of their own; a typo of the key
    that would have satisfied the rule is still reported as the typo."""
    assert "ci.gitlb: " in error_line(with_section(ci={"gitlb": {"projects": ["acme/app"]}}))
    line = error_line(with_section(guardrails={"budget": {"monthlyBudget": 2000}, "usage": True, "auditLogs": False}))
    assert "guardrails.budget.monthlyBudget: " in line


def test_a_model_alias_typo_suggests_the_alias() -> None:
    line = error_line(with_section(vertex={"models": {"sonet": "claude-sonnet-5-5"}}))
    assert line == (
        'invalid config claude-vertex:vertex.models.sonet: "claude-sonnet-5-5" — unknown key (did you mean sonnet?); '
        f"allowed keys: {', '.join(ModelPins.keys())}"
    )


def test_a_quota_family_typo_suggests_the_family() -> None:
    line = error_line(with_section(guardrails={"quotas": {"opsu": {"requestsPerMinute": 0}}}))
    assert line.startswith(
        'invalid config claude-vertex:guardrails.quotas.opsu: {"requestsPerMinute": 0} — unknown family (did you '
        "mean opus?); a model family of the catalog: "
    )


def test_snake_case_typos_get_snake_case_suggestions() -> None:
    """A Python program spells keys in snake_case; the suggestion and the missing key come back in its spelling."""
    line = error_line(with_section(guardrails={"budget": {"monthly_budget": 2000}}))
    assert line == (
        "invalid config claude-vertex:guardrails.budget.monthly_budget: 2000 — unknown key (did you mean "
        f"monthly_amount?); monthly_amount is required and missing; allowed keys: {BUDGET_KEYS}"
    )
    line = error_line(with_section(access={"service_accounts": [{"id": "claude-agent", "impersonater": []}]}))
    assert "access.serviceAccounts[0].impersonater: [] — unknown key (did you mean impersonators?)" in line


def test_the_components_args_get_the_same_line_naming_the_component() -> None:
    args = with_section(guardrails={"budget": {"monthly_budget": 2000}})
    with pytest.raises(ConfigError) as caught:
        ClaudeVertexTeam("payments", args)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "invalid ClaudeVertexTeam 'payments' input guardrails.budget.monthly_budget: 2000 — unknown key (did you "
        f"mean monthly_amount?); monthly_amount is required and missing; allowed keys: {BUDGET_KEYS}"
    )


def gateway_config() -> dict[str, Any]:
    stack = yaml.safe_load((ROOT / "Pulumi.example-gateway.yaml").read_text())["config"]
    return {key.removeprefix("claude-vertex:"): value for key, value in stack.items()}


def test_the_gateway_stack_gets_the_same_help() -> None:
    raw = gateway_config()
    raw["gateway"]["oidc"]["clientID"] = raw["gateway"]["oidc"].pop("clientId")
    with pytest.raises(ConfigError) as caught:
        parse_gateway_stack(raw)
    assert str(caught.value) == (
        'invalid config claude-vertex:gateway.oidc.clientID: "claude-gateway" — unknown key (did you mean '
        "clientId?); clientId is required and missing; allowed keys: issuer, clientId, groupsClaim, emailDomains"
    )
    with pytest.raises(ConfigError) as caught:
        parse_gateway_stack({"gatewy": gateway_config()["gateway"]})
    message = str(caught.value)
    assert message.startswith("invalid config claude-vertex:gatewy: {")
    assert message.endswith(
        "— unknown key (did you mean gateway?); gateway is required and missing; allowed keys: gateway"
    )


@pytest.mark.parametrize(
    ("member", "meant"),
    [
        ("alice@example.com", "user:alice@example.com, or group:alice@example.com for a Google group"),
        ("usr:alice@example.com", "user:alice@example.com"),
        ("groups:payments-devs@example.com", "group:payments-devs@example.com"),
        ("domian:example.com", "domain:example.com"),
        ("example.com", "domain:example.com"),
        (
            "claude-agent@claude-payments-dev.iam.gserviceaccount.com",
            "serviceAccount:claude-agent@claude-payments-dev.iam.gserviceaccount.com",
        ),
        (
            "sa:claude-agent@claude-payments-dev.iam.gserviceaccount.com",
            "serviceAccount:claude-agent@claude-payments-dev.iam.gserviceaccount.com",
        ),
    ],
)
def test_a_member_without_its_prefix_gets_the_prefixed_form(member: str, meant: str) -> None:
    line = error_line(with_section(access={"members": [member]}))
    assert line.startswith(
        f'invalid config claude-vertex:access.members[0]: "{member}" — the member `{member}` is not a principal form '
        f"claude-vertex recognises (did you mean {meant}?){MEMBER_RULE_START}"
    )
    # The policy pack reads members with the same grammar, so its violation carries the same suggestion.
    assert f"(did you mean {meant}?)" in (parse_member(member).problem or "")


@pytest.mark.parametrize("member", ["projectOwner:claude-payments-dev", "payments developers", "hello"])
def test_a_member_nothing_is_close_to_gets_no_guess(member: str) -> None:
    assert "did you mean" not in error_line(with_section(access={"members": [member]}))


def test_a_suggested_member_parses() -> None:
    """What the suggestion offers is itself a member the reader accepts."""
    for typed in ("alice@example.com", "usr:alice@example.com", "x-agent@claude-payments-dev.iam.gserviceaccount.com"):
        problem = parse_member(typed).problem or ""
        suggested = problem.split("(did you mean ", 1)[1].split("?", 1)[0].split(",", 1)[0]
        assert parse_member(suggested).problem is None, suggested


def write_stack(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "Pulumi.team.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def stack_file(**sections: Any) -> dict[str, Any]:
    return {f"claude-vertex:{key}": value for key, value in with_section(**sections).items()}


def test_make_preview_prints_the_typo_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_stack(tmp_path, stack_file(guardrails={"budget": {"monthlyBudget": 2000}}))
    assert preview.main(["--stack", "team", "--config-file", str(path)]) == preview.EXIT_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "error: invalid config claude-vertex:guardrails.budget.monthlyBudget: 2000 — unknown key (did you mean "
        f"monthlyAmount?); monthlyAmount is required and missing; allowed keys: {BUDGET_KEYS}"
    ]


def test_make_preview_suggests_the_namespace_and_the_top_level_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Pulumi.team.yaml"
    path.write_text("config:\n  claude-vertx:team: payments\n")
    assert preview.main(["--stack", "team", "--config-file", str(path)]) == preview.EXIT_CONFIG
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        f"error: {path}: line 2: config.claude-vertx:team: no provider of this program reads claude-vertx:* config "
        "(did you mean claude-vertex:team?); "
    )
    path.write_text("confg:\n  claude-vertex:team: payments\n")
    assert preview.main(["--stack", "team", "--config-file", str(path)]) == preview.EXIT_CONFIG
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: {path}: line 1: confg: unknown top-level key (did you mean config?); allowed: ")


@pytest.mark.slow
def test_the_preview_command_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    """As a person runs it: `python -m tools.preview` (what `make preview` runs) on a stack file with the typo."""
    path = write_stack(tmp_path, stack_file(access={"members": ["alice@example.com"]}))
    result = subprocess.run(
        [sys.executable, "-m", "tools.preview", "--stack", "team", "--config-file", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == preview.EXIT_CONFIG and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        'error: invalid config claude-vertex:access.members[0]: "alice@example.com" — the member `alice@example.com` '
        "is not a principal form claude-vertex recognises (did you mean user:alice@example.com, or "
        "group:alice@example.com for a Google group?); allowed: "
    )
