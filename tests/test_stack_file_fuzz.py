"""Whatever the bytes: generated hostile stack files are read cleanly or refused in one line, in bounded time.

A seeded generator (no new dependency; the same cases every run) mixes what an attacker reaches for: random
bytes, mutations of a valid stack file, deep nesting, long scalars and keys, numbers of every spelling and
size, odd config keys and top-level keys, encrypted values, YAML features (anchors, tags, merge keys, several
documents), BOMs, NULs, encoded surrogates, CRLF and truncation. Each case goes through the reader and, when
the reader takes it, through the program's own config validation, as the preview does before it registers
anything; a handful go through `python -m tools.preview` itself.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path

import pulumi.runtime
import pytest
import yaml
from claude_vertex.config import find_config_error, load_stack_config

from tests.conftest import BASE_CONFIG, SUITE_DATE
from tests.support.render import engine_config, read_stack_config
from tests.test_stack_file import preview
from tools.stack_file import StackFileError

SEED = 20261206
CASES = 300
PER_CASE_SECONDS = 2.0
"""A generous bound per case (a 1 MiB file reads in about a second on a loaded machine); most take milliseconds."""

BASE = yaml.safe_dump({"config": BASE_CONFIG}, sort_keys=False)
HOSTILE_SNIPPETS = [
    "\x00",
    "\ufeff",
    "\r",
    "\r\n",
    "\u2028",
    "\u202e",
    "\u200b",
    "\x85",
    "\t",
    "&a ",
    "*a",
    "!!binary ",
    "<<: ",
    "? ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    '"\\ud800"',
    '"\\0"',
    "{",
    "[",
    "'",
    '"',
    "#",
    ": ",
    "- ",
    "\n  ",
    "é",
    "日本",
    "\U0001f600",
]
NAMESPACES = ["", "claude-vertex:", "claude-vertex:config:", "gcp:", "gcp:config:", "pulumi:", "aws:", ":", "a:b:c:"]
NAMES = ["team", "access", "Access", " access", "project", "impersonateServiceAccount", "credentials", "tags", "x"]


def number(rng: random.Random) -> str:
    """A number in one of the spellings YAML readers disagree on, or of a size no field takes."""
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([1, 5, 19, 20, 21, 40, 4301, 5000])))
    forms = [
        digits,
        "-" + digits,
        "+" + digits,
        "0" + digits,
        digits + "." + digits,
        "." + digits,
        digits + ".",
        f"1e{rng.choice(['308', '309', '400', '-400', '-324', '99999999999999999999'])}",
        f"{digits}e{rng.randint(-500, 500)}",
        "0x" + rng.choice(["1F", "ffffffffffffffffffff", "g"]),
        "0o17",
        "0b101",
        "1_000",
        rng.choice([".inf", "-.Inf", ".nan", ".NaN"]),
        f"2024-{rng.randint(0, 13)}-{rng.randint(0, 40)}",
        "2024-01-01T10:00:00Z",
        str(2**64 - rng.randint(-2, 2)),
        str(-(2**63) - rng.randint(-2, 2)),
    ]
    return rng.choice(forms)


def random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([0, 1, 16, 512, 4096]))


def mutated(rng: random.Random) -> bytes:
    """The valid stack file with a few random edits: hostile characters inserted, bytes flipped or cut."""
    text = BASE
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.5:
            text = text[:at] + rng.choice(HOSTILE_SNIPPETS) + text[at:]
        elif choice < 0.7:
            text = text[:at] + text[at + rng.randint(1, 20) :]
        else:
            text = text[:at] + chr(rng.randint(0, 0x2FFF)) + text[at + 1 :]
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:  # a raw byte edit: invalid UTF-8, an encoded surrogate (ED A0 80)
        at = rng.randrange(len(data))
        data = data[:at] + rng.choice([b"\xff", b"\xed\xa0\x80", b"\xc3", b"\x00"]) + data[at:]
    return data


def deep(rng: random.Random) -> bytes:
    depth = rng.choice([10, 63, 64, 65, 200, 5000, 50_000])
    if rng.random() < 0.5:
        opener, closer = rng.choice([("[", "]"), ("{a: ", "}")])
        return f"config:\n  claude-vertex:team: {opener * depth}1{closer * depth}\n".encode()
    depth = min(depth, 2000)
    lines = "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth))
    return f"config:\n{lines}{'  ' * (depth + 1)}x: 1\n".encode()


def long_scalar(rng: random.Random) -> bytes:
    size = rng.choice([1_000, 100_000, 300_000])
    filler = rng.choice(["a", "1", "é", " a", "\\u202e"])
    body = filler * (size // len(filler))
    form = rng.choice(
        [
            f"config:\n  team: {body}\n",
            f'config:\n  team: "{body}"\n',
            f"config:\n  {body}: x\n",
            f"config:\n  access:\n    members: [{', '.join([body[:50]] * (size // 60))}]\n",
            f"config:\n  team: |\n    {body}\n",
            f"config:\n  claude-vertex:guardrails:\n    budget: {{monthlyAmount: 1, notify: ['{body}']}}\n",
            f"config:\n  ci:\n    github: {{repositories: ['{body}']}}\n",
        ]
    )
    return form.encode()


def numbers(rng: random.Random) -> bytes:
    where = rng.choice(
        [
            "config:\n  team: {n}\n",
            "config:\n  claude-vertex:guardrails:\n    quotas:\n      opus: {{requestsPerMinute: {n}}}\n",
            "config:\n  claude-vertex:project:\n    folderId: {n}\n",
            "config:\n  claude-vertex:guardrails:\n    budget: {{monthlyAmount: {n}, thresholds: [{n}]}}\n",
            "config:\n  {n}: x\n",
            "config:\n  gcp:project: {n}\n",
        ]
    )
    return where.format(n=number(rng)).encode()


def odd_keys(rng: random.Random) -> bytes:
    keys = [rng.choice(NAMESPACES) + rng.choice(NAMES) for _ in range(rng.randint(1, 4))]
    value = rng.choice(["x", "{}", "[]", "", "{secure: v1:AAAA}", "null", "'0777'"])
    return ("config:\n" + "".join(f"  {json.dumps(k)}: {value}\n" for k in keys)).encode()


def top_level(rng: random.Random) -> bytes:
    key = rng.choice(["environment", "imports", "values", "secretsprovider", "encryptionsalt", "confg", "Config", "~"])
    value = rng.choice(["[payments-prod]", "{imports: [x]}", "passphrase", "12", "null"])
    return (BASE + f"{key}: {value}\n").encode()


def yaml_features(rng: random.Random) -> bytes:
    return rng.choice(
        [
            'config:\n  a: &a ["lol"]\n  b: [*a, *a]\n',
            "config:\n  team: !!python/object/apply:os.system [id]\n",
            "config:\n  team: !!str 1\n",
            "config:\n  access: {<<: {members: [user:x@example.com]}}\n",
            "config: {}\n---\nconfig: {}\n",
            "%YAML 1.2\n---\nconfig: {team: t}\n",
            "? [a]\n: b\n",
            "config:\n  ? team\n  : t\n",
            "config: !!set {a, b}\n",
        ]
    ).encode()


def encodings(rng: random.Random) -> bytes:
    text = BASE.replace("\n", "\r\n") if rng.random() < 0.5 else BASE
    data = text.encode()
    edit = rng.choice(["bom", "utf16", "truncate", "nul", "none"])
    if edit == "bom":
        data = b"\xef\xbb\xbf" + data
    elif edit == "utf16":
        data = text.encode("utf-16")
    elif edit == "truncate":
        data = data[: rng.randrange(len(data))]
    elif edit == "nul":
        data = data.replace(b"\n", b"\x00\n", 1)
    return data


GENERATORS: list[Callable[[random.Random], bytes]] = [
    random_bytes,
    mutated,
    deep,
    long_scalar,
    numbers,
    odd_keys,
    top_level,
    yaml_features,
    encodings,
]


def cases(count: int, seed: int = SEED) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    return [(generate.__name__, generate(rng)) for generate in (GENERATORS[i % len(GENERATORS)] for i in range(count))]


def one_line(message: str) -> bool:
    return len(message.splitlines()) == 1 and message.strip() == message


def validate_as_the_program_does(config: dict) -> str | None:
    """The program's own config validation (`load_stack_config` from PULUMI_CONFIG): None, or its one line."""
    pulumi.runtime.set_all_config(engine_config(config))
    try:
        load_stack_config(today=SUITE_DATE)
    except Exception as error:
        config_error = find_config_error(error)
        assert config_error is not None, f"{type(error).__name__} would be a traceback: {error}"
        return str(config_error)
    finally:
        pulumi.runtime.set_all_config({})
    return None


