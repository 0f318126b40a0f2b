"""tools/changed_stacks.py: the stacks a pipeline previews and applies for a change.

A wrong answer here either skips a stack that changed (an untested apply) or re-runs everything on every
docs typo, so the rules are checked on path lists and on a real temporary git repository.
"""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools import changed_stacks as cs
from tools.changed_stacks import Change, select_stacks

ALL = ["a", "b", "c"]


def pick(*changes: tuple[str, str] | str) -> list[str]:
    parsed = [Change(c) if isinstance(c, str) else Change(c[0], c[1]) for c in changes]
    return select_stacks(parsed, ALL)


# --- the rules, on plain values -------------------------------------------------------------------


def test_a_changed_stack_file_runs_that_stack_only() -> None:
    assert pick("Pulumi.b.yaml") == ["b"]
    assert pick(("Pulumi.c.yaml", "A"), "Pulumi.a.yaml") == ["a", "c"]


def test_a_deleted_stack_file_runs_nothing_offboarding_is_a_deliberate_destroy() -> None:
    assert pick(("Pulumi.b.yaml", "D")) == []
    assert pick(("Pulumi.b.yaml", "D"), ("Pulumi.a.yaml", "M")) == ["a"]


@pytest.mark.parametrize("path", ["README.md", "docs/gitops.md", "docs/img/flow.png", "bootstrap/README.md"])
def test_pure_docs_run_nothing(path: str) -> None:
    assert pick(path) == []
    assert pick(path, "Pulumi.a.yaml") == ["a"]


@pytest.mark.parametrize(
    "path",
    [
        "Pulumi.yaml",  # the project file is shared by every stack
        "__main__.py",
        "components/claude_vertex/resources/project.py",
        "policies/claude_vertex_policies/grants.py",
        "requirements.txt",
        ".github/workflows/apply.yml",
        "stacks/Pulumi.x.yaml",  # not at the root: not a stack file Pulumi would read
        "Pulumi.a.yml",  # Pulumi reads .yaml stack files beside a Pulumi.yaml project
    ],
)
def test_anything_else_runs_every_stack(path: str) -> None:
    assert pick(path) == ALL
    assert pick("Pulumi.a.yaml", path, "README.md") == ALL


def test_nothing_changed_runs_nothing() -> None:
    assert pick() == []


@pytest.mark.parametrize("name", ["Pulumi.$(id).yaml", "Pulumi.a b.yaml", "Pulumi.-x.yaml", "Pulumi.a;b.yaml"])
def test_a_stack_file_with_an_unusable_name_is_refused_not_put_in_a_matrix(name: str) -> None:
    with pytest.raises(cs.UsageError, match="not a valid stack name"):
        pick(name)


def test_the_module_needs_only_the_standard_library() -> None:
    """Pipelines run it with the runner's bare python3, before any virtualenv exists."""
    tree = ast.parse(Path(cs.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not (isinstance(node, ast.ImportFrom) and node.module is None)
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


# --- the command line on path lists ---------------------------------------------------------------


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str], stdin: str = "") -> tuple[int, str, str]:
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = cs.main(args)
    finally:
        sys.stdin = saved
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.payments.yaml", "README.md"):
        (tmp_path / name).write_text("x\n")
    return tmp_path


def test_paths_on_stdin_print_a_compact_json_matrix(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["--root", str(tree)], capsys, stdin="Pulumi.payments.yaml\nREADME.md\n")
    assert code == 0
    assert out == '["payments"]\n'
    assert json.loads(out) == ["payments"]


def test_paths_as_arguments_and_lines_format(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["--root", str(tree), "--format", "lines", "components/x.py"], capsys)
    assert code == 0
    assert out == "dev\npayments\n"


def test_a_listed_stack_file_that_no_longer_exists_counts_as_deleted(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["--root", str(tree), "./Pulumi.research.yaml", "Pulumi.dev.yaml"], capsys)
    assert (code, out) == (0, '["dev"]\n')


