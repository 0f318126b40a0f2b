"""GitLab CI configuration composed the way GitLab composes it, so that tests judge the jobs GitLab would run.

A job's identity, resource group or script may come from a hidden template it extends, in a file the pipeline
includes (.gitlab/ci/templates.yml). The two rules GitLab documents, and nothing more:

* `include: local` files are merged in first; the including file's keys win.
* `extends` merges the templates in order, then the job itself: mappings are merged key by key, at any
  depth; everything else (lists included) is replaced.

Variables are not expanded, except where a test asks (`expand`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.yaml12 import load_yaml12

GLOBAL_KEYWORDS = frozenset({"default", "include", "stages", "variables", "workflow", "spec"})
DEFAULT_STAGE = "test"
"""The stage of a job that names none."""


def merged(base: Any, override: Any) -> Any:
    """`override` over `base`: mappings key by key, at any depth; anything else replaced."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        return {**base, **{key: merged(base.get(key), value) for key, value in override.items()}}
    return override


def compose(text: str, root: Path) -> dict[str, Any]:
    """One configuration file's text with its `include: local` files (paths from `root`) merged in."""
    config = load_yaml12(text)
    includes = config.pop("include", [])
    base: dict[str, Any] = {}
    for entry in [includes] if isinstance(includes, str | dict) else includes:
        local = entry if isinstance(entry, str) else entry["local"]
        base = merged(base, compose((root / local.lstrip("/")).read_text(), root))
    return merged(base, config)


def resolved(config: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The job `name` with every template it extends merged in (GitLab allows chains of extends)."""
    job = dict(config[name])
    parents = job.pop("extends", [])
    result: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        result = merged(result, resolved(config, parent))
    return merged(result, job)


def visible_jobs(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every job GitLab would create (rules aside), resolved: not a global keyword, not hidden (`.name`)."""
    return {
        name: resolved(config, name)
        for name, value in config.items()
        if name not in GLOBAL_KEYWORDS and not name.startswith(".") and isinstance(value, Mapping)
    }


def script_lines(job: Mapping[str, Any]) -> list[str]:
    """What the runner executes for a job, in order: `before_script`, then `script` (anchors' lists flattened)."""

    def flat(items: Any) -> list[str]:
        if isinstance(items, str):
            return [items]
        return [line for item in items or [] for line in flat(item)]

    return flat(job.get("before_script")) + flat(job.get("script"))


def expand(text: str, variables: Mapping[str, str]) -> str:
    """`$NAME` and `${NAME}` replaced from `variables`, as GitLab expands a job keyword that supports them."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), text)
