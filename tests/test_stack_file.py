"""Hostile stack files: refused in one line, fast, in bounded memory, with nothing rendered.

A stack file arrives in a fork's pull request and the offline preview reads it; these are the classes an
attacker (or a typo) reaches for. A few go through the real command line in a subprocess (exit 2, one
line, no traceback); the rest through the reader itself.
"""

from __future__ import annotations

import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from claude_vertex.config import StackConfig
from pydantic import BaseModel

from tests.fixture_stacks import FIXTURES, stacks_here
from tests.stack_reader_cases import ALL, ReaderCase
from tests.support.engine_config import engine_config
from tests.support.render import ROOT, read_project, read_stack_config
from tools.stack_file import MAX_BYTES, MAX_DEPTH, StackFileError, read_stack, read_yaml_mapping
from tools.stack_scalars import EXACT_INTEGERS, HIDDEN, MAX_NUMBER_DIGITS, ScalarRefused, resolve_plain

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


MEASURED = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)
"""Runs a command and writes its own peak RSS (KiB). Linux counts the memory a process had when it was forked (even
vforked) into the peak `wait4` reports for it, so a preview started straight from a large pytest process would
report pytest's size; started from this small launcher, it reports its own."""


def preview(config_file: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """The real command line; it must answer within seconds, and in a few hundred MB at most.

    The peak is the preview's own (`MEASURED`, its output in files), not the test process's nor the largest child the
    test session ever had (the real Claude Code client of another test is far larger).
    """
    out, err = config_file.with_suffix(".stdout"), config_file.with_suffix(".stderr")
    peak = config_file.with_suffix(".peak")
    command = [sys.executable, "-m", "tools.preview", "--stack", "dev", "--config-file", str(config_file), *options]
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", MEASURED, str(peak), *command],
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            start_new_session=True,
        )
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError(f"{config_file} kept the preview busy for 20 s") from None
    assert time.perf_counter() - started < 5
    peak_kib = int(peak.read_text())
    assert peak_kib < 300 * 1024, f"peak {peak_kib // 1024} MiB"
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


def read(tmp_path: Path, content: str) -> dict:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text(content, newline="")
    return read_stack_config(path, "claude-vertex")


def test_plain_scalars_read_as_pulumi_reads_them(tmp_path):
    """What pulumi 3.272 (go-yaml v3) hands the program for each of these, checked with the real loader."""
    assert read(
        tmp_path,
        "config:\n"
        "  team: yes\n"
        "  project:\n"
        "    folderId: '0777'\n"
        "    create: false\n"
        "    billingAccount: 012345-6789AB-CDEF01\n"
        "    since: '2024-01-01'\n"
        "    notADate: 2024-1-1x\n"
        "    on: on\n"
        "    hex: '0x1F'\n"
        "    hidden: .hidden\n"
        "    dash: -x\n"
        "    first: 1st\n"
        "  access:\n"
        "    verifyPermissions: True\n"
        "    off: FALSE\n"
        "    count: 12\n"
        "    negative: -3\n"
        "    zero: -0\n"
        "    ratio: 0.5\n"
        "    exp: 1e3\n"
        "    big: 1.5e300\n"
        "    empty:\n"
        "    nothing: null\n"
        "    Nothing: Null\n"
        "    tilde: ~\n"
        "    quoted: 'true'\n"
        "    block: |\n"
        "      12\n",
    ) == {
        "claude-vertex:team": "yes",
        "claude-vertex:project": {
            "folderId": "0777",
            "create": False,
            "billingAccount": "012345-6789AB-CDEF01",
            "since": "2024-01-01",
            "notADate": "2024-1-1x",
            "on": "on",
            "hex": "0x1F",
            "hidden": ".hidden",
            "dash": "-x",
            "first": "1st",
        },
        "claude-vertex:access": {
            "verifyPermissions": True,
            "off": False,
            "count": 12,
            "negative": -3,
            "zero": 0,
            "ratio": 0.5,
            "exp": 1000.0,
            "big": 1.5e300,
            "empty": None,
            "nothing": None,
            "Nothing": None,
            "tilde": None,
            "quoted": "true",
            "block": "12\n",
        },
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("-0", 0),
        ("10", 10),
        ("True", True),
        ("NULL", None),
        ("yes", "yes"),
        (str(2**64 - 1), 2**64 - 1),
        (str(-(2**63)), -(2**63)),
        ("12345678901234567890", 12345678901234567890),
        ("0.000001", 0.000001),
        ("0." + "0" * 19 + "1", 1e-20),
    ],
)
def test_numbers_every_reader_agrees_on_are_values(text, value):
    assert resolve_plain(text) == value and type(resolve_plain(text)) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("010", "Pulumi reads the plain value 010 as a number"),  # octal 8 to go-yaml, text to YAML 1.2's JSON schema
        ("0777", "as a number"),
        ("089", "as a number"),  # not octal: go-yaml's float, 89
        ("0x1F", "as a number"),
        ("0o17", "as a number"),
        ("0b101", "as a number"),
        ("1_000", "as a number"),
        ("+1", "as a number"),
        (".5", "as a number"),
        ("1.", "as a number"),
        ("-0x10", "as a number"),
        (".inf", "Pulumi cannot read .inf (it refuses the whole file)"),
        ("-.Inf", "Pulumi cannot read -.Inf"),
        (".nan", "Pulumi cannot read .nan"),
        ("2024-01-01", "as a timestamp and hands the program another text"),
        ("2024-1-2T10:00:00Z", "as a timestamp"),
        ("2024-01-01 10:00:00", "as a timestamp"),
    ],
)
def test_plain_scalars_readers_disagree_on_are_refused(text, message):
    with pytest.raises(ScalarRefused, match=re.escape(message)):
        resolve_plain(text)


