"""tools/gitlab_plans.py against a loopback server answering as GitLab's REST API does, and a real git clone.

The server keeps GitLab's shapes and rules that the tool relies on: `PRIVATE-TOKEN` for merge requests, pipelines
and jobs (where the CI/CD job token is refused), `JOB-TOKEN` for a job's artifact files, 404 with a JSON
`message` for a file the archive lacks, `X-Next-Page` pagination. The clone is a real repository whose `origin`
holds the previewed commit, so the tree check is git's own answer, fetch included.

The rule the tool must keep: it writes a plan (or a new-stack marker) only for a commit a merge request merged,
from that merge request's newest pipeline's successful cloud-preview job, when the tree is unchanged for the
stack since; anything else writes nothing and says why in one line.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.pipelines import HAS_GITLAB, NO_GITLAB

if not HAS_GITLAB:  # before importing the tool: a GitHub-only repository deletes it with the pipeline
    pytest.skip(NO_GITLAB, allow_module_level=True)

from tools import gitlab_plans

PROJECT = "42"
API_TOKEN = "glpat-review-token"
JOB_TOKEN = "glcbt-job-token"
PLAN = b'{"manifest": {"time": "2026-12-01T00:00:00Z"}, "resourcePlans": {}}'
STACK = "payments"


# --- a GitLab that answers -----------------------------------------------------------------------------


@dataclass
class FakeGitLab:
    """Merge requests, pipelines, jobs and artifact files, served as GitLab's API serves them."""

    merge_requests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pipelines: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    jobs: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    artifacts: dict[tuple[int, str], bytes] = field(default_factory=dict)
    per_page: int = 100
    override: Callable[[str], tuple[int, dict[str, str], bytes] | None] | None = None
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        self.requests.append((path, headers))
        if self.override and (special := self.override(path)):
            return special
        prefix = f"/api/v4/projects/{PROJECT}/"
        if not path.startswith(prefix):
            return _json(404, {"message": "404 Project Not Found"})
        rest = path.removeprefix(prefix).split("/")
        if rest[:1] == ["jobs"] and rest[2:3] == ["artifacts"]:
            if headers.get("job-token") != JOB_TOKEN:
                return _json(401, {"message": "401 Unauthorized"})
            body = self.artifacts.get((int(rest[1]), "/".join(rest[3:])))
            return (
                (200, {"Content-Type": "application/octet-stream"}, body)
                if body is not None
                else _json(404, {"message": "404 Not Found"})
            )
        if headers.get("private-token") != API_TOKEN:
            return _json(401, {"message": "401 Unauthorized"})
        if rest[:2] == ["repository", "commits"] and rest[3:] == ["merge_requests"]:
            return self.page(self.merge_requests.get(rest[2], []), query)
        if rest[:1] == ["merge_requests"] and rest[2:] == ["pipelines"]:
            return self.page(self.pipelines.get(int(rest[1]), []), query)
        if rest[:1] == ["pipelines"] and rest[2:] == ["jobs"]:
            return self.page(self.jobs.get(int(rest[1]), []), query)
        return _json(404, {"message": "404 Not found"})

    def page(self, items: list[Any], query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        size = min(int(query.get("per_page", ["20"])[0]), self.per_page)
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * size : page * size]
        more = page * size < len(items)
        return (
            200,
            {"Content-Type": "application/json", "X-Next-Page": str(page + 1) if more else ""},
            json.dumps(chunk).encode(),
        )


