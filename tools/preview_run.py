"""The reviewed preview behind a commit on main: its pull request, its successful Preview run, its saved plans.

Apply on a push to main applies only what a pull request's preview saved (docs/gitops.md, "Saved plans"). This
finds that preview through GitHub's REST API, as the Apply workflow's `reviewed` job runs it:

1. `GET /repos/{repo}/commits/{sha}/pulls`: the pull request merged as this commit (its `merge_commit_sha` is the
   pushed commit, for a merge, squash or rebase alike). A commit no pull request merged (a push straight to main)
   has no reviewed plan.
2. `GET /repos/{repo}/actions/runs?head_sha=...&event=pull_request&status=success`: the newest successful run of
   the Preview workflow (`.github/workflows/preview.yml`) for the pull request's head commit, the one the
   reviewer saw last. Only a successful run counts: its `Preview result` passed.
3. `GET /repos/{repo}/actions/runs/{id}/artifacts`: the run's `plan-<stack>-<head sha>` artifacts, unexpired.

Stdlib only (the job has no virtualenv); `GITHUB_API_URL`, `GITHUB_REPOSITORY` and `GITHUB_TOKEN` as Actions sets
them. Every call is bounded (timeout, answer size); a refusal is one line naming the call and GitHub's message.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PREVIEW_WORKFLOW = ".github/workflows/preview.yml"
ARTIFACT_PREFIX = "plan-"
TIMEOUT_SECONDS = 30
MAX_ANSWER_BYTES = 8 * 1024 * 1024
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
REPOSITORY_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
STACK_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class NoReviewedPreview(Exception):
    """The commit has no reviewed preview to apply (no pull request, no successful Preview run): one line."""


class GitHubRefusal(Exception):
    """GitHub's API refused or could not be reached: one line naming the call."""


def artifact_name(stack: str, head_sha: str) -> str:
    """The saved plan's artifact: one per stack, named with the head commit it was previewed for."""
    return f"{ARTIFACT_PREFIX}{stack}-{head_sha}"


@dataclass(frozen=True)
class ReviewedPreview:
    """Where the reviewed plans of a merged pull request are."""

    pr: int
    head_sha: str
    run_id: int
    run_url: str
    plans: dict[str, int] = field(default_factory=dict)
    """Stack -> artifact ID of its saved plan in that run."""


@dataclass(frozen=True)
class GitHub:
    """GitHub's REST API for one repository, read with the workflow's token."""

    api_url: str
    repository: str
    token: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> GitHub:
        missing = [name for name in ("GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_TOKEN") if not environ.get(name)]
        if missing:
            raise GitHubRefusal(f"{', '.join(missing)} not set: run this inside GitHub Actions (docs/gitops.md)")
        repository = environ["GITHUB_REPOSITORY"]
        if not REPOSITORY_RE.match(repository):
            raise GitHubRefusal(f"GITHUB_REPOSITORY {repository!r} is not owner/name")
        return cls(environ["GITHUB_API_URL"].rstrip("/"), repository, environ["GITHUB_TOKEN"])

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        url = f"{self.api_url}/repos/{self.repository}/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(
            url,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "claude-vertex-apply",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                body = answer.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise GitHubRefusal(f"GET {path}: HTTP {error.code} {_message(error)}") from None
        except (urllib.error.URLError, OSError) as error:
            raise GitHubRefusal(f"GET {path}: cannot reach {self.api_url} ({error})") from None
        if len(body) > MAX_ANSWER_BYTES:
            raise GitHubRefusal(f"GET {path}: answer larger than {MAX_ANSWER_BYTES} bytes")
        try:
            return json.loads(body)
        except ValueError:
            raise GitHubRefusal(f"GET {path}: the answer is not JSON") from None


def _message(error: urllib.error.HTTPError) -> str:
    """GitHub's `message`, one line and short; never the rest of the body."""
    try:
        message = json.loads(error.read(64 * 1024)).get("message", "")
    except (ValueError, AttributeError, OSError):
        message = ""
    return " ".join(str(message).split())[:200] or error.reason


