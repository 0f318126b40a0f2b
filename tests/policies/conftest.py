"""Fixtures for the policy pack: import paths, and one pack process per test session.

The pack is started exactly as the engine starts it (`tests.support.analyzer.PolicyPackServer`); starting it
once and reconfiguring it per test keeps the protocol tests fast while still going through gRPC.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies"
for path in (ROOT, PACK_DIR, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from policy_records import PROJECT, STACK  # noqa: E402

from tests.support.analyzer import PolicyPackServer  # noqa: E402


@pytest.fixture(scope="session")
def pack_server() -> Iterator[PolicyPackServer]:
    """The real pack, running for the whole session."""
    with PolicyPackServer(PACK_DIR, project=PROJECT, stack=STACK) as server:
        yield server


@pytest.fixture
def pack(pack_server: PolicyPackServer) -> PolicyPackServer:
    """The session's pack, reset to the default config (what `--policy-pack` without a config file gets) and to
    the session's stack name."""
    if pack_server.stack != STACK:
        pack_server.configure_stack(STACK)
    pack_server.configure(None)
    return pack_server
