"""The end-to-end suite's fixtures: the real CLI (`make engine`), offline, with a stand-in GCP of its own.

Each test gets a Pulumi installation of its own (`PULUMI_HOME`, a `file://` backend), the stand-in `gcp` provider
installed as the `gcp` plugin at the version the program's pulumi-gcp asks for, a stand-in cloud (the provider's
state file) and a local IAM for the readiness gate, and a scratch copy of the project to run in (`pulumi stack
init` writes the encryption salt into the stack file, so the checkout is never touched), with a gateway stack's team
stack files beside it, where the program reads them.

Under `make e2e` (CLAUDE_VERTEX_E2E=required) a missing engine fails the run; elsewhere the tests skip, saying why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from claude_vertex.config.gateway import parse_gateway_stack

from tests.support.engine.cli import Engine, EngineMissing, engine_bin
from tests.support.engine.policy_pack import write_pack_launcher
from tests.support.gcp_iam import stand_in_iam
from tests.support.gcp_provider import Cloud, install_arguments, write_launcher
from tests.support.render import Rendering
from tools import preview as offline
from tools.preview import is_gateway_stack
from tools.stack_file import read_stack

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("CLAUDE_VERTEX_E2E") == "required"


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    try:
        return engine_bin()
    except EngineMissing as missing:
        if REQUIRED:
            pytest.fail(str(missing), pytrace=False)
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def pack_launcher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's policy pack as the engine starts it (see tests/support/engine/policy_pack.py)."""
    return write_pack_launcher(tmp_path_factory.mktemp("policy-pack"))


@pytest.fixture
def cloud(tmp_path: Path) -> Cloud:
    """The stand-in GCP this test's provider plugin reads and writes."""
    return Cloud(tmp_path / "cloud.json")


@pytest.fixture
def engine(bin_dir: Path, tmp_path: Path, cloud: Cloud) -> Iterator[Engine]:
    """A Pulumi installation of this test's own, with the stand-in provider installed and a local IAM running."""
    home, backend = tmp_path / "pulumi-home", tmp_path / "backend"
    backend.mkdir()
    with stand_in_iam() as google:
        engine = Engine(bin=bin_dir, home=home, backend=backend, extra_env={**cloud.environment, **google})
        engine.pulumi(*install_arguments(write_launcher(tmp_path / "gcp-plugin")), cwd=tmp_path)
        yield engine


def scratch_project(source: Path, destination: Path, stack_files: Sequence[Path] = (), *, teams: bool = True) -> Path:
    """A copy of the Pulumi project in `source` (its Pulumi.yaml and __main__.py) with `stack_files` beside it, and,
    for a gateway stack, the team stack files it serves from beside it (the program reads them from the directory
    Pulumi runs it in; `teams=False` leaves them out)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        if (source / name).exists():
            shutil.copyfile(source / name, destination / name)
    for stack_file in stack_files:
        shutil.copyfile(stack_file, destination / stack_file.name)
        for team_file in served_stack_files(stack_file) if teams else ():
            shutil.copyfile(team_file, destination / team_file.name)
    return destination


def served_stack_files(stack_file: Path) -> list[Path]:
    """The team stack files a gateway stack names (`gateway.teams`), beside it; none for a team's stack file."""
    if not is_gateway_stack(stack_file):
        return []
    project, config = read_stack(stack_file, ROOT)
    raw = {key.removeprefix(f"{project}:"): value for key, value in config.items()}
    return [stack_file.parent / f"Pulumi.{team}.yaml" for team in parse_gateway_stack(raw).teams]


def init_stack(engine: Engine, stack_file: Path, tmp_path: Path) -> tuple[str, Path]:
    """A scratch copy of this project with `stack_file` (and a gateway's teams), its stack created (`pulumi stack
    init` writes the salt into the copy): (stack name, project directory)."""
    stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    work = scratch_project(ROOT, tmp_path / "project", [stack_file])
    engine.pulumi("stack", "init", stack, cwd=work)
    return stack, work


def offline_rendering(stack_file: Path, *, preview: bool) -> Rendering:
    """The offline preview's rendering of a scratch project's stack file (`tools.preview`), run from the project's
    directory as the engine runs the program there (a gateway reads its teams' stack files from it)."""
    stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    with contextlib.chdir(stack_file.parent):
        project, config = offline.read_config(stack, stack_file)
        return offline.render_config(project, stack, config, engine_preview=preview)
