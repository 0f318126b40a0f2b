"""The review comment reads the real engine's text as the engine meant it (tools/review/parse.py).

`pulumi preview --non-interactive --diff --policy-pack ...`, the command the cloud preview and the drift check run,
is parsed here and compared with what the same engine says in JSON (`pulumi preview --json`: its `changeSummary`
and its policy events): a CLI upgrade that moves a word in the text fails here, not silently in a comment.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.conftest import init_stack
from tests.fixture_stacks import DEV
from tests.support.engine.cli import Engine, json_events
from tools.review import parse

pytestmark = pytest.mark.e2e
STREAMING = {"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"}

STRICT = {
    "allowed-services-only": {"enforcementLevel": "advisory", "allowedServices": ["aiplatform.googleapis.com"]},
    "required-guardrails": {"requireBudget": True, "requireAuditLogs": True, "requireQuotaCaps": True},
}


def previews(engine: Engine, work: Path, stack: str, *args: str) -> tuple[parse.Reading, Counter, dict[str, int]]:
    """The text's reading, and what the engine's events say: (policy, level) counts and the summary's changes."""
    command = ("preview", "--stack", stack, "--non-interactive", *args)
    text = engine.python_program(*command, "--diff", cwd=work, check=False)
    streamed = engine.python_program(*command, "--json", cwd=work, check=False, env=STREAMING)
    events = json_events(streamed.stdout)
    told = Counter(
        (event["policyEvent"]["policyName"], event["policyEvent"]["enforcementLevel"])
        for event in events
        if "policyEvent" in event
    )
    [summary] = [event["summaryEvent"]["resourceChanges"] for event in events if "summaryEvent" in event]
    return parse.read(text.stdout + text.stderr), told, summary


def test_the_plan_summary_and_verdicts_read_from_the_text_are_the_engines(
    engine: Engine, pack_launcher: Path, tmp_path: Path
) -> None:
    stack, work = init_stack(engine, DEV, tmp_path)
    config = tmp_path / "strict.json"
    config.write_text(json.dumps(STRICT))
    packs = ("--policy-pack", str(pack_launcher))

    reading, told, summary = previews(engine, work, stack, *packs, "--policy-pack-config", str(config))
    assert Counter({(v.policy, v.level): v.count for v in reading.verdicts}) == told
    assert parse.mandatory(reading) > 0 and parse.advisory(reading) > 0
    assert reading.summary == summary

    reading, told, summary = previews(engine, work, stack, *packs)
    assert (reading.policies, told) == ("passed", Counter())
    assert reading.summary == summary and set(summary) == {"create"}
    engine.python_program("up", "--yes", "--stack", stack, "--non-interactive", *packs, cwd=work)
    reading, told, summary = previews(engine, work, stack, "--refresh", "--expect-no-changes", *packs)
    assert reading.summary == {"same": summary["same"]}
