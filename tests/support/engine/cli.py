"""The real Pulumi CLI (`make engine`), run offline by construction.

Every run gets the same environment: `PULUMI_HOME` and a `file://` backend of the test's own, a passphrase secrets
provider, no update check, no plugin downloads, no registry lookups, and the engine's bin directory first on PATH (the
YAML host and the policy shim are found there). Under `make e2e` the whole suite also runs in a network namespace
where only loopback exists, so "nothing leaves 127.0.0.1" does not rest on these settings alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.engine.build import layout, load_release

ROOT = Path(__file__).resolve().parents[3]
PASSPHRASE = "claude-vertex-e2e"  # a test backend's passphrase: it protects nothing real
# Variables a developer's shell may carry that would send the CLI elsewhere or change what it does.
_DROPPED = ("PULUMI_ACCESS_TOKEN", "PULUMI_API", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_HOME")


class EngineMissing(Exception):
    """`make engine` has not built this release yet."""


def engine_bin() -> Path:
    """The built release's bin directory; raises EngineMissing (with the command to run) when it is not there."""
    paths, release = layout(ROOT), load_release()
    missing = [name for name in release.binaries if not (paths.bin / name).is_file()]
    if missing:
        raise EngineMissing(f"{', '.join(missing)} not in {paths.bin}: run `make engine` first")
    return paths.bin


@dataclass
class Engine:
    """One isolated Pulumi installation: a home, a backend, and the environment every command runs with."""

    bin: Path
    home: Path
    backend: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        base = {key: value for key, value in os.environ.items() if key not in _DROPPED}
        return {
            **base,
            "PATH": f"{self.bin}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}",
            "PULUMI_HOME": str(self.home),
            "PULUMI_BACKEND_URL": self.backend.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_DISABLE_REGISTRY_RESOLVE": "true",
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
            "NO_COLOR": "1",
            **self.extra_env,
        }

    def pulumi(
        self, *args: str, cwd: Path, check: bool = True, timeout: float = 600, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`pulumi ARGS` in `cwd`; `check` raises with everything the CLI printed when it fails."""
        return self._run([str(self.bin / "pulumi"), *args], cwd, check, timeout, env)

    def python_program(
        self, *args: str, cwd: Path, check: bool = True, timeout: float = 600, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`pulumi ARGS` for the Python program in `cwd`, served by the SDK's language server (see `inline`)."""
        command = [sys.executable, "-m", "tests.support.engine.inline", str(cwd), "--", str(self.bin / "pulumi")]
        return self._run([*command, *args], cwd, check, timeout, env)

    def _run(
        self, command: Sequence[str], cwd: Path, check: bool, timeout: float, env: Mapping[str, str] | None
    ) -> subprocess.CompletedProcess[str]:
        environment = {**self.env(), **(env or {})}
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH", "")]))
        result = subprocess.run(
            command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command[-len(command) :])} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
            )
        return result


def json_events(stdout: str) -> list[dict[str, Any]]:
    """The engine events `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --json` streams, one per line."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
