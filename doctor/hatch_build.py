"""Build hook: ship the GCP facts (`claude_vertex_gcp`) inside the doctor's wheel and sdist.

The doctor is installed on its own (`pipx install "git+<repo>#subdirectory=doctor"`, `uvx --from ...`), without the
program, so it cannot depend on the `claude-vertex` distribution that holds the facts, and no package index serves
them. The build copies the one declaration in from `../components/claude_vertex_gcp` of the checkout it is built in
(pip and uv clone the whole repository for a `#subdirectory=` URL), or from the sdist's own copy when a wheel is built
from an sdist. Editable installs get nothing: in the repository's own virtualenv the facts come live from the
editable `claude-vertex` install, and a copy here would shadow the checkout's files with a stale one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "claude_vertex_gcp"


class FactsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "editable":
            return
        root = Path(self.root)
        for source in (root.parent / "components" / PACKAGE, root / PACKAGE):
            if (source / "__init__.py").is_file():
                build_data["force_include"][str(source)] = PACKAGE
                return
        raise FileNotFoundError(
            f"{PACKAGE} not found beside the doctor (../components/{PACKAGE}) or in this sdist: build the doctor from "
            "a checkout of the whole repository"
        )
