"""The reviewed plan of one stack, for the GitLab apply job of a push to the default branch (docs/gitops.md).

The merge request's `cloud-preview` job saved, per stack it previewed, either `plans/<stack>.json` (`pulumi preview
--refresh --save-plan`) or `plans/<stack>.new` (the stack did not exist yet: its offline preview is its plan). The
apply job of the merged commit runs this to get that file back, and applies exactly it (`pulumi up --plan`). It
finds the preview through GitLab's REST API (`CI_API_V4_URL`, `CI_PROJECT_ID`):

1. `GET /projects/:id/repository/commits/:sha/merge_requests`: the merge request merged as this commit (state
   `merged`, into the default branch, with this commit as its merge, squash or merged commit, or its head when
   fast-forwarded). No such merge request (a push straight to the branch): nothing was reviewed.
2. `GET /projects/:id/merge_requests/:iid/pipelines`: its newest pipeline, the preview the reviewer saw last.
3. `GET /projects/:id/pipelines/:pipeline_id/jobs`: that pipeline's `cloud-preview` job, which must have
   succeeded (a failed preview's plans were not reviewed as passing).
4. The previewed tree against the applied one (tools/plan_freshness.py): any path that could change this
   stack's plan since the preview refuses.
5. `GET /projects/:id/jobs/:job_id/artifacts/plans/<stack>.json` (or `.new`): the saved file.

Steps 1 to 3 need `CLAUDE_VERTEX_GITLAB_TOKEN` (a project access token; `read_api` is enough here): the CI/CD job
token cannot read merge requests, pipelines or jobs. Step 5 uses the job's own `CI_JOB_TOKEN`, which the job
artifacts API accepts for artifacts of the same project while the job runs.

Nothing falls back to an unreviewed apply: without the token, without a merge request, without a successful
preview, with a stale tree or without the stack's file, this writes nothing and exits 1 with one line saying
which, and the apply job fails before `pulumi` runs. Stdlib only (the job runs it with the image's python3):

    python3 -m tools.gitlab_plans --stack payments --dir plans

Exit 0 with DIR/<stack>.json or DIR/<stack>.new written and one line on stdout; 1 refused; 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.changed_stacks import STACK_NAME_RE
from tools.plan_freshness import COMMIT_RE, TreeUnknown, stale_paths, tree_changes

PREVIEW_JOB = "cloud-preview"
"""The merge request pipeline's job that saves the plans (.gitlab-ci.yml)."""
PLAN_DIR = "plans"
"""Where that job keeps them, as its artifact: plans/<stack>.json, or plans/<stack>.new for a stack not deployed."""
PLAN_SUFFIX = ".json"
NEW_STACK_SUFFIX = ".new"
TOKEN_VARIABLE = "CLAUDE_VERTEX_GITLAB_TOKEN"
TIMEOUT_SECONDS = 30
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_PLAN_BYTES = 64 * 1024 * 1024
MAX_PAGES = 10
PER_PAGE = 100
SHOWN_PATHS = 5


class Refused(Exception):
    """No reviewed plan can be applied for this stack: one line saying why and what to do."""


def plan_file(stack: str) -> str:
    return f"{stack}{PLAN_SUFFIX}"


def new_stack_file(stack: str) -> str:
    return f"{stack}{NEW_STACK_SUFFIX}"


def _one_line(text: str, limit: int = 200) -> str:
    printable = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(printable.split())[:limit]


