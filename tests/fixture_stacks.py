"""The suite's own stack files (tests/stacks/), apart from the repository's.

A test that needs *a* stack takes one of these, through `--config-file` or a stacks directory, never one of
the repository's examples: a platform team deletes the examples before its first merge (docs/gitops.md,
step 2) and adds its own teams, and the suite must hold in that repository too. Tests *about* the
repository's stack files parametrize over whichever are there, none included.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tools import preview

FIXTURES = Path(__file__).resolve().parent / "stacks"
DEV = FIXTURES / "Pulumi.dev.yaml"
"""The README's `dev` (what `make preview` prints); its config equals the repository's Pulumi.dev.yaml while
that example exists (tests/test_stacks.py)."""
PAYMENTS = FIXTURES / "Pulumi.payments.yaml"
"""Every optional section on: a created project, CI identity for GitHub and GitLab, models enabled and
restricted, a budget, quota caps, telemetry. Every output the program can export."""
GATEWAY_FIXTURES = FIXTURES / "gateway"
"""The suite's gateway project: a gateway stack and the two team stacks it serves, beside it as Pulumi needs them
(the program reads a gateway's teams from the directory it runs in)."""
GATEWAY = GATEWAY_FIXTURES / "Pulumi.gateway.yaml"


def gateway_project(destination: Path) -> Path:
    """A project directory of the suite's gateway: Pulumi.yaml and the gateway's and its teams' stack files."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(preview.ROOT / "Pulumi.yaml", destination / "Pulumi.yaml")
    for stack_file in GATEWAY_FIXTURES.glob("Pulumi.*.yaml"):
        shutil.copyfile(stack_file, destination / stack_file.name)
    return destination


def fixture_args(path: Path) -> list[str]:
    """`tools.preview` arguments that render a fixture under its own stack name."""
    return ["--stack", stack_of(path), "--config-file", str(path)]


def stack_of(path: Path) -> str:
    return path.name.removeprefix("Pulumi.").removesuffix(".yaml")


def every_stack_file() -> list[Path]:
    """The repository's stack files (the examples, a platform team's own, or none) and the suite's: never empty."""
    return [*sorted(preview.ROOT.glob("Pulumi.*.yaml")), *sorted(FIXTURES.glob("Pulumi.*.yaml"))]


def team_stack_files() -> list[Path]:
    """Every stack file of `every_stack_file` that is a team's."""
    return [path for path in every_stack_file() if not preview.is_gateway_stack(path)]


def gateway_stack_files() -> list[Path]:
    """The repository's gateway stacks (the example, a platform team's own), or the suite's when there are none:
    never empty. (Not both: the suite's is the example's twin, and a gateway stack is the end-to-end suite's
    longest run.)"""
    return [path for path in every_stack_file() if preview.is_gateway_stack(path)] or [GATEWAY]


def stacks_here() -> str:
    """What the preview appends to a stack-file error: the repository's own stack files, or none."""
    return f"(stacks here: {', '.join(preview.available_stacks()) or 'none'})"
