"""The suite's gateway stack (tests/stacks/gateway/: a gateway serving two teams) rendered by the real program under
the mocks, in a project directory of its own, as `pulumi up` runs it: Pulumi.yaml and the stack files side by side,
the working directory the program reads its teams' stack files from. No test depends on the repository's examples.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from claude_vertex_gcp.resource_types import CLOUD_RUN_JOB

from tests.support.render import Rendering
from tools.stack_file import ROOT, read_stack

STACKS = ROOT / "tests" / "stacks" / "gateway"
STACK = "gateway"


def make_project(directory: Path, stacks: Path = STACKS) -> Path:
    """`directory` as a project: the repository's Pulumi.yaml and the gateway's and its teams' stack files."""
    shutil.copy(ROOT / "Pulumi.yaml", directory)
    for stack_file in stacks.glob("Pulumi.*.yaml"):
        shutil.copy(stack_file, directory)
    return directory


@contextlib.contextmanager
def gateway_project() -> Iterator[Path]:
    """A temporary project with the suite's gateway stack, as the working directory."""
    with (
        tempfile.TemporaryDirectory(prefix="gateway-project-") as scratch,
        contextlib.chdir(make_project(Path(scratch))),
    ):
        yield Path(scratch)


@functools.cache
def rendered_gateway() -> Rendering:
    """The suite's gateway stack as the program registers and exports it (rendered once per process)."""
    from tests.support.render import render_stack

    with gateway_project() as project:
        config = read_stack(project / f"Pulumi.{STACK}.yaml", project)[1]
        return render_stack(STACK, config)


def rendered_gateway_yaml() -> str:
    """The `gatewayConfig` output of the suite's gateway stack: the gateway.yaml `pulumi up` would deploy."""
    return rendered_gateway().outputs["gatewayConfig"]


def spend_cap_job() -> tuple[list[str], dict[str, str]]:
    """The spend-cap job's command and its plain environment, as the stack registers the Cloud Run job."""
    (job,) = [r for r in rendered_gateway().resources if r["type"] == CLOUD_RUN_JOB]
    (container,) = job["inputs"]["template"]["template"]["containers"]
    plain = {env["name"]: env["value"] for env in container["envs"] if "value" in env}
    return [*container["commands"], *container["args"]], plain