LONG_INTEGER = "1" * 4301
"""One digit past Python's limit on converting text to an integer (a ValueError, before this reader)."""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            LONG_INTEGER,
            "line 3: config.access.count: the number 111111111111111111111... has 4301 digits; no config "
            f"field takes more than {MAX_NUMBER_DIGITS} (quote it if it is text)",
        ),
        ("-" + "9" * 100_000, "has 100000 digits"),
        ("123456789012345678901", "has 21 digits"),
        (
            str(2**63),
            f"the integer {2**63} is out of range: Pulumi reads integers inside a setting's object or list exactly "
            f"only from -{2**63} to {2**63 - 1}",
        ),
        (str(-(2**63) - 1), "is out of range"),
        ("1." + "5" * 5000, "has 5001 digits"),
        ("1" * 25 + ".5e-10", "has 26 digits"),
        ("1e400", "the number 1e400 is beyond what a 64-bit float holds"),
        ("-1e99999999999999999999", "beyond what a 64-bit float holds"),
        ("1e-400", "beyond what a 64-bit float holds"),
    ],
    ids=[
        "4301-digits",
        "100000-digits",
        "21-digits",
        "2^63",
        "-2^63-1",
        "5001-digit-float",
        "26-digit-mantissa",
        "overflow",
        "huge-exponent",
        "underflow",
    ],
)
def test_numbers_no_field_takes_are_refused_in_bounded_time(tmp_path, value, message):
    assert message in refused(tmp_path, f"config:\n  access:\n    count: {value}\n")


def _fields(model: type) -> Iterator[tuple[str, Any]]:
    for name, info in model.model_fields.items():
        yield f"{model.__name__}.{name}", info
        for nested in _models(info.annotation):
            yield from _fields(nested)


def _models(annotation: Any) -> Iterator[type]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models(arg)


_NUMERIC_ID = re.compile(r"\^(?:\[[0-9-]+\](?:\{[0-9]+(?:,[0-9]+)?\}|[?*+])?)+\$")
"""A pattern of digits only (`^[1-9][0-9]{0,19}$`): a numeric ID, which YAML readers take for a number."""


def longest_number(info: Any) -> int:
    """The most digits a field's declaration lets a number have: its bounds, or its numeric-ID pattern."""
    digits = [0]
    for rule in info.metadata:
        for bound in (getattr(rule, name, None) for name in ("le", "lt", "ge", "gt")):
            if isinstance(bound, int | float):
                digits.append(len(str(abs(int(bound)))))
        pattern = getattr(rule, "pattern", None)
        if pattern and _NUMERIC_ID.fullmatch(pattern):
            digits.append(max(n for n in range(1, 65) if re.fullmatch(pattern, "1" * n)))
    return max(digits)


