"""A throwaway PostgreSQL from Debian's package: the gateway's store, on loopback, for one test session.

`initdb` and `postgres` refuse to run as root, and the proof runs as root (CI) or as the mapped root of a network
namespace of its own (`make test-gateway`). Both are then started in a user namespace of their own in which this
process's user is an ordinary one (`unshare --user --map-user=65534`): no account to create, no chown, nothing
changed on the machine, and it works the same for a real root and for a namespace's mapped root. A non-root
caller runs them directly.

The cluster lives in a temporary directory, listens on 127.0.0.1 only (a free port, no Unix socket), trades
durability for speed (`fsync=off`: it is thrown away), and is stopped with a fast shutdown at the end. The
gateway gets a login role with a password (SCRAM, as Cloud SQL's built-in users) and a database of its own
per boot, so two gateways in one session never share state.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

POSTGRES_ROOT = Path("/usr/lib/postgresql")
MINIMUM_MAJOR = 14  # what the gateway needs
START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10
SQL_TIMEOUT_S = 20
UNPRIVILEGED_ID = "65534"
GATEWAY_ROLE = "claude_gateway"


class PostgresUnavailable(Exception):
    """PostgreSQL cannot run here; the message says why and how to fix it."""


def postgres_bin_dir(root: Path = POSTGRES_ROOT) -> Path:
    """The newest `/usr/lib/postgresql/<major>/bin` with initdb and postgres, of a version the gateway supports."""
    found = sorted(
        (int(path.parent.name), path)
        for path in root.glob("*/bin")
        if path.parent.name.isdigit() and (path / "initdb").is_file() and (path / "postgres").is_file()
    )
    if not found:
        raise PostgresUnavailable(f"no PostgreSQL server under {root}/*/bin: apt-get install postgresql")
    major, path = found[-1]
    if major < MINIMUM_MAJOR:
        raise PostgresUnavailable(f"PostgreSQL {major} at {path} is older than the gateway needs ({MINIMUM_MAJOR}+)")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_unprivileged(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["unshare", "--user", f"--map-user={UNPRIVILEGED_ID}", f"--map-group={UNPRIVILEGED_ID}", *command]


@dataclass(frozen=True)
class Database:
    """One database for one gateway: the URL without the password, which goes in `store.password`."""

    url: str
    password: str


class LocalPostgres:
    """`with LocalPostgres(tmp_dir) as pg:` then `pg.create_database("gw1")`."""

    def __init__(self, root: Path) -> None:
        self.bin = postgres_bin_dir()
        self.root = root
        self.port = free_port()
        self._admin_password = secrets.token_urlsafe(24)
        self.gateway_password = secrets.token_urlsafe(24)
        self._process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "postgres.log"

    def __enter__(self) -> LocalPostgres:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the unprivileged user must reach its data directory
        self._initdb()
        self._start()
        self._sql(f"CREATE ROLE {GATEWAY_ROLE} LOGIN PASSWORD '{self.gateway_password}'")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def create_database(self, name: str) -> Database:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", name):
            raise ValueError(f"database name {name!r}: lowercase letters, digits and _ only")
        self._sql(f"CREATE DATABASE {name} OWNER {GATEWAY_ROLE}")
        return Database(f"postgres://{GATEWAY_ROLE}@127.0.0.1:{self.port}/{name}", self.gateway_password)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # fast shutdown: roll back open transactions, exit
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)

    def _initdb(self) -> None:
        password_file = self.root / "admin-password"
        password_file.write_text(self._admin_password + "\n")
        password_file.chmod(0o644)
        command = [
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.root / "data"),
            "--username=postgres",
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]
        done = subprocess.run(
            _as_unprivileged(command), capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False
        )
        password_file.unlink()
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb exited {done.returncode}: {(done.stderr or done.stdout).strip()[-600:]}")

    def _start(self) -> None:
        command = [
            str(self.bin / "postgres"),
            "-D",
            str(self.root / "data"),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"port={self.port}",
            "-c",
            "unix_socket_directories=",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                _as_unprivileged(command), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PostgresUnavailable(f"postgres exited {self._process.returncode}: {self._log_tail()}")
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "--host=127.0.0.1", f"--port={self.port}", "--timeout=1"],
                capture_output=True,
                timeout=5,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.05)
        self.stop()
        raise PostgresUnavailable(f"postgres did not accept connections within {START_TIMEOUT_S} s: {self._log_tail()}")

    def _sql(self, statement: str) -> None:
        done = subprocess.run(
            [
                str(self.bin / "psql"),
                "--no-psqlrc",
                "--quiet",
                "--host=127.0.0.1",
                f"--port={self.port}",
                "--username=postgres",
                "--dbname=postgres",
                "--set=ON_ERROR_STOP=1",
                "--command",
                statement,
            ],
            env={"PATH": "/usr/bin:/bin", "PGPASSWORD": self._admin_password, "PGCONNECT_TIMEOUT": "5"},
            capture_output=True,
            text=True,
            timeout=SQL_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise PostgresUnavailable(f"psql {statement.split(' PASSWORD')[0]!r} failed: {done.stderr.strip()[-400:]}")

    def _log_tail(self) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-8:])
        except OSError:
            return "(no log)"
