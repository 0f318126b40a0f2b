"""`.ci/run`, the CI entry point: it previews every stack file there is, and a repository without any passes.

`make`, `faketime`, `pg_ctlcluster` and the virtualenv's python are stand-ins that record their arguments: what is
checked is the script's own steps and loop, in a scratch copy of the repository root holding only the stack files of
each case.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.render import ROOT

CI_RUN = ROOT / ".ci" / "run"
RECORDER = '#!/bin/sh\necho "$(basename "$0") $*" >> "$CALLS"\n'

pytestmark = pytest.mark.skipif(not CI_RUN.is_file(), reason=".ci/run is not in this repository")


@pytest.mark.slow
@pytest.mark.parametrize("stacks", [(), ("payments", "research")], ids=["no-stack-file", "two-teams"])
def test_every_stack_file_is_previewed_and_none_is_fine(tmp_path: Path, stacks: tuple[str, ...]) -> None:
    root = tmp_path / "repo"
    (root / ".ci").mkdir(parents=True)
    (root / ".ci" / "run").write_text(CI_RUN.read_text())
    (root / "Pulumi.yaml").write_text("name: claude-vertex\n")  # the project file is not a stack
    for stack in stacks:
        (root / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    recorded = ("make", "faketime", "pg_ctlcluster")
    for tool in (*(tmp_path / "bin" / name for name in recorded), root / ".venv" / "bin" / "python"):
        tool.parent.mkdir(parents=True, exist_ok=True)
        tool.write_text(RECORDER)
        tool.chmod(0o755)
    calls = tmp_path / "calls"
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "CALLS": str(calls)}

    done = subprocess.run(["bash", str(root / ".ci" / "run")], env=env, capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"offline preview of stack {stack}: ok" for stack in stacks]
    assert calls.read_text().splitlines() == [
        "make venv",
        "make lint",
        "make test",
        "make engine",
        "make e2e",
        "make test-gateway",
        "make test-dates",
        "make test-bounds",
        "make test-install",
        "make test-sdks",
        *(f"python -m tools.preview --stack {stack}" for stack in stacks),
    ]