def _json(code: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return code, {"Content-Type": "application/json"}, json.dumps(body).encode()


@pytest.fixture
def gitlab() -> Iterator[tuple[FakeGitLab, str]]:
    fake = FakeGitLab()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            code, headers, body = fake.answer(
                url.path, parse_qs(url.query), {k.lower(): v for k, v in self.headers.items()}
            )
            self.send_response(code)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- a clone of a repository whose merge request was previewed, then merged ----------------------------


@dataclass
class Repo:
    clone: Path
    origin: Path
    base: str
    previewed: str

    def git(self, *args: str, where: Path | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(where or self.origin), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def merge(self, changes: dict[str, str] | None = None, squash: bool = False) -> str:
        """The default branch after the merge request: its head merged (or squashed), then `changes`; the clone
        is re-made from origin's default branch, as a CI job's checkout would be."""
        if squash:
            self.git("merge", "-q", "--squash", "preview")
            self.git("commit", "-q", "-m", "squashed")
        else:
            self.git("merge", "-q", "--no-ff", "-m", "merge", "preview")
        for path, text in (changes or {}).items():
            (self.origin / path).parent.mkdir(parents=True, exist_ok=True)
            (self.origin / path).write_text(text)
            self.git("add", path)
            self.git("commit", "-q", "-m", f"change {path}")
        head = self.git("rev-parse", "HEAD")
        subprocess.run(["rm", "-rf", str(self.clone)], check=True)
        subprocess.run(
            ["git", "clone", "-q", "--no-local", "--single-branch", "-b", "main", str(self.origin), str(self.clone)],
            check=True,
            capture_output=True,
        )
        return head


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    origin = tmp_path / "origin"
    origin.mkdir()
    files = {
        "Pulumi.yaml": "name: claude-vertex\n",
        "Pulumi.payments.yaml": "config: {}\n",
        "Pulumi.research.yaml": "config: {}\n",
        "__main__.py": "print()\n",
        "README.md": "# r\n",
    }
    for name, text in files.items():
        (origin / name).write_text(text)
    made = Repo(clone=tmp_path / "clone", origin=origin, base="", previewed="")
    made.git("init", "-q", "-b", "main")
    made.git("add", ".")
    made.git("commit", "-q", "-m", "base")
    made.base = made.git("rev-parse", "HEAD")
    made.git("switch", "-q", "-c", "preview")
    (origin / "Pulumi.payments.yaml").write_text("config: {changed: true}\n")
    made.git("commit", "-q", "-am", "payments")
    made.previewed = made.git("rev-parse", "HEAD")
    made.git("switch", "-q", "main")
    return made


def reviewed(fake: FakeGitLab, commit: str, previewed: str, **job: Any) -> None:
    """Merge request !7, merged as `commit`, whose newest pipeline's cloud-preview ran at `previewed`."""
    fake.merge_requests[commit] = [
        {"iid": 3, "state": "merged", "target_branch": "main", "sha": "f" * 40, "merge_commit_sha": "e" * 40},
        {
            "iid": 7,
            "state": "merged",
            "target_branch": "main",
            "sha": previewed,
            "merge_commit_sha": commit,
            "squash_commit_sha": None,
        },
    ]
    fake.pipelines[7] = [
        {"id": 501, "sha": previewed, "ref": "refs/merge-requests/7/head", "status": "success"},
        {"id": 480, "sha": "a" * 40, "ref": "refs/merge-requests/7/head", "status": "failed"},
    ]
    fake.jobs[501] = [
        {"id": 9001, "name": "offline-preview", "status": "success"},
        {"id": 9002, "name": "cloud-preview", "status": "success", **job},
    ]


def run(
    tmp_path: Path,
    url: str,
    repo: Repo,
    commit: str,
    capsys: pytest.CaptureFixture[str],
    stack: str = STACK,
    **env: str,
) -> tuple[int, str, str, Path]:
    out = tmp_path / "plans"
    environ = {
        "CI_API_V4_URL": url,
        "CI_PROJECT_ID": PROJECT,
        "CI_COMMIT_SHA": commit,
        "CI_DEFAULT_BRANCH": "main",
        "CLAUDE_VERTEX_GITLAB_TOKEN": API_TOKEN,
        "CI_JOB_TOKEN": JOB_TOKEN,
        **env,
    }
    code = gitlab_plans.main(["--stack", stack, "--dir", str(out), "--root", str(repo.clone)], environ)
    captured = capsys.readouterr()
    return code, captured.out, captured.err, out


def refused(code: int, out: str, err: str, plans: Path) -> str:
    """The one line a refusal prints, after checking that nothing was written."""
    assert (code, out) == (1, "")
    assert not plans.exists() or not any(plans.iterdir())
    assert err.startswith("gitlab_plans: ") and err.count("\n") == 1
    return err


# --- found -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_plan_the_merge_requests_newest_preview_saved_is_written_as_it_was_saved(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    code, out, err, plans = run(tmp_path, url, repo, commit, capsys)
    assert (code, err) == (0, "")
    assert (plans / "payments.json").read_bytes() == PLAN
    assert not (plans / "payments.new").exists()
    assert "merge request !7" in out and "pipeline #501" in out and "job #9002" in out
    # The API token for merge requests, pipelines and jobs; the job's own token, and only it, for the artifact.
    for path, headers in fake.requests:
        if "/artifacts/" in path:
            assert headers.get("job-token") == JOB_TOKEN and "private-token" not in headers
        else:
            assert headers.get("private-token") == API_TOKEN and "job-token" not in headers


@pytest.mark.slow
def test_a_stack_the_preview_found_not_deployed_gets_the_new_stack_marker_only(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.new")] = b""
    code, out, _, plans = run(tmp_path, url, repo, commit, capsys)
    assert code == 0 and "not deployed" in out
    assert sorted(p.name for p in plans.iterdir()) == ["payments.new"]


@pytest.mark.slow
def test_docs_and_another_teams_stack_merged_since_the_preview_leave_the_plan_valid(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge({"docs/gitops.md": "more\n", "Pulumi.research.yaml": "config: {x: 1}\n"})
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    assert run(tmp_path, url, repo, commit, capsys)[0] == 0


@pytest.mark.slow
def test_a_squashed_merge_fetches_the_previewed_commit_the_clone_lacks(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge(squash=True)
    assert subprocess.run(
        ["git", "-C", str(repo.clone), "cat-file", "-e", repo.previewed], capture_output=True
    ).returncode
    reviewed(fake, commit, repo.previewed)
    fake.merge_requests[commit][1].update(merge_commit_sha=None, squash_commit_sha=commit)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    assert run(tmp_path, url, repo, commit, capsys)[0] == 0


@pytest.mark.slow
def test_the_preview_job_is_found_on_a_later_page_of_the_pipelines_jobs(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, repo.previewed)
    fake.jobs[501] = [{"id": 100 + n, "name": f"job-{n}", "status": "success"} for n in range(5)] + fake.jobs[501]
    fake.per_page = 2
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    assert run(tmp_path, url, repo, commit, capsys)[0] == 0


@pytest.mark.slow
def test_an_artifact_served_by_a_redirect_is_fetched_without_carrying_the_token_along(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.json")] = b"{}"  # what the API itself would serve: not what we get
    storage = "/object-storage/plan.json"

    def redirect(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if path.endswith("/jobs/9002/artifacts/plans/payments.json"):
            return 302, {"Location": url.removesuffix("/api/v4") + storage}, b""
        if path == storage:
            return 200, {}, PLAN
        return None

    fake.override = redirect
    code, _, _, plans = run(tmp_path, url, repo, commit, capsys)
    assert code == 0 and (plans / "payments.json").read_bytes() == PLAN
    [(_, headers)] = [(p, h) for p, h in fake.requests if p == storage]
    assert "job-token" not in headers and "private-token" not in headers


# --- refused: nothing written, one line --------------------------------------------------------------


@pytest.mark.slow
def test_a_tree_changed_for_the_stack_since_the_preview_refuses_naming_the_paths(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge({"__main__.py": "print('other')\n", "docs/a.md": "x\n"})
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    err = refused(*run(tmp_path, url, repo, commit, capsys)[:3], tmp_path / "plans")
    assert "__main__.py changed since" in err and "docs/a.md" not in err and "APPLY_STACK=payments" in err


@pytest.mark.slow
def test_a_previewed_commit_that_cannot_be_fetched_refuses(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, "b" * 40)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    err = refused(*run(tmp_path, url, repo, commit, capsys)[:3], tmp_path / "plans")
    assert "cannot tell whether payments's reviewed plan still holds" in err and "b" * 40 in err


def mutate_merge_requests(fake: FakeGitLab, commit: str, change: Callable[[dict[str, Any]], None]) -> None:
    change(fake.merge_requests[commit][1])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda fake, commit: fake.merge_requests.pop(commit), "was not merged into main by a merge request"),
        (
            lambda fake, commit: mutate_merge_requests(fake, commit, lambda mr: mr.update(state="opened")),
            "was not merged into main",
        ),
        (
            lambda fake, commit: mutate_merge_requests(fake, commit, lambda mr: mr.update(target_branch="release")),
            "was not merged into main",
        ),
        (
            lambda fake, commit: mutate_merge_requests(fake, commit, lambda mr: mr.update(merge_commit_sha="c" * 40)),
            "was not merged into main",
        ),
        (lambda fake, commit: fake.pipelines.update({7: []}), "merge request !7 has no pipeline"),
        (lambda fake, commit: fake.jobs[501].pop(), "has no cloud-preview job"),
        (lambda fake, commit: fake.jobs[501][1].update(status="failed"), "ended failed, not success"),
        (
            lambda fake, commit: fake.pipelines[7].append({"id": 777, "sha": "d" * 40, "status": "running"}),
            "pipeline #777 of merge request !7 has no cloud-preview job",
        ),
        (lambda fake, commit: fake.artifacts.clear(), "saved no plan for payments"),
        (lambda fake, commit: fake.artifacts.update({(9002, "plans/payments.json"): b"<html>"}), "not a saved plan"),
    ],
    ids=[
        "no-merge-request",
        "not-merged",
        "other-branch",
        "other-commit",
        "no-pipeline",
        "no-preview-job",
        "preview-failed",
        "newest-pipeline-counts",
        "no-plan",
        "not-json",
    ],
)
def test_without_a_successful_reviewed_preview_of_the_stack_nothing_is_written(
    setup: Callable[[FakeGitLab, str], Any],
    expected: str,
    gitlab: tuple[FakeGitLab, str],
    repo: Repo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    setup(fake, commit)
    err = refused(*run(tmp_path, url, repo, commit, capsys)[:3], tmp_path / "plans")
    assert expected in err


@pytest.mark.slow
def test_without_the_api_token_nothing_is_asked_and_the_line_says_what_to_set(
    gitlab: tuple[FakeGitLab, str], repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, url = gitlab
    err = refused(*run(tmp_path, url, repo, repo.base, capsys, CLAUDE_VERTEX_GITLAB_TOKEN="")[:3], tmp_path / "plans")
    assert "CLAUDE_VERTEX_GITLAB_TOKEN is not set" in err and "APPLY_STACK" in err
    assert fake.requests == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CLAUDE_VERTEX_GITLAB_TOKEN": "revoked"}, "answered 401: 401 Unauthorized (CLAUDE_VERTEX_GITLAB_TOKEN"),
        ({"CI_PROJECT_ID": "43"}, "answered 404: 404 Project Not Found"),
        ({"CI_COMMIT_SHA": "main"}, "is not a full commit ID"),
        ({"CI_API_V4_URL": "file:///etc/passwd"}, "is not an http(s) URL"),
        ({"CI_API_V4_URL": "http://127.0.0.1:9/api/v4"}, "cannot reach GitLab at http://127.0.0.1:9/api/v4"),
        ({"CI_JOB_TOKEN": ""}, "CI_JOB_TOKEN is not set"),
        ({"CI_DEFAULT_BRANCH": ""}, "CI_DEFAULT_BRANCH not set"),
    ],
    ids=["bad-token", "other-project", "ref-not-sha", "not-http", "unreachable", "no-job-token", "not-in-ci"],
)
def test_what_gitlab_or_the_job_gets_wrong_is_one_line(
    env: dict[str, str],
    expected: str,
    gitlab: tuple[FakeGitLab, str],
    repo: Repo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    err = refused(*run(tmp_path, url, repo, commit, capsys, **env)[:3], tmp_path / "plans")
    assert expected in err


@pytest.mark.slow
def test_an_oversized_answer_is_refused_without_reading_it_all(
    gitlab: tuple[FakeGitLab, str],
    repo: Repo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, url = gitlab
    commit = repo.merge()
    reviewed(fake, commit, repo.previewed)
    fake.artifacts[(9002, "plans/payments.json")] = PLAN
    monkeypatch.setattr(gitlab_plans, "MAX_JSON_BYTES", 64)
    err = refused(*run(tmp_path, url, repo, commit, capsys)[:3], tmp_path / "plans")
    assert "is larger than 64 bytes" in err


@pytest.mark.parametrize("stack", ["../etc", "a b", "-x", "", "x" * 101])
def test_a_stack_that_is_not_a_stack_name_is_refused_before_anything_runs(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = gitlab_plans.main([f"--stack={stack}", "--dir", str(tmp_path / "plans")], {})
    err = capsys.readouterr().err
    assert code == 1 and "is not a stack name" in err and not (tmp_path / "plans").exists()
