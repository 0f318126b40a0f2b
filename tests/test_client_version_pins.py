"""Every place that tells someone which Claude Code to install names the version the project pins.

The pin is declared once (`claude_vertex.render.ci_snippets.CLAUDE_CODE_VERSION`); the CI snippets and the gateway
image derive it (tests/test_ci_snippets.py, tests/test_gateway_program.py). Documentation spells it out for people
to copy, so it is checked here: a doc left at an older version would have developers install a client whose
model defaults and retirement table the catalog was not checked against.
"""

from __future__ import annotations

import re
from pathlib import Path

from claude_vertex.render.ci_snippets import CLAUDE_CODE_VERSION

ROOT = Path(__file__).resolve().parents[1]
NPM_SPEC = re.compile(r"@anthropic-ai/claude-code(?:-[a-z0-9-]+)?@([0-9A-Za-z.+-]+)")
"""`npm install @anthropic-ai/claude-code@X` (or a platform package): X is what a reader installs."""


def _documents() -> list[Path]:
    found = [ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("examples/**/*.md")]
    return sorted(p for p in found if p.is_file())


def test_every_npm_install_line_in_the_docs_names_the_pinned_version() -> None:
    stale = {
        f"{path.relative_to(ROOT)}:{match.group()}"
        for path in _documents()
        for match in NPM_SPEC.finditer(path.read_text(encoding="utf-8"))
        if match.group(1) != CLAUDE_CODE_VERSION
    }
    assert stale == set(), f"the project pins Claude Code {CLAUDE_CODE_VERSION}"


def test_the_check_sees_the_install_line_developers_copy() -> None:
    """The developers' gateway page tells them what to install: the check above must be reading it."""
    text = (ROOT / "docs" / "gateway-developers.md").read_text(encoding="utf-8")
    assert f"@anthropic-ai/claude-code@{CLAUDE_CODE_VERSION}" in text