def test_generated_hostile_stack_files_are_read_or_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.fuzz.yaml"
    outcomes: dict[str, set[str]] = {}
    for index, (family, content) in enumerate(cases(CASES)):
        path.write_bytes(content)
        started = time.perf_counter()
        try:
            config = read_stack_config(path, "claude-vertex")
        except StackFileError as error:
            message = str(error)
            assert one_line(message) and message.startswith(f"{path}: "), (index, family, content[:200], message)
            outcome = "refused by the reader"
        else:
            message = validate_as_the_program_does(config)
            assert message is None or one_line(message), (index, family, content[:200], message)
            outcome = "valid" if message is None else "refused by the config"
        elapsed = time.perf_counter() - started
        assert elapsed < PER_CASE_SECONDS, (index, family, len(content), elapsed)
        outcomes.setdefault(family, set()).add(outcome)
    # The generator reaches every family, and each outcome: a test that cannot fail proves nothing.
    assert set(outcomes) == {g.__name__ for g in GENERATORS}
    assert {o for found in outcomes.values() for o in found} == {
        "refused by the reader",
        "refused by the config",
        "valid",
    }, outcomes


def test_the_generator_is_seeded() -> None:
    assert cases(20) == cases(20) and cases(20) != cases(20, seed=SEED + 1)


@pytest.mark.slow
@pytest.mark.parametrize("index", [4, 5, 15, 19, 35])
def test_generated_hostile_stack_files_through_the_preview(tmp_path: Path, index: int) -> None:
    """Exit 2 with one line and nothing on stdout, or the rendered plan (the pack is tried on stack files in
    tests/policies; here the subject is reading and validating whatever arrives)."""
    family, content = cases(index + 1)[index]
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(content)
    result = preview(path, "--no-policy")
    assert "Traceback" not in result.stderr, (family, result.stderr)
    if result.returncode == 2:
        assert result.stdout == "" and one_line(result.stderr.strip()), (family, result.stderr)
    else:
        assert result.returncode == 0 and result.stdout.startswith("Stack dev of claude-vertex"), (family, result)
