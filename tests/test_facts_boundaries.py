"""Who may import what: the GCP facts import nothing, the pack imports nothing of the program, the doctor neither.

The pack is enforced where the program is not installed (a published pack), and the doctor is installed alone on a
developer's machine: each carries the facts (`claude_vertex_gcp`), never the program or pulumi-gcp. Each
check imports every module in a fresh interpreter and lists what got loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

LOADED = """
import importlib, json, pkgutil, sys
before = set(sys.modules)
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, prefix=name + "."):
        if not info.name.endswith(".__main__"):  # runs the command
            importlib.import_module(info.name)
print(json.dumps(sorted({m.split(".")[0] for m in set(sys.modules) - before})))
"""


def loaded_by(*packages: str, cwd: Path = ROOT) -> set[str]:
    """The top-level modules importing every module of these packages loads, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", LOADED, *packages], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout))


def test_the_facts_import_only_the_standard_library() -> None:
    outside = {m for m in loaded_by("claude_vertex_gcp") if m not in sys.stdlib_module_names}
    assert outside == {"claude_vertex_gcp"}


def test_the_pack_imports_nothing_of_the_program() -> None:
    loaded = loaded_by("claude_vertex_policies", cwd=ROOT / "policies")
    assert "claude_vertex_gcp" in loaded and "pulumi_policy" in loaded
    assert loaded & {"claude_vertex", "pulumi_gcp", "pydantic", "tests", "tools"} == set()


def test_the_doctor_imports_nothing_of_the_program_or_of_pulumi() -> None:
    loaded = loaded_by("claude_vertex_doctor")
    assert "claude_vertex_gcp" in loaded and "anthropic" in loaded
    # (pydantic comes with the anthropic SDK here; what must not come is the program or Pulumi.)
    assert loaded & {"claude_vertex", "pulumi", "pulumi_gcp", "pulumi_policy", "tests", "tools"} == set()


def test_the_doctors_gateway_path_needs_only_the_standard_library() -> None:
    """A developer behind the gateway has no Google credentials: its checks load no Google or Anthropic library."""
    script = (
        "import json, sys; before = set(sys.modules); import claude_vertex_doctor.gateway; "
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT / "doctor", capture_output=True, text=True, check=True, timeout=60
    )
    outside = {m for m in json.loads(out.stdout) if m not in sys.stdlib_module_names}
    assert outside == {"claude_vertex_doctor"}
