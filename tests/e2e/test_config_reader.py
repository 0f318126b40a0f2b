"""What the real CLI makes of a stack file, against what the offline reader says it makes of it.

The offline gate reads stack files itself (tools/stack_file.py, stack_keys.py, stack_scalars.py, project_config.py)
and claims to read them as Pulumi does. Here the CLI (`make engine`) answers, on a file backend:

* tests/stack_reader_cases.py, case by case: the config the program receives, read out of the program itself under
  `pulumi preview` (a program that writes down what the engine hands it), equals the reader's; where the reader
  refuses, the CLI refuses too (`pulumi preview` exits non-zero, saying so), or the reader is stricter on purpose and
  the case pins what the CLI would have made of the file instead (the reason is in the case and the reader's
  docstrings);
* two spellings of one key: the CLI keeps one of them, a different one from run to run;
* every stack file here, and what `pulumi config set` writes, read alike;
* generated hostile stack files (tests/test_stack_file_fuzz.py): whatever the reader takes, the CLI takes with the
  same meaning.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT
from tests.fixture_stacks import every_stack_file, stack_of
from tests.stack_reader_cases import AGREED, BOTH_REFUSE, STRICTER, ReaderCase
from tests.support.engine.cli import Engine
from tests.support.engine_config import engine_config, secret_keys
from tests.test_stack_file_fuzz import cases as fuzz_cases
from tools.stack_file import StackFileError, read_stack

pytestmark = pytest.mark.e2e
STACK = "reader"
DUMP_VARIABLE = "CLAUDE_VERTEX_CONFIG_DUMP"
DUMPING_PROGRAM = f'''"""Writes down the config the engine hands the program, and registers nothing."""
import json
import os

from pulumi.runtime.config import CONFIG

with open(os.environ["{DUMP_VARIABLE}"], "w") as dump:
    json.dump(CONFIG.get(), dump)
'''


@dataclass
class CliProject:
    """A scratch project whose program only writes down its config, with one stack initialised."""

    engine: Engine
    work: Path
    salt: str
    """The `encryptionsalt` line `pulumi stack init` wrote: kept in every stack file written after."""

    @property
    def stack_file(self) -> Path:
        return self.work / f"Pulumi.{STACK}.yaml"

    def write(self, stack_text: str, project_config: str = "") -> None:
        (self.work / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text() + project_config)
        self.stack_file.write_text(self.salt + stack_text)

    def program_config(self) -> dict[str, str]:
        """`pulumi preview`: what the program received; fails with everything the CLI said if it did not run."""
        dump = self.work / "config.json"
        dump.unlink(missing_ok=True)
        self.engine.python_program("preview", "--stack", STACK, cwd=self.work, env={DUMP_VARIABLE: str(dump)})
        return json.loads(dump.read_text())

    def refusal(self) -> str:
        """`pulumi preview` of a file the CLI refuses: what it printed (it must exit non-zero, before the program)."""
        dump = self.work / "config.json"
        dump.unlink(missing_ok=True)
        result = self.engine.python_program(
            "preview", "--stack", STACK, cwd=self.work, check=False, env={DUMP_VARIABLE: str(dump)}
        )
        assert result.returncode != 0 and not dump.exists(), f"the CLI ran the program:\n{result.stdout}"
        return result.stdout + result.stderr

    def config_json(self) -> dict[str, Any]:
        """`pulumi config --json` (no validation, no program, secrets not decrypted): key -> {value, secret, ...}."""
        result = self.engine.pulumi("config", "--json", "--stack", STACK, cwd=self.work)
        return json.loads(result.stdout)


@pytest.fixture
def cli_project(bin_dir: Path, tmp_path: Path) -> CliProject:
    backend = tmp_path / "backend"
    backend.mkdir()
    engine = Engine(bin=bin_dir, home=tmp_path / "home", backend=backend)
    work = tmp_path / "project"
    work.mkdir()
    shutil.copyfile(ROOT / "Pulumi.yaml", work / "Pulumi.yaml")
    (work / "__main__.py").write_text(DUMPING_PROGRAM)
    engine.pulumi("stack", "init", STACK, cwd=work)
    salt = (work / f"Pulumi.{STACK}.yaml").read_text()
    assert salt.startswith("encryptionsalt: ") and salt.count("\n") == 1, salt
    return CliProject(engine, work, salt)


def reader(project: CliProject) -> dict[str, str]:
    """What the offline reader says the program receives for the scratch project's stack file."""
    return engine_config(read_stack(project.stack_file, project.work)[1])


@pytest.mark.parametrize("case", AGREED, ids=lambda case: case.id)
def test_the_program_receives_what_the_reader_says(cli_project: CliProject, case: ReaderCase) -> None:
    cli_project.write(case.stack, case.project)
    assert cli_project.program_config() == case.values == reader(cli_project)