@dataclass(frozen=True)
class GitLabApi:
    """The few GitLab REST calls this needs: JSON with the API token, artifact files with the job token."""

    api_url: str
    project: str
    api_token: str
    job_token: str

    def _open(self, url: str, header: str, token: str, limit: int) -> tuple[bytes, Mapping[str, str]]:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        # Artifacts may be served by a redirect to object storage: an unredirected header never follows it there.
        request.add_unredirected_header(header, token)
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            body = answer.read(limit + 1)
            if len(body) > limit:
                raise Refused(f"GitLab's answer to {self._shown(url)} is larger than {limit} bytes")
            return body, dict(answer.headers.items())

    def _shown(self, url: str) -> str:
        return "GET " + url.removeprefix(self.api_url)

    def _call(
        self, path: str, header: str, token: str, limit: int, query: Mapping[str, str] | None = None
    ) -> tuple[bytes, Mapping[str, str]]:
        url = f"{self.api_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        try:
            return self._open(url, header, token, limit)
        except urllib.error.HTTPError as error:
            raise _Answered(error.code, self._shown(url), _message(error)) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise Refused(
                f"cannot reach GitLab at {self.api_url} ({self._shown(url)}): {_one_line(str(reason))}"
            ) from None

    def project_path(self, *parts: str | int) -> str:
        quoted = [urllib.parse.quote(str(part), safe="") for part in (self.project, *parts)]
        return "/projects/" + "/".join(quoted)

    def get_json(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        body, _ = self._call(path, "PRIVATE-TOKEN", self.api_token, MAX_JSON_BYTES, query)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Refused(f"GitLab's answer to GET {path} is not JSON") from None

    def get_list(self, path: str, query: Mapping[str, str] | None = None) -> list[Any]:
        """Every item of a paginated list (GitLab's `X-Next-Page`), at most MAX_PAGES pages."""
        items: list[Any] = []
        page = "1"
        for _ in range(MAX_PAGES):
            body, headers = self._call(
                path,
                "PRIVATE-TOKEN",
                self.api_token,
                MAX_JSON_BYTES,
                {**(query or {}), "per_page": str(PER_PAGE), "page": page},
            )
            try:
                answer = json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise Refused(f"GitLab's answer to GET {path} is not JSON") from None
            if not isinstance(answer, list):
                raise Refused(f"GitLab's answer to GET {path} is not a list")
            items.extend(answer)
            page = {key.lower(): value for key, value in headers.items()}.get("x-next-page", "").strip()
            if not page:
                return items
        raise Refused(f"GET {path} has more than {MAX_PAGES * PER_PAGE} items")

    def artifact_file(self, job_id: int, path: str, limit: int = MAX_PLAN_BYTES) -> bytes | None:
        """One file of a job's artifacts archive, with the job token; None when the archive has no such file."""
        try:
            body, _ = self._call(
                self.project_path("jobs", job_id, "artifacts") + "/" + path, "JOB-TOKEN", self.job_token, limit
            )
        except _Answered as answered:
            if answered.code == 404:
                return None
            raise
        return body


class _Answered(Refused):
    """GitLab answered with an HTTP error."""

    def __init__(self, code: int, call: str, message: str) -> None:
        super().__init__(f"{call} answered {code}: {message}" + _hint(code))
        self.code = code


def _hint(code: int) -> str:
    if code == 401:
        return f" ({TOKEN_VARIABLE} is expired or revoked, or the job token's job is no longer running)"
    if code == 403:
        return f" ({TOKEN_VARIABLE} needs the read_api or api scope and at least the Reporter role)"
    return ""


def _message(error: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(error.read(64 * 1024))
    except (OSError, ValueError):
        return _one_line(str(error.reason))
    if isinstance(answer, dict):
        return _one_line(str(answer.get("message") or answer.get("error") or error.reason))
    return _one_line(str(error.reason))


@dataclass(frozen=True)
class ReviewedPreview:
    """The preview a merge request's reviewer saw: the merge request, its newest pipeline, its cloud-preview job."""

    mr_iid: int
    pipeline_id: int
    previewed_sha: str
    job_id: int

    def describe(self) -> str:
        where = f"pipeline #{self.pipeline_id} at {self.previewed_sha[:12]}, job #{self.job_id}"
        return f"merge request !{self.mr_iid} ({where})"


def merged_as(commit: str, merge_requests: list[Any], default_branch: str) -> dict[str, Any]:
    """The one merge request merged into the default branch as `commit`; Refused when there is none."""
    matches = [
        mr
        for mr in merge_requests
        if isinstance(mr, dict)
        and mr.get("state") == "merged"
        and mr.get("target_branch") == default_branch
        and commit in {mr.get(key) for key in ("merge_commit_sha", "squash_commit_sha", "merged_commit_sha", "sha")}
        and isinstance(mr.get("iid"), int)
    ]
    if not matches:
        raise Refused(
            f"commit {commit[:12]} was not merged into {default_branch} by a merge request, so no preview of it was "
            "reviewed; merge changes through merge requests, or re-apply the stack by hand (a web pipeline with "
            "APPLY_STACK, docs/gitops.md)"
        )
    if len({mr["iid"] for mr in matches}) > 1:
        raise Refused(
            f"commit {commit[:12]} is the merge of several merge requests: "
            + ", ".join(f"!{mr['iid']}" for mr in matches)
        )
    return matches[0]


def newest_pipeline(pipelines: list[Any], mr_iid: int) -> dict[str, Any]:
    valid = [
        p for p in pipelines if isinstance(p, dict) and isinstance(p.get("id"), int) and isinstance(p.get("sha"), str)
    ]
    if not valid:
        raise Refused(f"merge request !{mr_iid} has no pipeline: nothing was previewed")
    pipeline = max(valid, key=lambda p: p["id"])
    if not COMMIT_RE.match(pipeline["sha"]):
        raise Refused(f"pipeline #{pipeline['id']} of merge request !{mr_iid} names no commit")
    return pipeline


def preview_job(jobs: list[Any], pipeline_id: int, mr_iid: int) -> dict[str, Any]:
    found = [j for j in jobs if isinstance(j, dict) and j.get("name") == PREVIEW_JOB and isinstance(j.get("id"), int)]
    if not found:
        raise Refused(
            f"pipeline #{pipeline_id} of merge request !{mr_iid} has no {PREVIEW_JOB} job (was "
            "GCP_WIF_PROVIDER_PREVIEW set when it ran?): nothing was previewed against the state"
        )
    job = max(found, key=lambda j: j["id"])
    if job.get("status") != "success":
        raise Refused(
            f"the {PREVIEW_JOB} job #{job['id']} of merge request !{mr_iid} (pipeline #{pipeline_id}) ended "
            f"{_one_line(str(job.get('status')), 40)}, not success: its plans were not reviewed as passing"
        )
    return job


def find_reviewed_preview(api: GitLabApi, commit: str, default_branch: str) -> ReviewedPreview:
    merge_requests = api.get_list(api.project_path("repository", "commits", commit, "merge_requests"))
    mr = merged_as(commit, merge_requests, default_branch)
    pipeline = newest_pipeline(api.get_list(api.project_path("merge_requests", mr["iid"], "pipelines")), mr["iid"])
    job = preview_job(api.get_list(api.project_path("pipelines", pipeline["id"], "jobs")), pipeline["id"], mr["iid"])
    return ReviewedPreview(
        mr_iid=mr["iid"], pipeline_id=pipeline["id"], previewed_sha=pipeline["sha"], job_id=job["id"]
    )


def check_fresh(stack: str, preview: ReviewedPreview, commit: str, root: Path) -> None:
    try:
        changes = tree_changes(root, preview.previewed_sha, commit)
    except TreeUnknown as error:
        raise Refused(f"cannot tell whether {stack}'s reviewed plan still holds: {error}") from None
    stale = stale_paths(stack, changes)
    if stale:
        shown = ", ".join(stale[:SHOWN_PATHS]) + (
            f" and {len(stale) - SHOWN_PATHS} more" if len(stale) > SHOWN_PATHS else ""
        )
        raise Refused(
            f"the merged tree is not the one {preview.describe()} previewed for {stack}: {shown} changed since; "
            f"re-apply {stack} by hand (a web pipeline with APPLY_STACK={stack}: preview, then a person presses play)"
        )


def fetch_reviewed_plan(stack: str, out_dir: Path, environ: Mapping[str, str], root: Path) -> str:
    """Write `stack`'s reviewed plan (or its new-stack marker) into `out_dir`; the line to print. Refused otherwise."""
    if not STACK_NAME_RE.match(stack):
        raise Refused(f"{stack[:120]!r} is not a stack name")
    missing = [
        name
        for name in ("CI_API_V4_URL", "CI_PROJECT_ID", "CI_COMMIT_SHA", "CI_DEFAULT_BRANCH")
        if not environ.get(name)
    ]
    if missing:
        raise Refused(f"{', '.join(missing)} not set: this runs in a GitLab CI job")
    token = environ.get(TOKEN_VARIABLE, "")
    if not token:
        raise Refused(
            f"{TOKEN_VARIABLE} is not set, so the merge request that reviewed this commit cannot be found (the CI/CD "
            "job token cannot read merge requests or pipelines); add it as a masked CI/CD variable (docs/gitops.md, "
            "step 4), or re-apply by hand (a web pipeline with APPLY_STACK)"
        )
    if not environ.get("CI_JOB_TOKEN"):
        raise Refused("CI_JOB_TOKEN is not set: the saved plan cannot be downloaded")
    api_url = environ["CI_API_V4_URL"].rstrip("/")
    if urllib.parse.urlsplit(api_url).scheme not in ("https", "http"):
        raise Refused(f"CI_API_V4_URL {api_url[:120]!r} is not an http(s) URL")
    commit = environ["CI_COMMIT_SHA"]
    if not COMMIT_RE.match(commit):
        raise Refused(f"CI_COMMIT_SHA {commit[:80]!r} is not a full commit ID")
    api = GitLabApi(api_url, environ["CI_PROJECT_ID"], token, environ["CI_JOB_TOKEN"])

    preview = find_reviewed_preview(api, commit, environ["CI_DEFAULT_BRANCH"])
    check_fresh(stack, preview, commit, root)
    plan = api.artifact_file(preview.job_id, f"{PLAN_DIR}/{plan_file(stack)}")
    if plan is not None:
        try:
            parsed = json.loads(plan)
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        if not isinstance(parsed, dict):
            raise Refused(
                f"{PLAN_DIR}/{plan_file(stack)} of {preview.describe()} is not a saved plan (not a JSON object)"
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / plan_file(stack)).write_bytes(plan)
        return f"{stack}: applying the plan {preview.describe()} saved, unchanged for {stack} since"
    if api.artifact_file(preview.job_id, f"{PLAN_DIR}/{new_stack_file(stack)}", limit=1024) is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / new_stack_file(stack)).write_bytes(b"")
        return (
            f"{stack}: not deployed when {preview.describe()} previewed it; creating it as its offline preview showed"
        )
    raise Refused(
        f"{preview.describe()} saved no plan for {stack} (not previewed there, or its artifacts expired); re-apply "
        f"{stack} by hand (a web pipeline with APPLY_STACK={stack})"
    )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m tools.gitlab_plans",
        description="Fetch the plan a merge request's cloud preview saved for STACK, for `pulumi up --plan`.",
    )
    parser.add_argument("--stack", required=True, help="the stack to apply")
    parser.add_argument("--dir", type=Path, default=Path(PLAN_DIR), help=f"where to write it (default: {PLAN_DIR})")
    parser.add_argument("--root", type=Path, default=Path("."), help="the repository clone (default: .)")
    args = parser.parse_args(argv)
    try:
        line = fetch_reviewed_plan(args.stack, args.dir, os.environ if environ is None else environ, args.root)
    except Refused as error:
        print(f"gitlab_plans: {error}", file=sys.stderr)
        return 1
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