def test_the_number_limit_is_the_longest_number_a_field_declares_and_what_pulumi_reads_exactly():
    longest = {name: n for name, info in _fields(StackConfig) if (n := longest_number(info))}
    assert longest["ProjectConfig.folder_id"] == 20 and longest["QuotaCaps.requests_per_minute"] == 13
    assert max(longest.values()) == MAX_NUMBER_DIGITS, longest
    assert len(str(EXACT_INTEGERS.stop - 1)) == MAX_NUMBER_DIGITS  # 2^64 - 1: the largest go-yaml reads exactly


def test_a_numeric_id_reads_unquoted_as_far_as_pulumi_reads_it_exactly(tmp_path):
    """Inside a setting's object Pulumi keeps integers exactly up to 2^63 - 1; a setting's whole value up to 2^64 - 1
    (the CLI's answers: tests/stack_reader_cases.py, `past-int64-inside-an-object` and `top-level-scalars`)."""
    assert read(
        tmp_path, "config:\n  project:\n    folderId: 9223372036854775807\n  whole: 18446744073709551615\n"
    ) == {
        "claude-vertex:project": {"folderId": 9223372036854775807},
        "claude-vertex:whole": 18446744073709551615,
    }
    assert "quote it" in refused(tmp_path, "config:\n  project:\n    folderId: 12345678901234567890\n")
    assert read(tmp_path, "config:\n  project:\n    folderId: '12345678901234567890'\n") == {
        "claude-vertex:project": {"folderId": "12345678901234567890"}
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "config:\n  access: a\n  claude-vertex:access: b\n",
            "line 3: config.claude-vertex:access: names the same "
            "config key (claude-vertex:access) as access (line 2); Pulumi keeps only one of them, at random: keep one "
            "spelling",
        ),
        (
            "config:\n  claude-vertex:config:access: {}\n  access: {}\n",
            "line 3: config.access: names the same config "
            "key (claude-vertex:access) as claude-vertex:config:access (line 2)",
        ),
        (
            "config:\n  gcp:project: a\n  team: t\n  gcp:config:project: b\n",
            "line 4: config.gcp:config:project: names the same config key (gcp:project) as gcp:project (line 2)",
        ),
        (
            "config:\n  access: {}\n  Access: {}\n",
            "line 3: config.Access: differs only in case from access (line 2); "
            "Pulumi reads two keys where a reviewer sees one",
        ),
        ("config:\n  gcp:project: a\n  gcp:Project: b\n", "config.gcp:Project: differs only in case from gcp:project"),
        (
            "config:\n  claude-vertex:team: a\n  CLAUDE-VERTEX:team: b\n",
            "no provider of this program reads CLAUDE-VERTEX:*",
        ),
        ("config:\n  a:b:c: x\n", "line 2: config.a:b:c: Pulumi cannot parse this as a config key"),
        ("config:\n  gcp:config:a:b: x\n", "Pulumi cannot parse this as a config key"),
        ("config:\n  ':team': x\n", "config.:team: Pulumi reads this as a config key with no namespace or no name"),
        ("config:\n  'gcp:': x\n", "a config key with no namespace or no name"),
        ("config:\n  ' access': {}\n", "config. access: a config key has no spaces"),
        ("config:\n  'gcp: project': x\n", "a config key has no spaces"),
        ("config:\n  <<: {team: x}\n", "line 2: config: YAML merge keys (<<) are not allowed"),
        ("config:\n  access: {<<: {members: [a]}}\n", "config.access: YAML merge keys (<<) are not allowed"),
        ("config:\n  ~: x\n", "key '~' must be a string"),
        ("config:\n  0777: x\n", "line 2: config: Pulumi reads the plain value 0777 as a number"),
    ],
    ids=[
        "bare-and-namespaced",
        "legacy-and-bare",
        "provider-legacy",
        "case",
        "provider-case",
        "namespace-in-capitals",
        "three-parts",
        "four-parts",
        "no-namespace",
        "no-name",
        "leading-space",
        "inner-space",
        "merge-key",
        "nested-merge-key",
        "null-key",
        "octal-key",
    ],
)
def test_two_spellings_of_one_config_key_and_keys_pulumi_reads_otherwise_are_refused(tmp_path, content, message):
    assert message in refused(tmp_path, content)


