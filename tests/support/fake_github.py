"""GitHub's REST API as the Apply workflow reads it, served on 127.0.0.1: pull requests of a commit, workflow runs of
a head commit, a run's artifacts. Answers have GitHub's shapes (lists, `workflow_runs`, `artifacts`, errors as
`{"message": ...}`) and honour the query filters the API documents (`head_sha`, `event`, `status`); every request is
recorded with its Authorization header, so a test sees what was asked and as whom.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPOSITORY = "acme/claude-platform"


@dataclass
class GitHubState:
    """What the fake holds: pull requests per commit, workflow runs, artifacts per run, and forced failures."""

    pulls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    refuse: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """Path prefix (after /repos/<repo>/) -> (status, body) answered instead."""
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(path with query, Authorization header) of every request."""


class _Handler(BaseHTTPRequestHandler):
    state: GitHubState

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        self.state.requests.append((self.path, self.headers.get("Authorization", "")))
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        prefix = f"/repos/{REPOSITORY}/"
        if not url.path.startswith(prefix):
            self._send(404, {"message": "Not Found"})
            return
        path = url.path[len(prefix) :]
        for refused, (status, body) in self.state.refuse.items():
            if path.startswith(refused):
                self._send(status, body)
                return
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "commits" and parts[2] == "pulls":
            self._send(200, self.state.pulls.get(parts[1], []))
        elif path == "actions/runs":
            runs = [
                run
                for run in self.state.runs
                if run["head_sha"] == query.get("head_sha", run["head_sha"])
                and run["event"] == query.get("event", run["event"])
                and query.get("status") in (None, run["status"], run["conclusion"])
            ]
            self._send(200, {"total_count": len(runs), "workflow_runs": runs})
        elif len(parts) == 4 and parts[:2] == ["actions", "runs"] and parts[3] == "artifacts":
            artifacts = self.state.artifacts.get(int(parts[2]), [])
            self._send(200, {"total_count": len(artifacts), "artifacts": artifacts})
        else:
            self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})


@contextmanager
def github_api(state: GitHubState) -> Iterator[str]:
    """Serve `state` on 127.0.0.1 (an ephemeral port) for the duration; yields the API base URL."""
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def pull_request(number: int, head_sha: str, merge_sha: str, *, merged: bool = True) -> dict[str, Any]:
    return {
        "number": number,
        "state": "closed",
        "merged_at": "2026-12-01T10:00:00Z" if merged else None,
        "merge_commit_sha": merge_sha,
        "head": {"sha": head_sha, "ref": f"topic-{number}", "repo": {"full_name": REPOSITORY}},
        "base": {"ref": "main"},
    }


def workflow_run(
    run_id: int,
    head_sha: str,
    *,
    path: str = ".github/workflows/preview.yml",
    conclusion: str = "success",
    created_at: str = "2026-12-01T09:00:00Z",
    event: str = "pull_request",
) -> dict[str, Any]:
    return {
        "id": run_id,
        "name": "Preview",
        "path": path,
        "head_sha": head_sha,
        "event": event,
        "status": "completed",
        "conclusion": conclusion,
        "run_attempt": 1,
        "created_at": created_at,
        "html_url": f"https://github.com/{REPOSITORY}/actions/runs/{run_id}",
    }


def artifact(artifact_id: int, name: str, *, expired: bool = False) -> dict[str, Any]:
    return {"id": artifact_id, "name": name, "expired": expired, "size_in_bytes": 1234}
