"""Upgrading a stack to the package replaces nothing: every URN the program registered before
`ClaudeVertexTeam` existed is an alias of a resource it registers now.

`tests/golden/urns-before-package.json` holds the URNs the suite's stacks had at the last commit before the
package (rendered under the mocks, as of the suite's date). The aliases are worked out from what the program
sends, as the engine's step generator does: each alias spec collapsed to a URN, and every alias of a parent
inherited by its children (pulumi/pulumi, pkg/resource/deploy/step_generator.go, `generateAliases`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixture_stacks import DEV, PAYMENTS, stack_of
from tests.support.gcp_mocks import RecordingMonitor
from tests.support.render import render_stack
from tools.stack_file import read_stack_config

BEFORE = json.loads((Path(__file__).parent / "golden" / "urns-before-package.json").read_text())
PROJECT = "claude-vertex"
# Deliberately gone, not moved: the readiness gate was a dynamic resource (replaced in the package by a wait
# that registers nothing), and with it the engine's default provider for dynamic resources: destroying those
# two is the one change an upgrade makes.
REMOVED_TYPES = ("pulumi-python:dynamic", "pulumi:providers:pulumi-python")
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def urn(stack: str, parent: str | None, type_: str, name: str) -> str:
    """The URN of `name` of `type_` under `parent` (None or the root stack: no parent type in the chain)."""
    chain = ""
    if parent and qualified_type(parent) != ROOT_STACK_TYPE:
        chain = qualified_type(parent) + "$"
    return f"urn:pulumi:{stack}::{PROJECT}::{chain}{type_}::{name}"


def qualified_type(urn_: str) -> str:
    return urn_.split("::")[2]


def registrations(monkeypatch: pytest.MonkeyPatch, path: Path) -> tuple[str, list[tuple[str, Any]]]:
    """Each registration's URN and request, in order, for the stack file at `path`."""
    seen: list[tuple[str, Any]] = []
    original = RecordingMonitor.RegisterResource

    def register(self: RecordingMonitor, request: Any) -> Any:
        response = original(self, request)
        seen.append((response.urn, request))
        return response

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", register)
    stack = stack_of(path)
    rendering = render_stack(stack, read_stack_config(path, PROJECT))
    # The engine's own registrations (its default providers) come as they are: their URNs never had a parent.
    engine_made = {record.urn for record in rendering.resources} - {own for own, _ in seen}
    return stack, seen + [(own, None) for own in sorted(engine_made)]


def engine_aliases(stack: str, seen: list[tuple[str, Any]]) -> dict[str, set[str]]:
    """Every resource's alias URNs, as the engine derives them from the alias specs it receives."""
    aliases: dict[str, set[str]] = {}
    for own_urn, request in seen:
        found: set[str] = set()
        if request is None:
            aliases[own_urn] = found
            continue
        for alias in request.aliases:
            if alias.urn:
                found.add(alias.urn)
                continue
            spec = alias.spec
            parent = None if spec.noParent else (spec.parentUrn or request.parent or None)
            found.add(urn(spec.stack or stack, parent, spec.type or request.type, spec.name or request.name))
        for parent_alias in aliases.get(request.parent, set()):
            found.add(urn(stack, parent_alias, request.type, request.name))
        found.discard(own_urn)
        aliases[own_urn] = found
    return aliases


@pytest.mark.parametrize("path", [DEV, PAYMENTS], ids=stack_of)
def test_every_urn_before_the_package_is_an_alias_of_one_after_it(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    stack, seen = registrations(monkeypatch, path)
    aliases = engine_aliases(stack, seen)
    now = {own for own, _ in seen}
    covered: dict[str, list[str]] = {}
    for own, found in aliases.items():
        for old in found | {own}:
            covered.setdefault(old, []).append(own)
    before = [u for u in BEFORE[stack] if not qualified_type(u).split("$")[-1].startswith(REMOVED_TYPES)]
    assert len(before) >= len(BEFORE[stack]) - 2
    assert before, "the golden file lost the stack"
    missing = [u for u in before if u not in covered]
    assert missing == [], f"{len(missing)} resources would be replaced by `pulumi up` after the upgrade"
    ambiguous = {old: owners for old, owners in covered.items() if old in before and len(owners) > 1}
    assert ambiguous == {}, "an old URN must map to one resource"
    assert any(qualified_type(u).startswith("claude-vertex:index:ClaudeVertexTeam$") for u in now)
