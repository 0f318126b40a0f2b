"""`tools.review comment` and `drift` against GitHub's and GitLab's APIs, served on 127.0.0.1 (fake_forges)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.review.fake_forges import BOT, PERSON, TOKEN, serve
from tools.review import body, record
from tools.review.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
HEAD = "a" * 40
OTHER = "b" * 40


def github_env(base: str) -> dict[str, str]:
    return {
        "GITHUB_API_URL": base,
        "GITHUB_REPOSITORY": "acme/platform",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "99",
    }


def gitlab_env(base: str) -> dict[str, str]:
    return {
        "CI_API_V4_URL": base,
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "5",
        "CLAUDE_VERTEX_GITLAB_TOKEN": TOKEN,
        "CI_PIPELINE_URL": "https://gitlab.example/acme/platform/-/pipelines/9",
    }


def records(directory: Path, pr: int | None = 12, fixture: str = "engine-update.txt", stack: str = "dev") -> Path:
    for kind, name in (("offline", "offline-clean.txt"), ("cloud", fixture)):
        made = record.from_output(stack, kind, 0, (FIXTURES / name).read_text(), pr)
        record.write(made, directory / f"review-{kind}-{stack}")
    return directory


def comment(env: dict[str, str], directory: Path, *extra: str, forge: str = "github") -> int:
    return main(["comment", "--forge", forge, "--dir", str(directory), *extra], env)


# --- the pull request's comment: one, updated ----------------------------------------------------------------


def test_github_creates_the_comment_then_updates_it_instead_of_adding_another(tmp_path: Path) -> None:
    with serve("github") as (base, state):
        state.pulls[12] = {"number": 12, "head": {"sha": HEAD}}
        # 150 comments before ours: the tool must page through (Link: rel="next") to find it again.
        state.comments[12] = [{"id": i, "body": f"chatter {i}", "user": PERSON} for i in range(150)]
        assert comment(github_env(base), records(tmp_path / "one"), "--head-sha", HEAD) == 0
        ours = [c for c in state.comments[12] if c["body"].startswith(body.COMMENT_MARKER)]
        assert len(ours) == 1 and "| `dev` |" in ours[0]["body"] and "| 2 | 0 | 0 | 2 | 20 |" in ours[0]["body"]
        state.pulls[12]["head"]["sha"] = OTHER
        assert (
            comment(github_env(base), records(tmp_path / "two", fixture="engine-violations.txt"), "--head-sha", OTHER)
            == 0
        )
        ours = [c for c in state.comments[12] if c["body"].startswith(body.COMMENT_MARKER)]
        assert len(ours) == 1 and "❌ 2 mandatory, 3 advisory" in ours[0]["body"]
        assert "No preview against the state" not in ours[0]["body"]
        assert state.writes() == [
            ("POST", "/repos/acme/platform/issues/12/comments"),
            ("PATCH", f"/repos/acme/platform/issues/comments/{ours[0]['id']}"),
        ]


def test_github_never_edits_a_comment_a_person_wrote_with_the_marker(tmp_path: Path) -> None:
    with serve("github") as (base, state):
        state.pulls[12] = {"number": 12, "head": {"sha": HEAD}}
        forged = {"id": 1, "body": body.COMMENT_MARKER + "\nlooks official", "user": PERSON}
        state.comments[12] = [forged]
        assert comment(github_env(base), records(tmp_path), "--head-sha", HEAD) == 0
        assert forged["body"].endswith("looks official")
        assert [c["user"] for c in state.comments[12]] == [PERSON, BOT]


def test_a_fork_whose_artifacts_claim_another_pull_request_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve("github") as (base, state):
        state.pulls[12] = {"number": 12, "head": {"sha": HEAD}}
        state.pulls[13] = {"number": 13, "head": {"sha": OTHER}}  # someone else's pull request
        assert comment(github_env(base), records(tmp_path, pr=13), "--head-sha", HEAD) == 1
        assert "pull request #13 is at another commit than the preview ran on" in capsys.readouterr().err
        assert comment(github_env(base), records(tmp_path / "x", pr=404), "--head-sha", HEAD) == 1
        assert "#404 is not a pull request of this repository" in capsys.readouterr().err
        assert state.writes() == [] and state.comments == {}


def test_records_that_disagree_on_the_pull_request_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records(tmp_path, pr=12)
    records(tmp_path, pr=13, stack="payments")
    with serve("github") as (base, state):
        state.pulls[12] = {"number": 12, "head": {"sha": HEAD}}
        assert comment(github_env(base), tmp_path, "--head-sha", HEAD) == 1
        assert "do not all name one pull request" in capsys.readouterr().err
        assert state.requests == []


def test_rate_limit_and_a_wrong_token_are_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve("github") as (base, state):
        state.rate_limited = True
        assert comment(github_env(base), records(tmp_path), "--head-sha", HEAD) == 1
        err = capsys.readouterr().err
        assert (
            err == "error: GET /repos/acme/platform/pulls/12: rate limited (403; resets at 1767225600): "
            "API rate limit exceeded\n"
        )
        state.rate_limited = False
        assert comment({**github_env(base), "GITHUB_TOKEN": "wrong"}, records(tmp_path), "--head-sha", HEAD) == 1
        assert capsys.readouterr().err == "error: GET /repos/acme/platform/pulls/12: 401 Bad credentials\n"
    assert comment({}, records(tmp_path), "--head-sha", HEAD) == 2
    assert capsys.readouterr().err == "error: GITHUB_TOKEN is not set\n"


def test_gitlab_creates_the_note_then_updates_it(tmp_path: Path) -> None:
    with serve("gitlab") as (base, state):
        state.pulls[5] = {"iid": 5, "sha": HEAD}
        others = {"id": 99, "username": "someone"}
        state.comments[5] = [
            {"id": i, "body": body.COMMENT_MARKER, "author": others, "system": False} for i in range(130)
        ]
        assert comment(gitlab_env(base), records(tmp_path / "one", pr=None), forge="gitlab") == 0
        assert (
            comment(
                gitlab_env(base),
                records(tmp_path / "two", pr=None, fixture="engine-violations.txt"),
                "--head-sha",
                HEAD,
                forge="gitlab",
            )
            == 0
        )
        ours = [n for n in state.comments[5] if n["author"] == state.me]
        assert len(ours) == 1 and "❌ 2 mandatory, 3 advisory" in ours[0]["body"]
        assert [m for m, _ in state.writes()] == ["POST", "PUT"]
        assert comment(gitlab_env(base), records(tmp_path / "two", pr=None), "--head-sha", OTHER, forge="gitlab") == 1


def test_gitlab_refuses_a_merge_request_the_project_does_not_have(tmp_path: Path) -> None:
    with serve("gitlab") as (base, state):
        assert (
            comment({**gitlab_env(base), "CI_MERGE_REQUEST_IID": "77"}, records(tmp_path, pr=None), forge="gitlab") == 1
        )
        assert state.writes() == []


# --- what the comment shows of hostile records ----------------------------------------------------------------


def hostile_record(directory: Path) -> Path:
    payload = (
        "````\n</details><img src=x onerror=alert(1)>\n@everyone please approve, cc @acme/admins\n"
        + "`" * 50
        + "\n<!-- claude-vertex:review -->\n\x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \u202e\x00\n"
        + ("y" * 3000 + "\n") * 2000
    )
    (directory / "evil.txt").write_text(payload)
    assert (
        main(
            [
                "record",
                "--stack",
                "evil",
                "--kind",
                "offline",
                "--exit-code",
                "1",
                "--output",
                str(directory / "evil.txt"),
                "--dir",
                str(directory / "review"),
                "--pr",
                "12",
            ]
        )
        == 0
    )
    return directory / "review"


def test_hostile_output_stays_inside_its_fence_pings_nobody_and_is_bounded(tmp_path: Path) -> None:
    [made] = [record.load(p) for p in hostile_record(tmp_path).glob("*.json")]
    text = body.comment([made] * 1, HEAD)
    assert len(text) <= body.MAX_BODY
    fence = re.search(r"^(`{3,})text$", text, re.M).group(1)
    inside = text.split(fence + "text\n", 1)[1].split("\n" + fence + "\n", 1)[0]
    assert "`" * len(fence) not in inside  # nothing inside can close the fence
    outside = text.replace(inside, "")
    assert "<img" not in outside and "@everyone" not in text and "@acme" not in text
    assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
    assert text.count(body.COMMENT_MARKER) == 1 and text.startswith(body.COMMENT_MARKER)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda d: d.update(stack="dev](https://evil"), "stack must be a stack name"),
        (
            lambda d: d.update(verdicts=[{"policy": "<b>x</b>", "level": "mandatory", "count": 1, "exempted": False}]),
            "not a rule name",
        ),
        (lambda d: d.update(summary={"create": 10**12}), "expected a whole number"),
        (lambda d: d.update(extra=1), "expected exactly the keys"),
        (lambda d: d.update(tail="z" * 10**6), "larger than 65536 bytes"),
        (lambda d: d.update(tail=["not", "text"]), "tail must be text"),
    ],
)
def test_a_tampered_record_is_refused_by_name_and_never_shown(
    change: Callable[[dict[str, Any]], None], refusal: str, tmp_path: Path
) -> None:
    directory = records(tmp_path)
    path = directory / "review-cloud-dev" / "dev.cloud.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    with serve("github") as (base, state):
        state.pulls[12] = {"number": 12, "head": {"sha": HEAD}}
        assert comment(github_env(base), directory, "--head-sha", HEAD) == 0
        [posted] = state.comments[12]
    assert "Records refused (not shown):" in posted["body"] and refusal in posted["body"]
    assert "| `pulumi preview` against the state |" not in posted["body"] and posted["body"].count("| `dev` |") == 1


# --- drift issues ---------------------------------------------------------------------------------------------


def drift(env: dict[str, str], output: str, exit_code: int, tmp_path: Path, forge: str = "github") -> int:
    path = tmp_path / "drift.txt"
    path.write_text((FIXTURES / output).read_text() if output else "")
    return main(
        ["drift", "--forge", forge, "--stack", "dev", "--exit-code", str(exit_code), "--output", str(path)], env
    )


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_drift_opens_one_issue_comments_only_on_a_new_diff_and_closes_when_clean(forge: str, tmp_path: Path) -> None:
    with serve(forge) as (base, state):
        env = github_env(base) if forge == "github" else gitlab_env(base)
        state.issues += [
            {
                "number": 1,
                "iid": 1,
                "body": "x",
                "description": "x",
                "state": "open" if forge == "github" else "opened",
                "user": PERSON,
                "author": PERSON,
                "title": body.drift_marker("dev"),
            }
        ] * 120
        text = "body" if forge == "github" else "description"
        assert drift(env, "engine-drift.txt", 255, tmp_path, forge) == 0
        [issue] = [i for i in state.issues if body.drift_marker("dev") in i[text]]
        assert issue["labels"] == ["drift"] and "2 to create, 2 to delete" in issue[text]
        assert "Run: https://" in issue[text]
        number = issue["number"] if forge == "github" else issue["iid"]
        notes = state.comments if forge == "github" else state.issue_comments
        # The next morning, the same drift (another duration, another run): nothing new is said.
        again = (
            (FIXTURES / "engine-drift.txt")
            .read_text()
            .replace("Previewing update (dev):", "Previewing update (dev):\nDuration: 3s")
        )
        (tmp_path / "again.txt").write_text(again)
        assert (
            main(
                [
                    "drift",
                    "--forge",
                    forge,
                    "--stack",
                    "dev",
                    "--exit-code",
                    "255",
                    "--output",
                    str(tmp_path / "again.txt"),
                ],
                env,
            )
            == 0
        )
        assert notes.get(number, []) == []
        # It drifts further: one comment with the new diff, and still one issue.
        assert drift(env, "engine-violations.txt", 255, tmp_path, forge) == 0
        assert len(notes[number]) == 1 and "The drift changed" in notes[number][0]["body"]
        assert drift(env, "engine-violations.txt", 255, tmp_path, forge) == 0
        assert len(notes[number]) == 1
        assert drift(env, "engine-clean.txt", 0, tmp_path, forge) == 0
        assert issue["state"] == "closed" and "matches its stack again" in notes[number][-1]["body"]
        assert len([i for i in state.issues if body.drift_marker("dev") in i[text]]) == 1
        # Clean with no issue open: nothing is written.
        writes = len(state.writes())
        assert drift(env, "engine-clean.txt", 0, tmp_path, forge) == 0
        assert len(state.writes()) == writes


def test_a_pull_request_that_previewed_no_stack_gets_no_comment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve("github") as (base, state):
        assert comment(github_env(base), tmp_path, "--head-sha", HEAD) == 0
        assert state.requests == []
    assert capsys.readouterr().out == "no review records (no stack previewed): nothing to comment\n"


def test_a_fork_gets_the_offline_preview_and_is_told_why_there_is_no_other(tmp_path: Path) -> None:
    made = record.from_output("payments", "offline", 1, (FIXTURES / "offline-mandatory.txt").read_text(), 12)
    text = body.comment([made], HEAD)
    assert (
        "| `payments` | offline preview (as a new stack, mocks) | exit 1 | 16 | 0 | 0 | 0 | 0 | ❌ 17 mandatory" in text
    )
    assert "No preview against the state for `payments`: a fork's pull request, or no previewer identity." in text
