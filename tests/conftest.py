"""Shared fixtures: render the real program under GCP-shaped mocks with a config written in the test.

The suite judges every stack as of one fixed date, `SUITE_DATE`, whatever the calendar says: the program reads
it from `CLAUDE_VERTEX_TODAY` (claude_vertex/config/clock.py), set here for the whole run and inherited by every
subprocess a test starts (the preview CLI, the fleet's workers). Tests that parse config directly pass it as
`today=`. Only the `calendar` test reads the real calendar, on purpose (tests/test_calendar.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from claude_vertex.config.clock import TODAY_VARIABLE

from tests.support.gcp_mocks import GcpMocks
from tests.support.render import Rendering, render_stack

SUITE_DATE = dt.date(2026, 11, 25)
"""The day every test judges stacks on: model retirements and default pins do not move under the suite."""


def pytest_configure(config: pytest.Config) -> None:
    os.environ[TODAY_VARIABLE] = SUITE_DATE.isoformat()


BASE_CONFIG: dict[str, Any] = {
    "claude-vertex:team": "payments",
    "claude-vertex:project": {
        "id": "claude-payments-dev",
        "billingAccount": "012345-6789AB-CDEF01",
        "folderId": "123456789012",
        "labels": {"cost-center": "cc-1234"},
    },
    "claude-vertex:vertex": {"region": "global"},
    "claude-vertex:access": {
        "members": ["group:payments-devs@example.com"],
        "serviceAccounts": [
            {"id": "claude-ci", "displayName": "Claude Code CI", "impersonators": ["group:payments-devs@example.com"]}
        ],
    },
}


def config_with(**sections: Any) -> dict[str, Any]:
    """BASE_CONFIG with whole sections replaced (`project=...`) or removed (`ci=None`)."""
    config = copy.deepcopy(BASE_CONFIG)
    for key, value in sections.items():
        full = f"claude-vertex:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return config


class Rendered:
    """A rendering with the lookups tests need: resources by type, by name, and their inputs."""

    def __init__(self, rendering: Rendering, mocks: GcpMocks) -> None:
        self.rendering = rendering
        self.mocks = mocks
        self.resources = [dict(r) for r in rendering.resources]  # plain data: tests compare and serialise it
        self.outputs = rendering.outputs
        self.warnings = rendering.warnings

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == type_]

    def named(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.resources if r["name"] == name and r["type"].startswith("gcp:")]
        assert len(matches) == 1, f"expected one resource named {name}, got {[r['name'] for r in self.resources]}"
        return matches[0]

    def urn_of(self, name: str) -> str:
        return self.named(name)["urn"]


@pytest.fixture
def render_config() -> Callable[..., Rendered]:
    def _render(config: dict[str, Any], stack: str = "test", unsupported: tuple[str, ...] = ()) -> Rendered:
        mocks = GcpMocks(unsupported_permissions=unsupported)
        return Rendered(render_stack(stack, config, mocks=mocks), mocks)

    return _render
