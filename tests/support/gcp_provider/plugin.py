"""The stand-in as the engine installs and starts it: the `gcp` resource plugin at pulumi-gcp's version.

`pulumi plugin install resource gcp <version> --file <executable>` copies one executable into
`$PULUMI_HOME/plugins/resource-gcp-v<version>/pulumi-resource-gcp`; the engine runs it in the program's directory
with its own address as the last argument (after any logging flags) and its environment, reads the port from the
first line of stdout, and stops it with SIGINT to its process group. `write_launcher` writes that executable: a
shell script with absolute paths to this checkout and this virtualenv's Python, so the copy works from anywhere.
"""

from __future__ import annotations

import importlib.metadata
import shlex
import sys
from pathlib import Path

PLUGIN_NAME = "gcp"
PLUGIN_KIND = "resource"
SDK_DISTRIBUTION = "pulumi_gcp"
LAUNCHER_NAME = f"pulumi-{PLUGIN_KIND}-{PLUGIN_NAME}"
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
MODULE = "tests.support.gcp_provider"


def plugin_version() -> str:
    """The pulumi-gcp version installed here: the plugin version the SDK asks the engine for."""
    return importlib.metadata.version(SDK_DISTRIBUTION)


def write_launcher(directory: Path, *, python: Path | None = None) -> Path:
    """Write the executable `pulumi plugin install ... --file` takes into `directory`; returns its path.

    It runs `python -m tests.support.gcp_provider` from the repository root (its working directory and
    `PYTHONPATH`, so that a `tests` package in the program's directory cannot shadow this one) with this
    virtualenv's interpreter unless `python` says otherwise.
    """
    interpreter = shlex.quote(str(python or Path(sys.executable)))
    root = shlex.quote(str(REPOSITORY_ROOT))
    script = (
        "#!/bin/sh\n"
        f"# The stand-in gcp provider plugin ({MODULE}), pulumi-gcp {plugin_version()}: written by\n"
        f"# {MODULE}.write_launcher for `pulumi plugin install {PLUGIN_KIND} {PLUGIN_NAME} <version> --file`.\n"
        f"cd {root} || exit 1\n"
        f'PYTHONPATH={root} exec {interpreter} -m {MODULE} "$@"\n'
    )
    directory.mkdir(parents=True, exist_ok=True)
    launcher = directory / LAUNCHER_NAME
    launcher.write_text(script)
    launcher.chmod(0o755)
    return launcher


def install_arguments(launcher: Path) -> list[str]:
    """The `pulumi` arguments that install `launcher` as the gcp plugin at the version the program asks for."""
    return ["plugin", "install", PLUGIN_KIND, PLUGIN_NAME, plugin_version(), "--file", str(launcher)]
