"""The component plugin (`components/`, PulumiPlugin.yaml) started by the real engine without a Python language host.

An engine with `pulumi-language-python` runs a `runtime: python` plugin directory through that host's `RunPlugin`: for
a directory with a `__main__.py` it starts `<virtualenv>/bin/python <plugin directory> <engine args...>` in the
engine's working directory, with the virtualenv activated (`VIRTUAL_ENV` set, its `bin` first on `PATH`, `PYTHONHOME`
unset; sdk/python/cmd/pulumi-language-python/main.go `RunPlugin`, sdk/python/toolchain `ActivateVirtualEnv`).
`make engine` cannot build that host (the Go module proxy refuses its module), so the harness writes an executable
doing exactly that, with the repository's `.venv` in the place of the `venv/` that `pulumi package add` would create
in the plugin directory (it holds what that one would: claude-vertex, pulumi and pulumi-gcp), and installs it as the
`claude-vertex` resource plugin, the way `pulumi plugin install resource NAME VERSION --file` installs any binary
provider. The engine then starts it as it starts every binary plugin (same arguments, same directory, same
environment); everything after the start, the handshake, GetSchema, Construct, is the engine's own.

The version it is installed under is the one the plugin itself reports (`GetPluginInfo`, the installed
distribution's version as SemVer: `claude_vertex.plugin.package_version`), asked of the same interpreter the
launcher runs, so the two cannot disagree.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from tests.support.engine.cli import ROOT, Engine

PLUGIN_DIR = ROOT / "components"
PACKAGE = "claude-vertex"
LAUNCHER_NAME = f"pulumi-resource-{PACKAGE}"
VIRTUALENV = ROOT / ".venv"


def plugin_version(virtualenv: Path = VIRTUALENV, plugin_dir: Path = PLUGIN_DIR) -> str:
    """The version the plugin reports, read by the interpreter the launcher starts, from the plugin's own code."""
    python = virtualenv / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", "from claude_vertex.plugin import package_version; print(package_version())"],
        cwd=plugin_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{python} could not read the plugin's version: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


def write_plugin_launcher(
    directory: Path, virtualenv: Path = VIRTUALENV, plugin_dir: Path = PLUGIN_DIR, *, name: str = LAUNCHER_NAME
) -> Path:
    """An executable in `directory` that runs `plugin_dir` as the Python host's `RunPlugin` would; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    launcher = directory / name
    venv, python = shlex.quote(str(virtualenv)), shlex.quote(str(virtualenv / "bin" / "python"))
    launcher.write_text(
        "#!/bin/sh\n"
        "# Written by tests/support/engine/component_plugin.py: the command pulumi-language-python's RunPlugin runs\n"
        "# for a plugin directory with a __main__.py, in the engine's working directory, the virtualenv activated.\n"
        f"VIRTUAL_ENV={venv}; export VIRTUAL_ENV\n"
        f'PATH={venv}/bin:"$PATH"; export PATH\n'
        "unset PYTHONHOME\n"
        f'exec {python} {shlex.quote(str(plugin_dir))} "$@"\n'
    )
    launcher.chmod(0o755)
    return launcher


def install_component_plugin(engine: Engine, directory: Path) -> str:
    """Write the launcher into `directory` and install it into `engine`'s home as the `claude-vertex` resource plugin
    at the version the plugin reports; returns that version."""
    version = plugin_version()
    launcher = write_plugin_launcher(directory)
    engine.pulumi("plugin", "install", "resource", PACKAGE, version, "--file", str(launcher), cwd=directory)
    return version


def git_release_layout(url: str) -> tuple[str, str]:
    """Where the CLI keeps a plugin it installed from a `git://github.com/<owner>/<repo>/<path>` URL: the plugin's local
    name (its directory `resource-<local name>-v<version>` and its executable `pulumi-resource-<local name>`) and the
    subdirectory of the clone holding it (sdk/go/common/workspace/plugins.go `PluginDescriptor.LocalName`, `SubDir`)."""
    owner, repository, *path = url.removeprefix("git://github.com/").split("/")
    if not url.startswith("git://github.com/") or not path:
        raise ValueError(f"{url!r} is not a git://github.com/<owner>/<repo>/<path> plugin URL")
    subdirectory = "/".join(path)
    return "_".join(["github.com", owner, f"{repository}.git", *path]), subdirectory


def install_component_release(engine: Engine, directory: Path, url: str) -> str:
    """Install the plugin as `pulumi package add <repository>/components@<tag>` leaves it: under the release's git
    `url`, in the clone's `components/` directory, where the CLI looks for an executable before it would ask the
    Python host to run the PulumiPlugin.yaml there (the engine by the plugin's local name, the `package` commands by
    the package's name: both are written); returns the version it is installed under."""
    local_name, subdirectory = git_release_layout(url)
    version = plugin_version()
    for name in (local_name, PACKAGE):
        write_plugin_launcher(directory / subdirectory, name=f"pulumi-resource-{name}")
    arguments = ("plugin", "install", "resource", PACKAGE, version, "--file", str(directory), "--server", url)
    engine.pulumi(*arguments, cwd=directory)
    return version
