"""The repository's Python policy pack, started by the real engine without a Python language host.

An engine with `pulumi-language-python` runs a `runtime: python` pack through that host's `RunPlugin`, which starts
`<virtualenv>/bin/python -u -m pulumi.policy <engine address> <pack directory>` in the pack's directory (the
virtualenv named in PulumiPolicy.yaml). `make engine` cannot build that host (the Go proxy refuses its module), and
CLI 3.276 no longer falls back to the old `pulumi-analyzer-policy-python` shim; it does accept a policy pack that is an
executable (`--policy-pack PATH-TO-FILE`: pkg/resource/plugin/analyzer_plugin.go, "launch it directly as a binary
analyzer plugin") and reads a PulumiPolicy.yaml beside it. So the harness writes that executable: the same command
the host would run, and the pack's own PulumiPolicy.yaml linked beside it, so the engine reports the same name and
version. Everything after the start (handshake, GetAnalyzerInfo, Configure with the config file, Analyze,
AnalyzeStack, Remediate) is the engine's own.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
PACK = ROOT / "policies"
LAUNCHER_NAME = "pulumi-analyzer-claude-vertex"


def pack_python(pack: Path = PACK) -> Path:
    """The interpreter the Python host would start the pack with: PulumiPolicy.yaml's virtualenv."""
    project = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    virtualenv = Path(project["runtime"]["options"]["virtualenv"])
    return (pack / virtualenv).resolve() / "bin" / "python"


def write_pack_launcher(directory: Path, pack: Path = PACK) -> Path:
    """An executable policy pack in `directory` that starts `pack` as the Python host would; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    launcher = directory / LAUNCHER_NAME
    launcher.write_text(
        "#!/bin/sh\n"
        "# Written by tests/support/engine/policy_pack.py: the command pulumi-language-python's RunPlugin runs.\n"
        f'cd {shlex.quote(str(pack))} && exec {shlex.quote(str(pack_python(pack)))} -u -m pulumi.policy "$1" .\n'
    )
    launcher.chmod(0o755)
    project_file = directory / "PulumiPolicy.yaml"
    project_file.unlink(missing_ok=True)
    project_file.symlink_to(pack / "PulumiPolicy.yaml")
    return launcher
