"""GitHub's and GitLab's REST APIs as the review commands see them, served on 127.0.0.1.

Just enough of each to answer as the real one does where it matters to `tools.review`: pagination
(`Link: rel="next"` on GitHub, `X-Next-Page` and `Link` on GitLab), 404 for what the repository does not have,
403 with `X-RateLimit-Remaining: 0` when rate limited, 401 for a wrong token, and authors on every comment.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "t0ken"
BOT = {"login": "github-actions[bot]", "type": "Bot", "id": 41898282}
PERSON = {"login": "mallory", "type": "User", "id": 666}


@dataclass
class ForgeState:
    """What the fake forge holds; tests seed it and read it back."""

    flavour: str
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    issue_comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    me: dict[str, Any] = field(default_factory=lambda: {"id": 7, "username": "project_1_bot"})
    rate_limited: bool = False
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.requests if m != "GET"]


class Handler(BaseHTTPRequestHandler):
    state: ForgeState
    base: str

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _page(self, items: list[Any], path: str, query: dict[str, list[str]]) -> None:
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "page")
            following = f"{self.base}{path}?{rest}&page={page + 1}"
            if self.state.flavour == "github":
                headers["Link"] = f'<{following}>; rel="next", <{following}>; rel="last"'
            else:
                headers["X-Next-Page"] = str(page + 1)
        elif self.state.flavour == "gitlab":
            headers["X-Next-Page"] = ""
        self._send(200, chunk, headers)

    def _authorised(self) -> bool:
        if self.state.rate_limited:
            self._send(
                403,
                {"message": "API rate limit exceeded"},
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1767225600"},
            )
            return False
        given = self.headers.get("Authorization") if self.state.flavour == "github" else None
        given = given or (f"Bearer {self.headers.get('PRIVATE-TOKEN')}" if self.headers.get("PRIVATE-TOKEN") else None)
        if given != f"Bearer {TOKEN}":
            self._send(401, {"message": "Bad credentials"})
            return False
        return True

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        self.state.requests.append((method, url.path))
        if not self._authorised():
            return
        query = parse_qs(url.query)
        data = self._body() if method in ("POST", "PATCH", "PUT") else None
        route = github_route if self.state.flavour == "github" else gitlab_route
        answer = route(self.state, method, url.path, data)
        if answer is None:
            self._send(404, {"message": "Not Found"})
        elif isinstance(answer, list):
            self._page(answer, url.path, query)
        else:
            self._send(*answer)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")


def github_route(state: ForgeState, method: str, path: str, data: Any) -> Any:
    repo = "/repos/acme/platform"
    if not path.startswith(repo + "/"):
        return None
    path = path[len(repo) :]
    if m := re.fullmatch(r"/pulls/(\d+)", path):
        pull = state.pulls.get(int(m.group(1)))
        return None if pull is None else (200, pull)
    if m := re.fullmatch(r"/issues/(\d+)/comments", path):
        number = int(m.group(1))
        if number not in state.pulls and not any(i["number"] == number for i in state.issues):
            return None
        comments = state.comments.setdefault(number, [])
        if method == "GET":
            return comments
        comment = {"id": state.new_id(), "body": data["body"], "user": BOT}
        comments.append(comment)
        return (201, comment)
    if m := re.fullmatch(r"/issues/comments/(\d+)", path):
        for comment in (c for cs in state.comments.values() for c in cs):
            if comment["id"] == int(m.group(1)):
                comment["body"] = data["body"]
                return (200, comment)
        return None
    if path == "/issues":
        if method == "GET":
            return [i for i in state.issues if i["state"] == "open"]
        issue = {
            "number": state.new_id(),
            "title": data["title"],
            "body": data["body"],
            "labels": data["labels"],
            "state": "open",
            "user": BOT,
        }
        state.issues.append(issue)
        return (201, issue)
    if m := re.fullmatch(r"/issues/(\d+)", path):
        for issue in state.issues:
            if issue["number"] == int(m.group(1)):
                issue.update(data)
                return (200, issue)
    return None


def gitlab_route(state: ForgeState, method: str, path: str, data: Any) -> Any:
    if path == "/api/v4/user":
        return (200, state.me)
    project = "/api/v4/projects/42"
    if not path.startswith(project + "/"):
        return None
    path = path[len(project) :]
    if m := re.fullmatch(r"/merge_requests/(\d+)", path):
        mr = state.pulls.get(int(m.group(1)))
        return None if mr is None else (200, mr)
    if m := re.fullmatch(r"/(merge_requests|issues)/(\d+)/notes", path):
        number = int(m.group(2))
        store = state.comments if m.group(1) == "merge_requests" else state.issue_comments
        if m.group(1) == "merge_requests" and number not in state.pulls:
            return None
        notes = store.setdefault(number, [])
        if method == "GET":
            return notes
        note = {"id": state.new_id(), "body": data["body"], "author": state.me, "system": False}
        notes.append(note)
        return (201, note)
    if m := re.fullmatch(r"/merge_requests/(\d+)/notes/(\d+)", path):
        for note in state.comments.get(int(m.group(1)), []):
            if note["id"] == int(m.group(2)) and method == "PUT":
                note["body"] = data["body"]
                return (200, note)
        return None
    if path == "/issues":
        if method == "GET":
            return [i for i in state.issues if i["state"] == "opened"]
        issue = {
            "iid": state.new_id(),
            "title": data["title"],
            "description": data["description"],
            "labels": data["labels"].split(","),
            "state": "opened",
            "author": state.me,
        }
        state.issues.append(issue)
        return (201, issue)
    if m := re.fullmatch(r"/issues/(\d+)", path):
        for issue in state.issues:
            if issue["iid"] == int(m.group(1)) and method == "PUT":
                if data.get("state_event") == "close":
                    issue["state"] = "closed"
                return (200, issue)
    return None


@contextmanager
def serve(flavour: str) -> Iterator[tuple[str, ForgeState]]:
    """A fake forge on 127.0.0.1: its API base URL and its state."""
    state = ForgeState(flavour)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    base = f"http://{host}:{port}" + ("/api/v4" if flavour == "gitlab" else "")
    server.RequestHandlerClass = type("BoundHandler", (Handler,), {"state": state, "base": f"http://{host}:{port}"})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield base, state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
