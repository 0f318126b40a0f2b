"""Fixtures: a fake Google on 127.0.0.1 per test, and the doctor run in-process on a dotenv file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Test this checkout's doctor, not the copy another checkout installed editable into a shared virtualenv. Appended,
# never prepended: doctor/ holds a `tests` directory too, and the repository's own `tests.conftest` must win.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from claude_vertex_doctor.cli import main
from doctor_support import TOKEN, Run, base_environ, dotenv_text, good_scenario
from fake_google import FakeGoogle
from gateway_doctor import Machine
from loopback_tls import CannedServer, Pki


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle(good_scenario()) as server:
        yield server


@pytest.fixture
def doctor(fake: FakeGoogle, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Run the doctor in-process on a dotenv file; `token=True` hands it the fake token with --access-token-file."""

    def run(env: dict[str, str], *args: str, token: bool = True, shell: dict[str, str] | None = None) -> Run:
        env_file = tmp_path / ".env"
        env_file.write_text(dotenv_text(env), encoding="utf-8")
        argv = ["--env-file", str(env_file), "--json", *args]
        if token:
            token_file = tmp_path / "token"
            token_file.write_text(TOKEN + "\n", encoding="utf-8")
            argv += ["--access-token-file", str(token_file)]
        environ = {**base_environ(fake, tmp_path), **(shell or {})}
        capsys.readouterr()
        code = main(argv, environ)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A throwaway CA (its PEM in `pki.ca_file`) that issues certificates for the test's loopback servers."""
    return Pki(tmp_path / "pki")


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    """A developer's machine in tmp_path: HOME and the managed-settings file, both empty."""
    return Machine(tmp_path / "machine")


@pytest.fixture
def gateway_server(pki: Pki) -> Iterator[CannedServer]:
    """The gateway's network face on 127.0.0.1: TLS with a certificate for gateway.test and 127.0.0.1, its probes."""
    with CannedServer(pki.issue()) as server:
        yield server
