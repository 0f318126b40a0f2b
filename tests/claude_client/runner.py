"""Run the real client once, offline: a clean environment, a throwaway HOME, every subprocess bounded.

The environment is built from nothing (no `os.environ`), so no Anthropic or Google variable, credential
file or proxy setting of the machine running the tests can change where the client goes. It is the
stack's rendered environment plus only what running offline needs: the local Vertex base URL, skipped
Google auth, Claude Code's switches for non-essential traffic, and a loopback proxy (`EgressTrap`) for
every host but loopback, so any attempt to reach the internet is refused and recorded rather than sent.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.claude_client.expectations import model_arguments
from tests.claude_client.vertex_server import EgressTrap, Recorded, VertexServer

PROMPT = "hi"
CLIENT_TIMEOUT_S = 60
OFFLINE = {
    "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_AUTOUPDATER": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    # The stand-in answers every request it serves at once; a refused one would otherwise be retried with
    # backoff until the timeout instead of failing the run in a second with the client's own error.
    "CLAUDE_CODE_MAX_RETRIES": "0",
}


TELEMETRY_PREFIXES = ("OTEL_", "CLAUDE_CODE_ENABLE_TELEMETRY")


def client_environment(rendered: Mapping[str, str], *, base_url: str, home: Path, proxy: str) -> dict[str, str]:
    """The whole environment of one client run: the stack's variables, then the offline switches."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb"}
    # A stack's telemetry export points at the team's collector, which is not here (and is not what this test
    # checks): left in, the client would try to reach it, and the egress trap rightly fails the run.
    env.update({key: str(value) for key, value in rendered.items() if not key.startswith(TELEMETRY_PREFIXES)})
    env.update(OFFLINE)
    env["ANTHROPIC_VERTEX_BASE_URL"] = base_url
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = proxy
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"
    return env


def run_client(
    binary: Path, arguments: Sequence[str], env: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """`claude -p PROMPT ARGUMENTS...`, no stdin, killed after CLIENT_TIMEOUT_S (TimeoutExpired propagates)."""
    return subprocess.run(
        [str(binary), "-p", PROMPT, *arguments],
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT_S,
        check=False,
    )


@dataclass(frozen=True)
class Observation:
    """One client run and everything it sent: to the Vertex stand-in, and to the egress trap."""

    arguments: tuple[str, ...]
    returncode: int | None  # None: killed after CLIENT_TIMEOUT_S
    stdout: str
    stderr: str
    requests: list[Recorded]
    egress: list[Recorded]


def observe(binary: Path, rendered: Mapping[str, str], invocation: str, scratch: Path, answer: str) -> Observation:
    """Run the client once for `invocation` with its own server, trap, HOME and working directory.

    Everything is per run, so runs can go in parallel and each request is attributed to its run.
    """
    home, workdir = scratch / "home", scratch / "work"
    home.mkdir(parents=True)
    workdir.mkdir()
    arguments = model_arguments(invocation)
    with VertexServer(answer) as vertex, EgressTrap() as trap:
        env = client_environment(rendered, base_url=vertex.base_url, home=home, proxy=trap.url)
        try:
            done = run_client(binary, arguments, env, workdir)
            returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as err:
            returncode, stdout, stderr = None, _text(err.stdout), _text(err.stderr)
        return Observation(arguments, returncode, stdout, stderr, vertex.requests, trap.requests)


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""
