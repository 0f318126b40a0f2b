"""Every family alias the pinned Claude Code client knows is one the stacks pin.

The client lets an organisation rename each alias's picker entry through `ANTHROPIC_DEFAULT_<ALIAS>_MODEL_NAME`; that
list, read out of the pinned binary, is the client's own list of family aliases (opus, sonnet, haiku, fable in
2.1.332). An alias missing from `claude_vertex.catalog.ALIAS_VARIABLES` is one `--model <alias>` resolves by itself,
to a newer model on every client update: this test fails the day a client release adds one.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path

import pytest
from claude_vertex.catalog import ALIAS_VARIABLES

from tests.claude_client.install import ClientUnavailable, ensure_client

pytestmark = pytest.mark.slow  # runs the client once (its version check)

PREFIX = b"ANTHROPIC_DEFAULT_"
NAME_RE = re.compile(rb"ANTHROPIC_DEFAULT_([A-Z]{1,32})_MODEL_NAME")


@pytest.fixture(scope="module")
def client_aliases() -> set[str]:
    try:
        binary = ensure_client()
    except ClientUnavailable as err:
        pytest.skip(f"the real Claude Code client cannot run here: {err}")
    return aliases_in(binary)


def aliases_in(binary: Path) -> set[str]:
    """Each `<ALIAS>` of an `ANTHROPIC_DEFAULT_<ALIAS>_MODEL_NAME` string in the binary, lower-cased."""
    found: set[str] = set()
    with binary.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        at = data.find(PREFIX)
        while at >= 0:
            match = NAME_RE.match(data, at)
            if match:
                found.add(match.group(1).decode().lower())
            at = data.find(PREFIX, at + len(PREFIX))
    return found


def test_the_client_names_its_family_aliases(client_aliases: set[str]) -> None:
    assert {"opus", "sonnet", "haiku"} <= client_aliases, "the binary's alias list could not be read"


def test_every_alias_the_client_knows_is_pinned(client_aliases: set[str]) -> None:
    unpinned = sorted(client_aliases - set(ALIAS_VARIABLES))
    assert not unpinned, f"the pinned client knows aliases no stack pins: {unpinned} (add them to ALIAS_VARIABLES)"


def test_every_pinned_alias_is_one_the_client_reads(client_aliases: set[str]) -> None:
    assert set(ALIAS_VARIABLES) <= client_aliases
