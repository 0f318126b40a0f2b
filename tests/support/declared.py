"""The component distribution's own declaration, components/pyproject.toml, as the tests read it.

The dependency ranges are declared there once; the import-time check reads them back from the installed
metadata, and the tests (the check's, the bounds') read them from here.
"""

from __future__ import annotations

import tomllib
from functools import cache

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tools.stack_file import ROOT

COMPONENTS = ROOT / "components"


@cache
def project() -> dict:
    """The `[project]` table."""
    return tomllib.loads((COMPONENTS / "pyproject.toml").read_text())["project"]


def requirements() -> list[str]:
    """The declared dependencies, as written."""
    return list(project()["dependencies"])


def supported(name: str) -> SpecifierSet:
    """The declared range of dependency `name`."""
    (specifier,) = [Requirement(line).specifier for line in requirements() if Requirement(line).name == name]
    return specifier


def bound(name: str, operator: str) -> str:
    """The version of the one `operator` bound (`>=`, `<`) of dependency `name`."""
    (version,) = [part.version for part in supported(name) if part.operator == operator]
    return version
