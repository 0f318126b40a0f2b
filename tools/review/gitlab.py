"""GitLab's REST API (v4): the merge request's note, and drift issues.

The token is a project access token with the `api` scope (`CI_JOB_TOKEN` cannot write notes), in
`CLAUDE_VERTEX_GITLAB_TOKEN`. Only notes and issues that token's own bot user wrote (`GET /user`) and that carry
the marker are ever edited or read for fingerprints.
"""

from __future__ import annotations

import re
import urllib.parse

from tools.review.forge import Issue, Note
from tools.review.rest import Client, ForgeError, NotFound

SHA = re.compile(r"[0-9a-f]{40}")


def client(api_url: str, token: str) -> Client:
    return Client(api_url, {"PRIVATE-TOKEN": token, "User-Agent": "claude-vertex-review"})


class GitLab:
    def __init__(self, api: Client, project: str, merge_request: int | None = None) -> None:
        if not project or len(project) > 255:
            raise ForgeError("CI_PROJECT_ID: expected the project's id or path")
        self.api = api
        self.project = "/projects/" + urllib.parse.quote(project, safe="")
        self.merge_request = merge_request
        self._me: int | None = None

    def me(self) -> int:
        if self._me is None:
            user = self.api.get("/user")
            if not isinstance(user, dict) or not isinstance(user.get("id"), int):
                raise ForgeError("GET /user: the token names no user (a project access token is needed)")
            self._me = user["id"]
        return self._me

    def _ours(self, item: object) -> bool:
        if not isinstance(item, dict) or item.get("system"):
            return False
        author = item.get("author")
        return isinstance(author, dict) and author.get("id") == self.me()

    def _notes(self, items: list[object]) -> list[Note]:
        return [Note(int(i["id"]), str(i.get("body") or "")) for i in items if self._ours(i)]  # type: ignore[index]

    def verify_merge_request(self, iid: int, head_sha: str | None) -> None:
        try:
            merge_request = self.api.get(f"{self.project}/merge_requests/{iid}")
        except NotFound:
            raise ForgeError(f"merge request !{iid} is not a merge request of this project") from None
        if head_sha is not None:
            if not SHA.fullmatch(head_sha):
                raise ForgeError(f"--head-sha {head_sha[:60]!r}: expected a 40-character commit SHA")
            if not isinstance(merge_request, dict) or merge_request.get("sha") != head_sha:
                raise ForgeError(f"merge request !{iid} is at another commit than the preview ran on")
        self.merge_request = iid

    def _mr(self) -> int:
        if self.merge_request is None:
            raise ForgeError("no verified merge request")
        return self.merge_request

    def review_notes(self) -> list[Note]:
        query = {"per_page": 100, "sort": "asc", "order_by": "created_at"}
        return self._notes(list(self.api.pages(f"{self.project}/merge_requests/{self._mr()}/notes", query)))

    def create_review_note(self, text: str) -> None:
        self.api.send("POST", f"{self.project}/merge_requests/{self._mr()}/notes", {"body": text})

    def update_review_note(self, note: Note, text: str) -> None:
        self.api.send("PUT", f"{self.project}/merge_requests/{self._mr()}/notes/{note.id}", {"body": text})

    def open_drift_issue(self, marker: str) -> Issue | None:
        query = {"labels": "drift", "state": "opened", "per_page": 100}
        for item in self.api.pages(f"{self.project}/issues", query):
            if self._ours(item) and marker in str(item.get("description") or ""):
                return Issue(int(item["iid"]), str(item.get("description") or ""))
        return None

    def create_issue(self, title: str, text: str, label: str) -> Issue:
        created = self.api.send(
            "POST", f"{self.project}/issues", {"title": title, "description": text, "labels": label}
        )
        return Issue(int(created["iid"]), text)

    def issue_notes(self, issue: Issue) -> list[Note]:
        query = {"per_page": 100, "sort": "asc", "order_by": "created_at"}
        return self._notes(list(self.api.pages(f"{self.project}/issues/{issue.number}/notes", query)))

    def comment_issue(self, issue: Issue, text: str) -> None:
        self.api.send("POST", f"{self.project}/issues/{issue.number}/notes", {"body": text})

    def close_issue(self, issue: Issue) -> None:
        self.api.send("PUT", f"{self.project}/issues/{issue.number}", {"state_event": "close"})