def test_config_keys_are_namespaced_as_pulumi_parses_them(tmp_path):
    assert read(
        tmp_path,
        "config:\n  team: t\n  claude-vertex:config:access: {}\n  gcp:config:impersonateServiceAccount: a@b.c\n",
    ) == {"claude-vertex:team": "t", "claude-vertex:access": {}, "gcp:impersonateServiceAccount": "a@b.c"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "environment:\n  - payments-prod\nconfig:\n  team: t\n",
            "line 1: environment: Pulumi ESC environments "
            "(imports, pulumiConfig, environmentVariables) bring config and environment variables the offline gate "
            "never sees; write the values under config: in this file, where it judges them",
        ),
        (
            "config:\n  team: t\nenvironment:\n  imports: [payments-prod]\n  values:\n    pulumiConfig: {team: x}\n",
            "line 3: environment: Pulumi ESC environments",
        ),
        (
            "imports:\n  - payments-prod\n",
            "line 1: imports: unknown top-level key; allowed: config, secretsprovider, encryptedkey, encryptionsalt",
        ),
        ("values:\n  pulumiConfig: {}\n", "values: unknown top-level key"),
        ("config: {}\nconfg:\n  team: t\n", "line 2: confg: unknown top-level key"),
        ("secretsprovider: [a]\n", "line 1: secretsprovider: must be text, as `pulumi stack init` writes it"),
        ("encryptionsalt: 12\n", "encryptionsalt: must be text"),
    ],
    ids=["esc-list", "esc-definition", "imports", "values", "typo", "secretsprovider-list", "salt-number"],
)
def test_only_config_and_the_secrets_bookkeeping_are_read_at_the_top_level(tmp_path, content, message):
    assert message in refused(tmp_path, content)


def test_the_secrets_bookkeeping_pulumi_writes_is_allowed(tmp_path):
    content = (
        "secretsprovider: gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k\n"
        "encryptedkey: CiQAbc==\nencryptionsalt: v1:abc:def\nconfig:\n  team: t\n"
    )
    assert read(tmp_path, content) == {"claude-vertex:team": "t"}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "pulumi:disable-default-providers",
            "pulumi:* settings change how the engine runs (default providers, autonaming, stack tags), which the "
            "offline gate does not emulate; only claude-vertex (this program) and gcp (its provider, judged by the "
            "policy pack) config is read",
        ),
        ("pulumi:autonaming", "pulumi:* settings change how the engine runs"),
        ("pulumi:tags", "pulumi:* settings change how the engine runs"),
        ("aws:region", "no provider of this program reads aws:* config"),
        ("google-native:project", "no provider of this program reads google-native:* config"),
        ("pulumi-python:x", "no provider of this program reads pulumi-python:* config"),
    ],
)
def test_config_for_the_engine_or_providers_the_program_does_not_use_is_refused(tmp_path, key, message):
    assert f"line 3: config.{key}: {message}" in refused(tmp_path, f"config:\n  team: t\n  {key}: ['*']\n")


def test_provider_settings_pass_through_unchanged_for_the_pack_to_judge(tmp_path):
    """gcp:* is the default provider's inputs: the policy pack judges them (gcp-provider-settings-allowed)."""
    content = (
        "config:\n"
        "  team: t\n"
        "  gcp:impersonateServiceAccount: deployer@attacker.iam.gserviceaccount.com\n"
        "  gcp:credentials:\n"
        "    secure: v1:AAAA\n"
        "  gcp:config:cloudResourceManagerCustomEndpoint: https://attacker.example/\n"
        "  gcp:batching: {enableBatching: false}\n"
        "  gcp:project: 12\n"
    )
    assert read(tmp_path, content) == {
        "claude-vertex:team": "t",
        "gcp:impersonateServiceAccount": "deployer@attacker.iam.gserviceaccount.com",
        "gcp:credentials": {"secure": "v1:AAAA"},
        "gcp:cloudResourceManagerCustomEndpoint": "https://attacker.example/",
        "gcp:batching": {"enableBatching": False},
        "gcp:project": 12,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "config:\n  team:\n    secure: v1:AAAA\n",
            "line 3: config.team: an encrypted value ({secure: ...}): the "
            "offline gate cannot decrypt it, and no claude-vertex setting is secret; write the value itself",
        ),
        (
            "config:\n  claude-vertex:access:\n    members:\n      - group:a@example.com\n      - secure: v1:AAAA\n",
            "line 5: config.claude-vertex:access.members[1]: an encrypted value",
        ),
        (
            "config:\n  claude-vertex:config:guardrails: {budget: {notify: {secure: x}}}\n",
            "config.claude-vertex:config:guardrails.budget.notify: an encrypted value",
        ),
    ],
    ids=["top", "list-item", "legacy-key"],
)
def test_an_encrypted_value_in_the_programs_namespace_is_refused(tmp_path, content, message):
    assert message in refused(tmp_path, content)


