"""Install the pinned Claude Code client from the npm registry into a git-ignored cache, once per version.

    python -m tests.claude_client.install        # what `make claude-client` runs; prints the binary's path

The version is `claude_vertex.render.ci_snippets.CLAUDE_CODE_VERSION`, the one the CI snippets hand to teams, so the
test exercises the client teams actually get. `@anthropic-ai/claude-code` ships its native binary in a
platform package (`@anthropic-ai/claude-code-linux-x64`, ...) that npm installs as an optional dependency;
we run that binary directly and pass `--ignore-scripts`, so nothing from the package runs at install time
and the result does not depend on npm's install-script policy. The install goes to a temporary directory
that is renamed into place only once the binary answers `--version` with the pinned version, so an
interrupted install is never reused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from claude_vertex.render.ci_snippets import CLAUDE_CODE_VERSION

ROOT = Path(__file__).resolve().parents[2]
CACHE_ROOT = ROOT / ".cache" / "claude-code"
PACKAGE = "@anthropic-ai/claude-code"
NPM_TIMEOUT_S = 600
VERSION_TIMEOUT_S = 30


class ClientUnavailable(Exception):
    """The client cannot be installed or run here; the message says exactly why (for a skip reason)."""


def cached_binary(version: str = CLAUDE_CODE_VERSION, cache_root: Path = CACHE_ROOT) -> Path | None:
    """The installed binary for `version`, or None when that version is not in the cache."""
    prefix = cache_root / version
    return _platform_binary(prefix) if prefix.is_dir() else None


def ensure_client(version: str = CLAUDE_CODE_VERSION, cache_root: Path = CACHE_ROOT) -> Path:
    """The path of the pinned client's native binary, installing it with npm first if it is not cached."""
    binary = cached_binary(version, cache_root)
    if binary is not None:
        try:
            _check_version(binary, version)
            return binary
        except ClientUnavailable:
            shutil.rmtree(cache_root / version)  # a damaged cache is reinstalled, not skipped over for ever
    elif (cache_root / version).exists():
        shutil.rmtree(cache_root / version)
    npm = shutil.which("npm")
    if npm is None:
        raise ClientUnavailable("npm is not on PATH: cannot install Claude Code from the npm registry")
    cache_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{version}.partial-", dir=cache_root))
    try:
        _npm_install(npm, staging, version)
        binary = _platform_binary(staging)
        if binary is None:
            raise ClientUnavailable(
                f"npm installed {PACKAGE}@{version} but no platform package with a binary for this machine "
                f"({sys.platform}, {os.uname().machine}) under {staging / 'node_modules' / '@anthropic-ai'}"
            )
        _check_version(binary, version)
        staging.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary directory
        with contextlib.suppress(OSError):  # another run finished the same install first: use theirs
            staging.rename(cache_root / version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    binary = cached_binary(version, cache_root)
    if binary is None:
        raise ClientUnavailable(f"the install of {PACKAGE}@{version} did not land in {cache_root / version}")
    return binary


def _npm_install(npm: str, prefix: Path, version: str) -> None:
    command = [
        npm,
        "install",
        "--prefix",
        str(prefix),
        "--no-save",
        "--no-package-lock",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        f"{PACKAGE}@{version}",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise ClientUnavailable(f"`npm install {PACKAGE}@{version}` took more than {NPM_TIMEOUT_S} s") from None
    if done.returncode != 0:
        detail = " | ".join(line for line in (done.stderr or done.stdout).splitlines() if line.strip())[-600:]
        raise ClientUnavailable(f"`npm install {PACKAGE}@{version}` exited {done.returncode}: {detail}")


def _platform_binary(prefix: Path) -> Path | None:
    """The native binary npm installed for this machine: `<prefix>/node_modules/@anthropic-ai/claude-code-*/claude`.

    npm installs only the optional dependency whose os/cpu/libc match, so there is one such package.
    """
    scope = prefix / "node_modules" / "@anthropic-ai"
    candidates = sorted(p for p in scope.glob("claude-code-*/claude") if p.is_file() and os.access(p, os.X_OK))
    return candidates[0] if candidates else None


def _check_version(binary: Path, version: str) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="claude-home-") as home:
            done = subprocess.run(
                [str(binary), "--version"],
                capture_output=True,
                text=True,
                timeout=VERSION_TIMEOUT_S,
                check=False,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home},
                cwd=home,
            )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ClientUnavailable(f"{binary} --version could not run: {err}") from None
    reported = done.stdout.split()[:1]
    if done.returncode != 0 or reported != [version]:
        output = (done.stdout + done.stderr).strip()[:300]
        raise ClientUnavailable(f"{binary} --version exited {done.returncode} with {output!r}, expected {version}")


def main() -> int:
    try:
        print(ensure_client())
    except ClientUnavailable as err:
        print(f"claude-client: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
