"""An unsupported pulumi or pulumi-gcp is one line naming the installed version, the supported range and the fix.

The ranges are declared once, in components/pyproject.toml, and read back on import from the installed
distribution's metadata. The subprocess tests install a stand-in: a directory of distribution metadata put ahead
of the real site-packages (a `claude_vertex-<v>.dist-info` declaring this checkout's own ranges, and a
`pulumi_gcp-<v>.dist-info` of the version under test), exactly what `importlib.metadata` reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from claude_vertex.requirements import DISTRIBUTION, requirement_problems
from packaging.requirements import Requirement
from packaging.version import Version

from tests.support import declared
from tests.support.render import ROOT

DECLARED = declared.requirements()


def lower(name: str) -> str:
    return declared.bound(name, ">=")


def upper(name: str) -> str:
    return declared.bound(name, "<")


def test_the_distribution_name_is_the_one_pyproject_declares() -> None:
    assert declared.project()["name"] == DISTRIBUTION


def test_the_ranges_have_a_lower_bound_and_stop_below_a_major_release() -> None:
    for name in ("pulumi", "pulumi-gcp"):
        low, high = Version(lower(name)), Version(upper(name))
        assert high.major > low.major and high.release[1:] in ((), (0,), (0, 0)), f"{name}: {low} .. {high}"


def test_the_repositorys_own_pins_are_inside_the_ranges() -> None:
    """requirements.txt pins the versions the repository runs; they must be versions the package supports."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if "==" in text:
            requirement = Requirement(text)
            pins[requirement.name] = next(iter(requirement.specifier)).version
    pinned = [line for line in DECLARED if Requirement(line).name in pins]
    assert {Requirement(line).name for line in pinned} == {"pulumi", "pulumi-gcp"}
    assert requirement_problems(pinned, pins.get) is None


def installed(**versions: str | None) -> object:
    known = {"pulumi": "3.272.0", "pulumi-gcp": "10.2.0", "pydantic": "2.9.0", "pyyaml": "6.0", "packaging": "24.0"}
    known.update({"google-auth": "2.30.0", "requests": "2.31.0"})
    known.update({name.replace("_", "-"): version for name, version in versions.items()})
    return lambda name: known.get(name.lower())


def test_supported_versions_pass() -> None:
    assert requirement_problems(DECLARED, installed()) is None  # type: ignore[arg-type]
    at_the_bounds = installed(pulumi=lower("pulumi"), pulumi_gcp=lower("pulumi-gcp"))
    assert requirement_problems(DECLARED, at_the_bounds) is None  # type: ignore[arg-type]


def test_a_pulumi_gcp_below_the_range_is_one_line_with_the_fix() -> None:
    problem = requirement_problems(DECLARED, installed(pulumi_gcp="8.41.1"))  # type: ignore[arg-type]
    wanted = f"pulumi-gcp>={lower('pulumi-gcp')},<{upper('pulumi-gcp')}"
    assert problem == (f"claude-vertex supports {wanted}; installed: pulumi-gcp 8.41.1. Fix: pip install '{wanted}'")


def test_a_next_major_a_missing_sdk_and_a_pre_release() -> None:
    above = requirement_problems(DECLARED, installed(pulumi_gcp=f"{upper('pulumi-gcp')}.0.0"))  # type: ignore[arg-type]
    assert above is not None and f"installed: pulumi-gcp {upper('pulumi-gcp')}.0.0." in above
    missing = requirement_problems(DECLARED, installed(pulumi_gcp=None))  # type: ignore[arg-type]
    assert missing is not None and "installed: no pulumi-gcp." in missing
    # A development build of a supported release is supported.
    assert requirement_problems(DECLARED, installed(pulumi="3.300.0a1733000000")) is None  # type: ignore[arg-type]


def test_every_unsupported_requirement_is_on_the_one_line() -> None:
    problem = requirement_problems(DECLARED, installed(pulumi="3.200.0", pulumi_gcp="8.0.0"))  # type: ignore[arg-type]
    assert problem is not None and "\n" not in problem
    assert "installed: pulumi 3.200.0, pulumi-gcp 8.0.0." in problem
    assert problem.endswith(
        f"pip install 'pulumi>={lower('pulumi')},<{upper('pulumi')}' "
        f"'pulumi-gcp>={lower('pulumi-gcp')},<{upper('pulumi-gcp')}'"
    )


def test_a_requirement_for_another_environment_is_not_judged() -> None:
    declared = ['tomli>=2; python_version < "3.11"', "pulumi>=3.237.0,<4", 'extra-thing>=1; extra == "docs"']
    assert requirement_problems(declared, installed()) is None  # type: ignore[arg-type]


def test_an_unreadable_installed_version_is_unsupported() -> None:
    problem = requirement_problems(["pulumi>=3.237.0,<4"], lambda name: "not-a-version")
    assert problem is not None and "installed: pulumi not-a-version." in problem


def _metadata(directory: Path, name: str, version: str, requires: list[str] = ()) -> None:  # type: ignore[assignment]
    info = directory / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        *(f"Requires-Dist: {r}" for r in requires),
    ]
    (info / "METADATA").write_text("\n".join(lines) + "\n")


LANGUAGE_HOST = """
import sys
import pulumi
try:
    import claude_vertex
except pulumi.RunError as error:  # what the Python language host prints without a traceback
    print(f"error: {error}")
    sys.exit(32)
print("imported")
"""


def _import_with(tmp_path: Path, gcp_version: str) -> subprocess.CompletedProcess[str]:
    """`import claude_vertex` as the program's first line, with this checkout's declared ranges installed and the
    given pulumi-gcp version."""
    stand_in = tmp_path / "site"
    _metadata(stand_in, DISTRIBUTION, "1.0.0", DECLARED)
    _metadata(stand_in, "pulumi-gcp", gcp_version)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(stand_in), str(ROOT / "components")])}
    return subprocess.run(
        [sys.executable, "-c", LANGUAGE_HOST], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.slow
def test_importing_with_pulumi_gcp_8_is_one_run_error_line(tmp_path: Path) -> None:
    done = _import_with(tmp_path, "8.41.1")
    wanted = f"pulumi-gcp>={lower('pulumi-gcp')},<{upper('pulumi-gcp')}"
    assert (done.returncode, done.stdout, done.stderr) == (
        32,
        f"error: claude-vertex supports {wanted}; installed: pulumi-gcp 8.41.1. Fix: pip install '{wanted}'\n",
        "",
    )


@pytest.mark.slow
def test_importing_with_a_supported_pulumi_gcp_loads(tmp_path: Path) -> None:
    done = _import_with(tmp_path, lower("pulumi-gcp"))
    assert (done.returncode, done.stdout.strip()) == (0, "imported"), done.stderr
