"""The issue's "Done when", as a consumer does it (`make test-install`).

A fresh virtualenv (`python -m venv` in a temporary directory); `pip install` of the Python example's local
requirements, which is `pip install ./components` from this tree, with pip's own cache; then the example, a short
program with two `ClaudeVertexTeam`, rendered under the mocks by that virtualenv's interpreter with the package it
installed, and judged by the policy pack. The time each step took is printed (`pytest -rP`).

About a minute even with pip's cache warm (most of it pip building the wheel and installing pulumi-gcp), and
it needs PyPI: too slow for `make test`, so it has its own target (marker `venvs`), which CI runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.consumer import judge, pip_virtualenv, probe
from tests.support.render import ROOT
from tests.support.teams import edges_across_teams, teams

pytestmark = pytest.mark.venvs

EXAMPLE = ROOT / "examples" / "python"


def test_a_fresh_virtualenv_renders_two_teams_with_the_pack_passing(tmp_path: Path) -> None:
    python, install_seconds = pip_virtualenv(tmp_path / "venv", EXAMPLE)
    found = probe(python, EXAMPLE, install_seconds)
    resources = found.records[1:]
    grouped = teams(resources)
    assert sorted(urn.rsplit("::", 1)[1] for urn in grouped) == ["payments", "research"]
    assert edges_across_teams(resources) == []
    assert judge(found) == []
    print(
        f"fresh virtualenv: pip install {install_seconds:.1f} s, render {found.probe_seconds:.1f} s; "
        f"claude-vertex {found.versions['claude-vertex']}, pulumi {found.versions['pulumi']}, "
        f"pulumi-gcp {found.versions['pulumi-gcp']}; {len(resources)} resources"
    )