@pytest.mark.parametrize("case", BOTH_REFUSE, ids=lambda case: case.id)
def test_what_the_reader_refuses_the_cli_refuses(cli_project: CliProject, case: ReaderCase) -> None:
    cli_project.write(case.stack, case.project)
    assert case.cli_refuses in cli_project.refusal()
    with pytest.raises(StackFileError, match=None) as refused:
        reader(cli_project)
    assert case.refused in str(refused.value)


@pytest.mark.parametrize("case", STRICTER, ids=lambda case: case.id)
def test_where_the_reader_is_stricter_the_cli_reads_what_a_reviewer_would_not(
    cli_project: CliProject, case: ReaderCase
) -> None:
    """The reader refuses these on purpose (`case.stricter_because`); the CLI takes them, meaning this."""
    cli_project.write(case.stack, case.project)
    assert cli_project.program_config() == case.cli_values
    with pytest.raises(StackFileError) as refused:
        reader(cli_project)
    assert case.refused in str(refused.value)


TWO_SPELLINGS = [
    "config:\n  team: bare\n  claude-vertex:team: namespaced\n",
    "config:\n  claude-vertex:config:team: legacy\n  claude-vertex:team: namespaced\n",
]


@pytest.mark.parametrize("text", TWO_SPELLINGS, ids=["bare-and-namespaced", "legacy-and-namespaced"])
def test_two_spellings_of_one_key_the_cli_keeps_one_of_them_at_random(cli_project: CliProject, text: str) -> None:
    """What the reader's refusal says ("Pulumi keeps only one of them, at random"): no error, no warning, one value,
    not always the same one (Go's map order; stops as soon as both were seen, 1 in 10^4 to see one 150 times)."""
    cli_project.write(text)
    seen: set[str] = set()
    for _ in range(150):
        result = cli_project.engine.pulumi("config", "get", "team", "--stack", STACK, cwd=cli_project.work)
        assert result.stderr == ""
        seen.add(result.stdout.strip())
        if len(seen) == 2:
            break
    assert len(seen) == 2, seen
    with pytest.raises(StackFileError, match="Pulumi keeps only one of them, at random"):
        reader(cli_project)


@pytest.mark.parametrize("stack_file", every_stack_file(), ids=stack_of)
def test_every_stack_file_reaches_the_program_as_the_reader_reads_it(cli_project: CliProject, stack_file: Path) -> None:
    cli_project.write(stack_file.read_text())
    assert cli_project.program_config() == reader(cli_project)


def test_what_pulumi_config_set_writes_the_reader_reads_as_the_cli_does(cli_project: CliProject) -> None:
    cli_project.write("config: {}\n")
    for arguments in (
        ("team", "payments"),
        ("--path", "claude-vertex:guardrails.budget.thresholds[0]", "0.5"),
        ("--path", "claude-vertex:guardrails.budget.thresholds[1]", "1.0"),
        ("--path", "access.members[0]", "group:a@example.com"),
        ("--path", "project.folderId", "0777"),
        ("--path", "vertex.enableModels", "true"),
        ("gcp:project", "claude-payments-dev"),
        ("--secret", "gcp:credentials", "{}"),
    ):
        cli_project.engine.pulumi("config", "set", *arguments, "--stack", STACK, cwd=cli_project.work)
    received = cli_project.program_config()
    assert received.pop("gcp:credentials") == "{}"  # the engine decrypts it; the reader cannot (and need not)
    expected = reader(cli_project)
    assert json.loads(expected.pop("gcp:credentials"))["secure"].startswith("v1:")
    assert received == expected


FUZZ_CASES = 60
"""Of the fast suite's seeded hostile files (tests/test_stack_file_fuzz.py), a CLI run each: about 0.2 s apiece."""


def test_whatever_the_reader_takes_of_hostile_files_the_cli_takes_with_the_same_meaning(
    cli_project: CliProject,
) -> None:
    agreed = refused_by_both = stricter = 0
    for index, (family, content) in enumerate(fuzz_cases(FUZZ_CASES)):
        cli_project.stack_file.write_bytes(cli_project.salt.encode() + content)
        try:
            expected_config = read_stack(cli_project.stack_file, cli_project.work)[1]
        except StackFileError:
            result = cli_project.engine.pulumi("config", "--json", "--stack", STACK, cwd=cli_project.work, check=False)
            refused_by_both += result.returncode != 0
            stricter += result.returncode == 0
            continue
        expected = engine_config(expected_config)
        shown = cli_project.config_json()
        assert {key for key, entry in shown.items() if entry["secret"]} == set(secret_keys(expected_config)), index
        values = {key: entry.get("value") for key, entry in shown.items() if not entry["secret"]}
        assert values == {key: expected[key] for key in values} and set(shown) == set(expected), (index, family)
        agreed += 1
    assert agreed and refused_by_both and stricter, (agreed, refused_by_both, stricter)