def merged_pull_request(github: GitHub, sha: str) -> dict[str, Any]:
    """The pull request merged as `sha` (its merge commit, squash or rebase head)."""
    pulls = github.get(f"commits/{sha}/pulls", {"per_page": "100"})
    if not isinstance(pulls, list):
        raise GitHubRefusal(f"GET commits/{sha}/pulls: expected a list of pull requests")
    for pull in pulls:
        if isinstance(pull, dict) and pull.get("merged_at") and pull.get("merge_commit_sha") == sha:
            return pull
    raise NoReviewedPreview(
        f"commit {sha[:12]} was not merged from a pull request (a push straight to main): there is no reviewed "
        "plan to apply. Run Apply by hand for the stacks it changes (docs/gitops.md, 'Manual re-apply')."
    )


def newest_successful_preview(github: GitHub, head_sha: str, pr: int) -> dict[str, Any]:
    """The newest successful Preview run of the pull request's head commit."""
    answer = github.get(
        "actions/runs", {"head_sha": head_sha, "event": "pull_request", "status": "success", "per_page": "100"}
    )
    runs = answer.get("workflow_runs") if isinstance(answer, dict) else None
    if not isinstance(runs, list):
        raise GitHubRefusal("GET actions/runs: expected workflow_runs")
    previews = [
        run
        for run in runs
        if isinstance(run, dict)
        and run.get("path") == PREVIEW_WORKFLOW
        and run.get("head_sha") == head_sha
        and run.get("conclusion") == "success"
        and isinstance(run.get("id"), int)
    ]
    if not previews:
        raise NoReviewedPreview(
            f"PR #{pr} has no successful Preview run for its head commit {head_sha[:12]}: nothing reviewed to apply. "
            "Require the 'Preview result' check on main; now, run Apply by hand (docs/gitops.md, 'Manual re-apply')."
        )
    return max(previews, key=lambda run: (str(run.get("created_at", "")), run.get("run_attempt", 0), run["id"]))


def saved_plans(github: GitHub, run_id: int, head_sha: str) -> dict[str, int]:
    """Stack -> artifact ID for each unexpired `plan-<stack>-<head sha>` artifact of the run."""
    answer = github.get(f"actions/runs/{run_id}/artifacts", {"per_page": "100"})
    artifacts = answer.get("artifacts") if isinstance(answer, dict) else None
    if not isinstance(artifacts, list):
        raise GitHubRefusal(f"GET actions/runs/{run_id}/artifacts: expected artifacts")
    suffix = f"-{head_sha}"
    plans: dict[str, int] = {}
    for artifact in artifacts:
        if not isinstance(artifact, dict) or artifact.get("expired") or not isinstance(artifact.get("id"), int):
            continue
        name = str(artifact.get("name", ""))
        if name.startswith(ARTIFACT_PREFIX) and name.endswith(suffix):
            stack = name[len(ARTIFACT_PREFIX) : -len(suffix)]
            if STACK_RE.match(stack):
                plans[stack] = artifact["id"]
    return plans


def locate(github: GitHub, sha: str) -> ReviewedPreview:
    """The reviewed preview behind the pushed commit `sha`."""
    if not SHA_RE.match(sha):
        raise GitHubRefusal(f"{sha!r} is not a full commit SHA")
    pull = merged_pull_request(github, sha)
    pr = pull.get("number")
    head_sha = (pull.get("head") or {}).get("sha", "")
    if not isinstance(pr, int) or not SHA_RE.match(str(head_sha)):
        raise GitHubRefusal(f"GET commits/{sha}/pulls: pull request without a number or head commit")
    run = newest_successful_preview(github, head_sha, pr)
    return ReviewedPreview(
        pr=pr,
        head_sha=head_sha,
        run_id=run["id"],
        run_url=str(run.get("html_url", "")),
        plans=saved_plans(github, run["id"], head_sha),
    )