def test_a_mapping_with_a_secure_key_and_more_is_not_encrypted(tmp_path):
    assert read(tmp_path, "config:\n  access: {secure: x, other: y}\n") == {
        "claude-vertex:access": {"secure": "x", "other": "y"}
    }


@pytest.mark.parametrize("key", ["team", "gcp:project", "claude-vertex:access"])
def test_a_config_key_without_a_value_is_refused(tmp_path, key):
    full = key if ":" in key else f"claude-vertex:{key}"
    assert refused(tmp_path, f"config:\n  {key}:\n  # nothing\n") == (
        f'line 2: config.{key}: no value: Pulumi passes {full} as "" today and as null in a later version; write a '
        "value, or remove the key"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "config:\n  team: pay\u202ements\n",
            "line 2, column 12: the invisible character U+202E (RIGHT-TO-LEFT "
            "OVERRIDE) is not allowed: a reviewer cannot see it in the pull request; remove it",
        ),
        ("config:\n  # looks harmless \u2066\n  team: t\n", "line 2, column 20: the invisible character U+2066"),
        (
            "config:\n  access:\n    members: [group:a\u200b@example.com]\n",
            "line 3, column 22: the invisible character U+200B (ZERO WIDTH SPACE)",
        ),
        ("config:\n  team: a\rb\n", "line 2, column 10: the invisible character U+000D (a control character)"),
        ("config:\n  team: t\n\ufeff", "line 3, column 1: the invisible character U+FEFF"),
        ("config:\n  team: t\U000e0041\n", "U+E0041 (TAG LATIN CAPITAL LETTER A)"),
        ('config:\n  team: "pay\\u202ements"\n', "line 2: config.team: the invisible character U+202E"),
        ('config:\n  team: "a\\0b"\n', "line 2: config.team: the invisible character U+0000"),
        ('config:\n  team: "a\\Lb"\n', "the invisible character U+2028 (LINE SEPARATOR)"),
        ('config:\n  "te\\u200bam": t\n', "line 2: config: the invisible character U+200B"),
        ('config:\n  team: "\\ud800"\n', "not valid YAML (found invalid Unicode character escape code"),
    ],
    ids=[
        "bidi",
        "bidi-in-comment",
        "zero-width",
        "lone-cr",
        "bom-inside",
        "tag-character",
        "escaped-bidi",
        "escaped-nul",
        "escaped-line-separator",
        "escaped-in-key",
        "escaped-surrogate",
    ],
)
def test_characters_a_reviewer_cannot_see_are_refused(tmp_path, content, message):
    assert message in refused(tmp_path, content)


def test_a_bom_crlf_and_tabs_are_fine(tmp_path):
    assert read(tmp_path, '\ufeffconfig:\r\n  team: t\r\n  project: {name: "a\tb"}\r\n') == {
        "claude-vertex:team": "t",
        "claude-vertex:project": {"name": "a\tb"},
    }


def test_the_invisible_characters_are_every_unicode_control_format_and_separator():
    invisible = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in invisible and chr(code) not in "\t\n" and not HIDDEN.match(chr(code))
    ]
    assert missed == []
    assert not HIDDEN.search("\t\n café 日本 \u00a0 emoji \U0001f600")


