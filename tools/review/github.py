"""GitHub's REST API: the pull request's comment (issue comments), and drift issues.

The comment job runs on `workflow_run`, with a token that can write to pull requests, on artifacts a pull request
(perhaps a fork's) produced. So the pull request number the artifacts claim is checked: it must be a pull request
of this repository (404 otherwise) whose head is the commit the Preview run ran on. Only comments and issues a
bot wrote (`user.type == "Bot"`, which no person's account is) and that start with the marker are ever edited.
"""

from __future__ import annotations

import re

from tools.review.forge import Issue, Note
from tools.review.rest import Client, ForgeError, NotFound

REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
SHA = re.compile(r"[0-9a-f]{40}")
API_VERSION = "2022-11-28"


def client(api_url: str, token: str) -> Client:
    return Client(
        api_url,
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "claude-vertex-review",
        },
    )


def _by_bot(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("user"), dict) and item["user"].get("type") == "Bot"


def _notes(items: object) -> list[Note]:
    return [
        Note(int(item["id"]), str(item.get("body") or ""))
        for item in (items if isinstance(items, list) else [])
        if _by_bot(item) and isinstance(item.get("id"), int)
    ]


class GitHub:
    def __init__(self, api: Client, repository: str, pull_request: int | None = None) -> None:
        if not REPOSITORY.fullmatch(repository):
            raise ForgeError(f"GITHUB_REPOSITORY {repository[:80]!r}: expected owner/name")
        self.api, self.repo, self.pull_request = api, f"/repos/{repository}", pull_request

    def verify_pull_request(self, number: int, head_sha: str) -> None:
        """Refuse a number that is not this repository's pull request at the commit the preview ran on."""
        if not SHA.fullmatch(head_sha):
            raise ForgeError(f"--head-sha {head_sha[:60]!r}: expected a 40-character commit SHA")
        try:
            pull = self.api.get(f"{self.repo}/pulls/{number}")
        except NotFound:
            raise ForgeError(f"pull request #{number} is not a pull request of this repository") from None
        head = pull.get("head") if isinstance(pull, dict) else None
        if not isinstance(head, dict) or head.get("sha") != head_sha:
            raise ForgeError(
                f"pull request #{number} is at another commit than the preview ran on ({head_sha[:12]}): "
                "its artifacts claim a pull request they were not made for, or a newer push superseded them"
            )
        self.pull_request = number

    def _pull(self) -> int:
        if self.pull_request is None:
            raise ForgeError("no verified pull request")
        return self.pull_request

    def review_notes(self) -> list[Note]:
        return _notes(list(self.api.pages(f"{self.repo}/issues/{self._pull()}/comments", {"per_page": 100})))

    def create_review_note(self, text: str) -> None:
        self.api.send("POST", f"{self.repo}/issues/{self._pull()}/comments", {"body": text})

    def update_review_note(self, note: Note, text: str) -> None:
        self.api.send("PATCH", f"{self.repo}/issues/comments/{note.id}", {"body": text})

    def open_drift_issue(self, marker: str) -> Issue | None:
        query = {"labels": "drift", "state": "open", "per_page": 100}
        for item in self.api.pages(f"{self.repo}/issues", query):
            if _by_bot(item) and "pull_request" not in item and marker in str(item.get("body") or ""):
                return Issue(int(item["number"]), str(item.get("body") or ""))
        return None

    def create_issue(self, title: str, text: str, label: str) -> Issue:
        created = self.api.send("POST", f"{self.repo}/issues", {"title": title, "body": text, "labels": [label]})
        return Issue(int(created["number"]), text)

    def issue_notes(self, issue: Issue) -> list[Note]:
        return _notes(list(self.api.pages(f"{self.repo}/issues/{issue.number}/comments", {"per_page": 100})))

    def comment_issue(self, issue: Issue, text: str) -> None:
        self.api.send("POST", f"{self.repo}/issues/{issue.number}/comments", {"body": text})

    def close_issue(self, issue: Issue) -> None:
        self.api.send("PATCH", f"{self.repo}/issues/{issue.number}", {"state": "closed", "state_reason": "completed"})
