"""Evaluate fixtures directly against the pure rules, and compare findings with a case's expectations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from claude_vertex_policies.rules import RULES, RULES_BY_NAME, EngineStack, ResourceRule, StackResource
from policy_cases import Case
from policy_records import STACK

from tests.support.analyzer import Violation


def stack_resources(records: Iterable[dict[str, Any]]) -> list[StackResource]:
    """Records as `AnalyzeStack` presents them (outputs when present, else inputs)."""
    return [
        StackResource(
            urn=r["urn"],
            type=r["type"],
            name=r["name"],
            props=r["outputs"] if r.get("outputs") is not None else r.get("inputs", {}),
            parent=r.get("parent") or None,
            dependencies=tuple(r.get("dependencies", ())),
            property_dependencies={k: tuple(v) for k, v in r.get("propertyDependencies", {}).items() if v},
        )
        for r in records
    ]


def direct_findings(
    rule_name: str, records: Sequence[dict[str, Any]], config: dict | None = None, stack: str = STACK
) -> list[tuple[str, str]]:
    """(record name, message) for one rule, evaluated without the SDK or gRPC, for the stack the engine names."""
    rule = RULES_BY_NAME[rule_name]
    if isinstance(rule, ResourceRule):
        return [
            (r["name"], m)
            for r in records
            for m in rule.evaluate(r["type"], r["inputs"], config, name=r["name"], parent=r.get("parent") or "")
        ]
    names = {r["urn"]: r["name"] for r in records}
    return [(names[urn], m) for urn, m in rule.evaluate(stack_resources(records), config, EngineStack(stack or None))]


def direct_violations(records: Sequence[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(policy, default level, record name) for every rule at its default config."""
    return [
        (rule.info.name, rule.info.enforcement.value, name)
        for rule in RULES
        for name, _ in direct_findings(rule.info.name, records)
    ]


def protocol_findings(
    violations: Iterable[Violation], rule_name: str, records: Sequence[dict[str, Any]]
) -> list[tuple[str, str]]:
    names = {r["urn"]: r["name"] for r in records}
    return [(names.get(v.urn, v.urn), v.message) for v in violations if v.policy == rule_name]


def assert_matches(case: Case, found: list[tuple[str, str]]) -> None:
    """Exactly the expected resources are flagged, each with a message containing the expected fragment."""
    expected_names = {name for name, _ in case.expect}
    found_names = {name for name, _ in found}
    assert found_names == expected_names, (
        f"{case.rule}/{case.id}: flagged {sorted(found_names)}, expected {sorted(expected_names)}: {found}"
    )
    for name, fragment in case.expect:
        messages = [m for n, m in found if n == name]
        assert any(fragment in m for m in messages), (
            f"{case.rule}/{case.id}: no message on {name} contains {fragment!r}: {messages}"
        )