def test_messages_are_one_printable_line_whatever_the_path(tmp_path):
    directory = tmp_path / "a\nb"
    directory.mkdir()
    path = directory / "Pulumi.x\u202e.yaml"
    path.write_text("config:\n  team: 1e400\n")
    with pytest.raises(StackFileError) as caught:
        read_stack_config(path, "claude-vertex")
    assert str(caught.value).startswith(f"{tmp_path}/a\\nb/Pulumi.x\\u202e.yaml: line 2: config.team: the number")
    assert len(str(caught.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("project_file", "message"),
    [
        (
            "name: demo\nruntime: python\nstackConfigDir: stacks\n",
            "line 3: stackConfigDir: unknown top-level key; allowed: name, description, runtime, config",
        ),
        ("name: demo\nruntime: python\nmain: elsewhere/\n", "main: unknown top-level key"),
        (
            "name: demo\nruntime: python\nconfig:\n  region: {default: a}\n  demo:region: {default: b}\n",
            "line 5: config.demo:region: names the same config key (demo:region) as region (line 4)",
        ),
        (
            "name: demo\nruntime: python\nconfig:\n  pulumi:disable-default-providers: {value: ['*']}\n",
            "config.pulumi:disable-default-providers: pulumi:* settings change how the engine runs",
        ),
        (
            "name: demo\nruntime: python\nconfig:\n  region: {default: 2024-01-01}\n",
            "config.region.default: Pulumi reads the plain value 2024-01-01 as a timestamp",
        ),
    ],
    ids=["stack-config-dir", "main", "two-spellings", "engine-setting", "timestamp"],
)
def test_the_project_file_is_read_under_the_same_rules(tmp_path, project_file, message):
    (tmp_path / "Pulumi.yaml").write_text(project_file)
    with pytest.raises(StackFileError) as caught:
        read_project(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'Pulumi.yaml'}: ") and message in str(caught.value)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"config:\n  team: t\n  access:\n    count: {LONG_INTEGER}\n", "has 4301 digits"),
        (
            "config:\n  access: {}\n  claude-vertex:access: {members: [user:x@example.com]}\n",
            "names the same config key",
        ),
        ("environment:\n  - payments-prod\nconfig:\n  team: t\n", "Pulumi ESC environments"),
        ("config:\n  team: t\n  pulumi:disable-default-providers: ['*']\n", "pulumi:* settings"),
        ("config:\n  team:\n    secure: v1:AAAA\n", "an encrypted value"),
    ],
    ids=["4301-digits", "two-spellings", "esc", "engine-setting", "encrypted"],
)
def test_the_preview_exits_2_with_one_line(tmp_path, content, expected):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(content)
    result = preview(path)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: line ") and expected in line, result.stderr


def test_every_stack_file_here_and_every_fixture_reads():
    for path in sorted([*ROOT.glob("Pulumi*.yaml"), *FIXTURES.glob("Pulumi.*.yaml")]):
        assert isinstance(read_yaml_mapping(path), dict), path


@pytest.mark.parametrize("case", ALL, ids=lambda case: case.id)
def test_the_reader_means_what_the_cli_means(tmp_path: Path, case: ReaderCase) -> None:
    """The table the real CLI is held to as well (tests/e2e/test_config_reader.py): the same config for the program,
    or a refusal in one line (where the CLI refuses too, or where the reader is stricter on purpose)."""
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text() + case.project)
    path = tmp_path / "Pulumi.case.yaml"
    path.write_text(case.stack)
    if case.values is not None:
        assert engine_config(read_stack(path, tmp_path)[1]) == case.values
        return
    with pytest.raises(StackFileError) as caught:
        read_stack(path, tmp_path)
    message = str(caught.value)
    assert case.refused in message and len(message.splitlines()) == 1, message


def test_each_reader_case_says_what_the_cli_does() -> None:
    for case in ALL:
        agreed = case.values is not None and not (case.refused or case.cli_refuses or case.cli_values)
        both_refuse = bool(case.refused and case.cli_refuses) and case.values is None and not case.cli_values
        stricter = bool(case.refused and case.cli_values and case.stricter_because) and not case.cli_refuses
        assert [agreed, both_refuse, stricter].count(True) == 1, case.id
    assert len({case.id for case in ALL}) == len(ALL)
