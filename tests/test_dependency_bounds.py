"""The pulumi and pulumi-gcp ranges components/pyproject.toml declares hold at both ends (`make test-bounds`).

Two virtualenvs under .cache/bounds/, rebuilt on every run: claude-vertex installed from ./components with its
requirements at the lowest versions the ranges allow (uv's `--resolution lowest-direct`: pulumi and pulumi-gcp
at their `>=` bounds, pydantic, PyYAML, packaging ... at theirs) and at the newest PyPI has within them. In
each, the Python example (two teams, every resource type the component registers) is rendered under the mocks
and judged by the policy pack, and the component provider host's analyzer generates the package schema. Both
ends must register the same resources with the same inputs, edges and aliases, and serve the same schema.

What breaks below each lower bound (found by bisecting PyPI's releases with these same steps):
pulumi-gcp 9.29 has no `gcp.vertex.AiModelGardenEnableModel` (an AttributeError in resources/model_access.py
as soon as `vertex.enableModels` is on); pulumi 3.236's analyzer raises `TypeError: issubclass() arg 1 must be
a class` on the `NotRequired[...]` args (it learnt `NotRequired` in 3.237).

Network (PyPI) and a few minutes on a cold cache: left out of `make test` (marker `venvs`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from packaging.version import Version

from tests.support import declared
from tests.support.consumer import Probe, Resolution, bounds_virtualenv, judge, probe
from tests.support.render import ROOT
from tests.support.teams import edges_across_teams, teams

pytestmark = pytest.mark.venvs

EXAMPLE = ROOT / "examples" / "python"
BOUNDED = ("pulumi", "pulumi-gcp")
ENDS: tuple[Resolution, ...] = ("lowest-direct", "highest")


@pytest.fixture(scope="module")
def ends() -> Iterator[dict[Resolution, Probe]]:
    found = {}
    for resolution in ENDS:
        python, install_seconds = bounds_virtualenv(resolution)
        found[resolution] = probe(python, EXAMPLE, install_seconds)
    yield found


def test_the_lowest_end_runs_exactly_the_declared_lower_bounds(ends: dict[Resolution, Probe]) -> None:
    installed = ends["lowest-direct"].versions
    assert {name: installed[name] for name in BOUNDED} == {name: declared.bound(name, ">=") for name in BOUNDED}


def test_the_newest_end_stays_inside_the_ranges(ends: dict[Resolution, Probe]) -> None:
    installed = ends["highest"].versions
    for name in BOUNDED:
        assert Version(installed[name]) in declared.supported(name), name
        assert Version(installed[name]) >= Version(ends["lowest-direct"].versions[name])


@pytest.mark.parametrize("resolution", ENDS)
def test_each_end_renders_two_independent_teams_that_pass_the_policy_pack(
    ends: dict[Resolution, Probe], resolution: Resolution
) -> None:
    found = ends[resolution]
    resources = found.records[1:]  # the root stack first, as the engine sends it
    assert len(teams(resources)) == 2 and edges_across_teams(resources) == []
    assert judge(found) == []
    versions = ", ".join(f"{name} {version}" for name, version in found.versions.items())
    print(
        f"{resolution}: Python {found.report['python']}, {versions}; {len(resources)} resources; "
        f"install {found.install_seconds:.1f} s, render and schema {found.probe_seconds:.1f} s"
    )


def test_both_ends_register_the_same_resources_with_the_same_aliases(ends: dict[Resolution, Probe]) -> None:
    lowest, newest = ends["lowest-direct"], ends["highest"]
    assert lowest.normalized_records() == newest.normalized_records()
    assert lowest.report["aliases"] == newest.report["aliases"]
    assert lowest.report["outputs"] == newest.report["outputs"]
    assert lowest.report["warnings"] == newest.report["warnings"]


def test_both_ends_serve_the_same_package_schema(ends: dict[Resolution, Probe]) -> None:
    schema = ends["lowest-direct"].report["schema"]
    assert schema["resources"]["claude-vertex:index:ClaudeVertexTeam"]["isComponent"] is True
    assert schema == ends["highest"].report["schema"]
