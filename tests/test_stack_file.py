"""Hostile stack files: refused in one line, fast, in bounded memory, with nothing rendered.

A stack file arrives in a fork's pull request and the offline preview reads it; these are the classes an
attacker (or a typo) reaches for. A few go through the real command line in a subprocess (exit 2, one
line, no traceback); the rest through the reader itself.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixture_stacks import FIXTURES, stacks_here
from tools.render import ROOT, read_stack_config
from tools.stack_file import MAX_BYTES, MAX_DEPTH, StackFileError, read_yaml_mapping, resolve_plain

ALIAS_BOMB = (
    "config:\n"
    '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "  claude-vertex:team: *g\n"
)
DEEP_FLOW = "config:\n  claude-vertex:team: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_BLOCK = "config:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(300)) + "  " * 301 + "x: 1\n"


def random_bytes() -> bytes:
    return random.Random(8).randbytes(64 * 1024)


def preview(config_file: Path) -> subprocess.CompletedProcess[str]:
    """The real command line; it must answer within seconds, and in a few hundred MB at most.

    The peak is this one process's own (`wait4` on it, its output in files), not the largest child the test
    session ever had (the real Claude Code client of another test is far larger).
    """
    out, err = config_file.with_suffix(".stdout"), config_file.with_suffix(".stderr")
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.preview", "--stack", "dev", "--config-file", str(config_file)],
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        deadline = started + 20
        while (reaped := os.wait4(process.pid, os.WNOHANG))[0] == 0:
            if time.perf_counter() > deadline:
                process.kill()
                raise AssertionError(f"{config_file} kept the preview busy for 20 s")
            time.sleep(0.01)
    _, status, usage = reaped
    process.returncode = os.waitstatus_to_exitcode(status)
    assert time.perf_counter() - started < 5
    assert usage.ru_maxrss < 300 * 1024, f"peak {usage.ru_maxrss // 1024} MiB"
    return subprocess.CompletedProcess(process.args, process.returncode, out.read_text(), err.read_text())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (random_bytes(), "is not UTF-8"),
        (ALIAS_BOMB.encode(), "anchors and aliases"),
        (DEEP_FLOW.encode(), "nest"),
    ],
    ids=["random-bytes", "alias-bomb", "5000-deep"],
)
def test_hostile_files_exit_2_with_one_line_and_nothing_rendered(tmp_path, content, expected):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(content)
    result = preview(path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and expected in lines[0], result.stderr


def test_a_directory_as_config_file_exits_2(tmp_path):
    result = preview(tmp_path)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"error: {tmp_path}: is a directory; give a stack file (Pulumi.<stack>.yaml) {stacks_here()}"
    )


def refused(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    started = time.perf_counter()
    with pytest.raises(StackFileError) as caught:
        read_stack_config(path, "claude-vertex")
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message[len(f"{path}: ") :]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("config:\n  team: !!binary aGk=\n", "config.team: the YAML tag tag:yaml.org,2002:binary is not allowed"),
        ("config:\n  team: !!set {a, b}\n", "line 2: config.team: the YAML tag tag:yaml.org,2002:set is not allowed"),
        ("config:\n  team: !!python/name:os.system\n", "config.team: the YAML tag tag:yaml.org,2002:python/name:os"),
        ("config:\n  team: !!timestamp 2024-01-01\n", "config.team: the YAML tag tag:yaml.org,2002:timestamp"),
        ("config:\n  team: !custom x\n", "config.team: the YAML tag !custom is not allowed"),
        ("config:\n  team: a\n  team: b\n", "line 3: config: duplicate key 'team'; each key may appear once"),
        ("config:\n  1: x\n", "line 2: config: key '1' must be a string; quote it"),
        ("config:\n  true: x\n", "key 'true' must be a string"),
        ("config:\n  ? [a]\n  : x\n", "config: a mapping key must be a string, not a list or mapping"),
        ("config:\n  a: &x 1\n", "line 2: config.a: YAML anchors and aliases (&, *) are not allowed"),
        ("config:\n  access:\n    members: [a, *x]\n", "config.access.members[1]: YAML anchors and aliases"),
        ("config: {}\n---\nconfig: {}\n", "more than one YAML document"),
        ("config: [\n", "not valid YAML"),
        ("- a\n", "expected a YAML mapping at the top level"),
        (b"config:\n  team: caf\xe9\n", "byte 19 is not UTF-8; stack files are UTF-8 text"),
        (DEEP_BLOCK, f"nested deeper than {MAX_DEPTH} levels"),
        ("config:\n  x: " + "{a: " * 5000 + "1" + "}" * 5000, f"nested deeper than {MAX_DEPTH} levels"),
        ("config:\n" + "  # padding\n" * (MAX_BYTES // 12 + 1), "larger than 1024 KiB"),
    ],
    ids=[
        "binary",
        "set",
        "python",
        "timestamp",
        "local-tag",
        "duplicate",
        "int-key",
        "bool-key",
        "complex-key",
        "anchor",
        "alias",
        "two-documents",
        "broken",
        "list",
        "latin-1",
        "deep-block",
        "deep-flow-mapping",
        "too-large",
    ],
)
def test_refused_in_one_line_naming_the_key(tmp_path, content, message):
    assert message in refused(tmp_path, content)


def test_alias_bomb_and_deep_nesting_stay_small(tmp_path):
    for content in (ALIAS_BOMB, DEEP_FLOW, DEEP_BLOCK):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        refused(tmp_path, content)
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: under 50 MB


def test_plain_scalars_read_as_pulumi_reads_them(tmp_path):
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text(
        "config:\n"
        "  team: yes\n"
        "  project:\n"
        "    folderId: 0777\n"
        "    create: false\n"
        "    billingAccount: 012345-6789AB-CDEF01\n"
        "    since: 2024-01-01\n"
        "    on: on\n"
        "    hex: 0x1F\n"
        "    inf: .inf\n"
        "    tilde: ~\n"
        "  access:\n"
        "    verifyPermissions: true\n"
        "    count: 12\n"
        "    negative: -3\n"
        "    ratio: 0.5\n"
        "    exp: 1e3\n"
        "    empty:\n"
        "    nothing: null\n"
        "    quoted: 'true'\n"
        "    block: |\n"
        "      12\n"
    )
    assert read_stack_config(path, "claude-vertex") == {
        "claude-vertex:team": "yes",
        "claude-vertex:project": {
            "folderId": "0777",
            "create": False,
            "billingAccount": "012345-6789AB-CDEF01",
            "since": "2024-01-01",
            "on": "on",
            "hex": "0x1F",
            "inf": ".inf",
            "tilde": "~",
        },
        "claude-vertex:access": {
            "verifyPermissions": True,
            "count": 12,
            "negative": -3,
            "ratio": 0.5,
            "exp": 1000.0,
            "empty": None,
            "nothing": None,
            "quoted": "true",
            "block": "12\n",
        },
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("-0", 0), ("10", 10), ("010", "010"), ("1_000", "1_000"), ("+1", "+1"), ("1.", "1."), ("True", "True")],
)
def test_only_json_like_plain_scalars_are_not_strings(text, value):
    assert resolve_plain(text) == value and type(resolve_plain(text)) is type(value)


def test_every_stack_file_here_and_every_fixture_reads():
    for path in sorted([*ROOT.glob("Pulumi*.yaml"), *FIXTURES.glob("Pulumi.*.yaml")]):
        assert isinstance(read_yaml_mapping(path), dict), path
