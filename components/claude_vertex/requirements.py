"""The installed requirements, checked against the ranges this distribution declares, when it is imported.

An unsupported SDK otherwise fails far from its cause: pulumi-gcp below 9.30 has no
`gcp.vertex.AiModelGardenEnableModel`, which surfaces as an `AttributeError` traceback halfway through a
program; pulumi below 3.237 cannot read the `NotRequired` args when another language constructs the component.
The ranges are declared once, in components/pyproject.toml; this module reads them back from the installed
distribution's metadata (`Requires-Dist`), so a wheel, an editable install and a git URL all check what they
were built with. Run from a source tree that is not installed, nothing is declared and nothing is checked.

`packaging.specifiers` judges a version (pulumi itself depends on packaging); the requirement lines are split by
hand, because `packaging.requirements` costs 10 ms of import time on every run of every program that uses the
component, for a format the build backend writes in one shape.
"""

import re
from collections.abc import Callable, Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

DISTRIBUTION = "claude-vertex"
"""The distribution name components/pyproject.toml declares (`[project] name`)."""

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*"
    r"(?P<specifier>[^;]*?)\s*(?:;(?P<marker>.*))?$"
)
"""A `Requires-Dist` line as the build backend writes it: `name[extras]<specifiers>; <marker>`."""


def requirement_problems(declared: Iterable[str], installed: Callable[[str], str | None]) -> str | None:
    """One line naming every declared requirement whose installed version is missing or out of range, the
    supported ranges and the pip command that fixes them; None when every requirement is met.

    `declared` are `Requires-Dist` lines; `installed(name)` is a distribution's version, None when absent.
    A requirement whose environment marker does not hold here (another Python, an extra) is not checked.
    """
    wanted: list[str] = []
    found: list[str] = []
    for line in declared:
        match = _REQUIREMENT.match(line)
        if match is None:
            continue  # not a requirement line the build backend writes; nothing to judge it by
        if match["marker"] and not _marker_holds(match["marker"]):
            continue
        name = match["name"]
        try:
            specifier = SpecifierSet(match["specifier"])
        except InvalidSpecifier:
            continue
        version = installed(name)
        if version is not None:
            try:
                if specifier.contains(Version(version), prereleases=True):
                    continue
            except InvalidVersion:
                pass
        wanted.append(name + _lower_bound_first(specifier))
        found.append(f"{name} {version}" if version is not None else f"no {name}")
    if not wanted:
        return None
    quoted = " ".join(f"'{requirement}'" for requirement in wanted)
    return f"{DISTRIBUTION} supports {' and '.join(wanted)}; installed: {', '.join(found)}. Fix: pip install {quoted}"


def installed_problems() -> str | None:
    """`requirement_problems` for this environment and the installed distribution's own declaration."""
    from importlib.metadata import PackageNotFoundError, requires, version

    try:
        declared = requires(DISTRIBUTION) or []
    except PackageNotFoundError:
        return None  # a source tree on sys.path, not an installed distribution: no declared ranges

    def installed(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return requirement_problems(declared, installed)


def check_installed_requirements() -> None:
    """Refuse to load with an unsupported pulumi, pulumi-gcp (or any other requirement), in one line.

    A `pulumi.RunError`, so the Pulumi language host prints the line without a traceback. Without pulumi at all
    no program can run; the line then comes as an `ImportError`.
    """
    problem = installed_problems()
    if problem is None:
        return
    try:
        from pulumi import RunError
    except ImportError:
        raise ImportError(problem) from None
    raise RunError(problem)


def _marker_holds(marker: str) -> bool:
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(marker).evaluate({"extra": ""})
    except InvalidMarker:
        return True  # an unreadable condition: judge the requirement rather than skip it


def _lower_bound_first(specifier: SpecifierSet) -> str:
    """`>=9.30.0,<11` rather than packaging's sorted `<11,>=9.30.0`: how people write and read a range."""
    parts = sorted(str(part) for part in specifier)
    return ",".join(sorted(parts, key=lambda part: not part.startswith((">", "~", "=="))))
