"""The package as a consumer gets it: a virtualenv of its own, claude-vertex installed there, a program rendered there.

Three ways to build the virtualenv, each the way a consumer (or a CI job standing in for one) would:

* `pip_virtualenv`: `python -m venv`, then pip installs a requirements file from the program's directory (the
  example's `requirements-local.txt`, which installs ./components), with pip's own cache. This is the issue's
  "Done when".
* `bounds_virtualenv`: uv (installed from PyPI into a tool virtualenv under .cache/) resolves claude-vertex's
  requirements to the lowest versions its ranges allow (`--resolution lowest-direct`) or to the newest PyPI
  has within them (`highest`), with its cache under .cache/uv.

Then `probe` renders the program in that virtualenv (`tests.support.probe`, the offline engine run by the
consumer's interpreter), and `judge` runs the policy pack, from this repository's virtualenv, over what it
registered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tests.support.analyzer import Violation, run_policy_pack
from tests.support.declared import COMPONENTS
from tools.stack_file import ROOT

CACHE = ROOT / ".cache"
UV_REQUIREMENT = "uv==0.13.9"
"""The uv that builds the bounds virtualenvs (PyPI), pinned so the resolution it makes is repeatable."""
INSTALL_TIMEOUT = 900.0
PROBE_TIMEOUT = 300.0

Resolution = Literal["lowest-direct", "highest"]


class ConsumerError(AssertionError):
    """A step of building or probing a consumer's virtualenv failed: the command and what it printed."""


@dataclass(frozen=True)
class Probe:
    """What `tests.support.probe` printed, with the virtualenv it ran in and how long each step took."""

    python: Path
    report: dict[str, Any]
    install_seconds: float
    probe_seconds: float

    @property
    def versions(self) -> dict[str, str]:
        return self.report["versions"]

    @property
    def records(self) -> list[dict[str, Any]]:
        return self.report["records"]

    def normalized_records(self) -> list[dict[str, Any]]:
        """The records with the installed pulumi-gcp version taken out: the engine names its default provider,
        and sets its `version` input, after the SDK's version, the one thing that must differ between two ends."""
        gcp = self.versions["pulumi-gcp"]
        text = json.dumps(self.records, sort_keys=True)
        text = text.replace(gcp.replace(".", "_"), "<gcp>").replace(f'"{gcp}"', '"<gcp>"')
        return json.loads(text)


def _run(command: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float) -> str:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        shown = " ".join(command)
        raise ConsumerError(
            f"{shown} (in {cwd}) exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return done.stdout


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would put this checkout's sources on the consumer's path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, **extra}


def pip_virtualenv(directory: Path, program: Path, requirements: str = "requirements-local.txt") -> tuple[Path, float]:
    """A fresh virtualenv in `directory` with `program`'s requirements installed by pip, run in `program` as
    `pulumi install` runs it; its interpreter and the seconds it took."""
    started = time.perf_counter()
    _run([sys.executable, "-m", "venv", str(directory)], timeout=INSTALL_TIMEOUT)
    python = directory / "bin" / "python"
    env = _clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1")
    _run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", requirements],
        cwd=program,
        env=env,
        timeout=INSTALL_TIMEOUT,
    )
    return python, time.perf_counter() - started


def uv() -> Path:
    """uv from PyPI, in a tool virtualenv under .cache/ (created once)."""
    tool = CACHE / "uv-tool"
    binary = tool / "bin" / "uv"
    stamp = tool / ".requirement"
    if not binary.is_file() or not stamp.is_file() or stamp.read_text() != UV_REQUIREMENT:
        shutil.rmtree(tool, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(tool)], timeout=INSTALL_TIMEOUT)
        pip = [str(tool / "bin" / "python"), "-m", "pip", "install", "--quiet", UV_REQUIREMENT]
        _run(pip, env=_clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"), timeout=INSTALL_TIMEOUT)
        stamp.write_text(UV_REQUIREMENT)
    return binary


def bounds_virtualenv(resolution: Resolution) -> tuple[Path, float]:
    """A virtualenv under .cache/bounds/ with ./components installed (not editable: the wheel, package data and
    metadata as a consumer gets them) and its requirements at one end of their ranges; rebuilt on every call."""
    started = time.perf_counter()
    directory = CACHE / "bounds" / resolution
    env = _clean_env(UV_CACHE_DIR=str(CACHE / "uv"), UV_NO_PROGRESS="1")
    _run([str(uv()), "venv", "--quiet", "--clear", "--python", sys.executable, str(directory)], env=env, timeout=120)
    python = directory / "bin" / "python"
    install = [
        str(uv()),
        "pip",
        "install",
        "--quiet",
        "--python",
        str(python),
        "--resolution",
        resolution,
        # uv caches a local project's build by its pyproject; the component's sources change more often than that.
        "--refresh-package",
        "claude-vertex",
        str(COMPONENTS),
    ]
    _run(install, env=env, timeout=INSTALL_TIMEOUT)
    return python, time.perf_counter() - started


def probe(python: Path, program: Path, install_seconds: float, *, stack: str = "dev") -> Probe:
    """Render `program` with `python`'s claude-vertex and SDKs (`tests.support.probe`); refuse a render that
    used this checkout's sources instead of the installed package."""
    started = time.perf_counter()
    command = [str(python), "-m", "tests.support.probe", str(program), "--stack", stack]
    report = json.loads(_run(command, env=_clean_env(), timeout=PROBE_TIMEOUT))
    package, virtualenv = Path(report["package"]), Path(os.path.abspath(python)).parent.parent
    if not package.is_relative_to(virtualenv):
        raise ConsumerError(f"{python} imported claude_vertex from {package}, not from its own virtualenv")
    return Probe(python, report, install_seconds, time.perf_counter() - started)


def judge(found: Probe) -> list[Violation]:
    """The policy pack's verdicts on what the consumer's program registered (the pack runs from this virtualenv)."""
    return run_policy_pack(found.records, project=found.report["project"], stack=found.report["stack"])