def test_nothing_to_run_is_an_empty_list_not_an_error(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--root", str(tree), "docs/a.md"], capsys)[:2] == (0, "[]\n")
    assert run_cli(["--root", str(tree), "--format", "lines", "docs/a.md"], capsys)[:2] == (0, "")


def test_all_lists_every_stack_file_outside_git(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--root", str(tree), "--all"], capsys)[:2] == (0, '["dev","payments"]\n')


def test_contradictory_arguments_exit_2_with_one_line(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["--root", str(tree), "--all", "README.md"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("changed_stacks: ") and err.count("\n") == 1


# --- the command line on a real git history -------------------------------------------------------


class Repo:
    """A throwaway git repository with just enough history to model a pull request and a push."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
            cwd=self.path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def commit(self, message: str, write: dict[str, str] | None = None, delete: tuple[str, ...] = ()) -> str:
        for name, text in (write or {}).items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        for name in delete:
            self.git("rm", "-q", name)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path)
    r.commit(
        "initial",
        {
            "Pulumi.yaml": "name: claude-vertex\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "Pulumi.payments.yaml": "config: {}\n",
            "Pulumi.research.yaml": "config: {}\n",
            "__main__.py": "",
            "README.md": "# x\n",
        },
    )
    return r


def diff(repo: Repo, base: str, head: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["--root", str(repo.path), "--base", base, "--head", head], capsys)


def test_git_pull_request_runs_added_and_modified_stacks_not_deleted_ones(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "onboard")
    head = repo.commit(
        "onboard search, change payments, offboard research, docs",
        {"Pulumi.search.yaml": "config: {}\n", "Pulumi.payments.yaml": "config: {a: 1}\n", "docs/x.md": "x\n"},
        delete=("Pulumi.research.yaml",),
    )
    assert diff(repo, base, head, capsys)[:2] == (0, '["payments","search"]\n')


def test_git_a_program_change_runs_every_stack_present_at_head(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base = repo.git("rev-parse", "HEAD")
    head = repo.commit("program", {"__main__.py": "print()\n"}, delete=("Pulumi.research.yaml",))
    assert diff(repo, base, head, capsys)[:2] == (0, '["dev","payments"]\n')


def test_git_renaming_a_stack_file_runs_the_new_name_only(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.git("mv", "Pulumi.research.yaml", "Pulumi.science.yaml")
    head = repo.commit("rename")
    assert diff(repo, base, head, capsys)[:2] == (0, '["science"]\n')


def test_git_uses_the_merge_base_so_a_moved_base_branch_is_not_the_pull_requests_change(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    head = repo.commit("payments only", {"Pulumi.payments.yaml": "config: {b: 2}\n"})
    repo.git("checkout", "-q", "main")
    base = repo.commit("main moved on: program change", {"__main__.py": "x = 1\n"})
    assert diff(repo, base, head, capsys)[:2] == (0, '["payments"]\n')


def test_git_unknown_base_selects_every_stack_and_says_why(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    head = repo.git("rev-parse", "HEAD")
    code, out, err = diff(repo, "0" * 40, head, capsys)
    assert (code, out) == (0, '["dev","payments","research"]\n')
    assert "selecting every stack" in err


def test_git_all_reads_the_head_commit_not_the_working_tree(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.path / "Pulumi.uncommitted.yaml").write_text("config: {}\n")
    code, out, _ = run_cli(["--root", str(repo.path), "--all"], capsys)
    assert (code, out) == (0, '["dev","payments","research"]\n')


def test_git_bad_head_ref_exits_2(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["--root", str(repo.path), "--base", "HEAD", "--head", "no-such-ref"], capsys)
    assert (code, out) == (2, "")
    assert "git ls-tree" in err


def test_git_invalid_stack_file_name_in_a_pull_request_exits_2(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    base = repo.git("rev-parse", "HEAD")
    head = repo.commit("sneaky", {"Pulumi.$(curl x).yaml": "config: {}\n"})
    code, out, err = diff(repo, base, head, capsys)
    assert (code, out) == (2, "")
    assert "not a valid stack name" in err


def test_runs_as_a_script_with_a_bare_interpreter(repo: Repo) -> None:
    """How the pipelines call it: `python3 tools/changed_stacks.py ...` from the repository root."""
    script = Path(cs.__file__)
    result = subprocess.run(
        [sys.executable, "-I", str(script), "--all", "--format", "lines"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "dev\npayments\nresearch\n")
