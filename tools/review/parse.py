"""The plan summary and the policy verdicts, read out of a preview's text.

Two producers, both read here so that a comment looks the same whatever ran:

* the offline preview (`python -m tools.preview`): `Stack S of P: N resources to create`, then
  `Policies: no violations` / `Policies: N violation(s), M mandatory` followed by `  [level] rule: message`;
* the engine (`pulumi preview --diff --policy-pack ...`, pkg/backend/display): the `Resources:` block
  (`    + 3 to create`, `    +-1 to replace`, `    4 changes. 20 unchanged`) and one line per violation,
  `    pack@vX [mandatory] [severity: high]  rule  (type: name)message` (`--diff`), or
  `        - [mandatory] [severity: high]  rule  (type: name)` under `Policies:` (the progress view).
  Exempted violations (`[exempted: ...] [level]`) are counted apart: they do not block.

What cannot be read is said so (`summary` None, verdicts `unknown`), never guessed as "no changes".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from tools.review.text import ANSI_ESCAPE

OPERATIONS = ("create", "update", "replace", "delete", "same")
"""The plan summary's columns, in the engine's order; the other step kinds it prints are kept by name."""

OFFLINE_HEADER = re.compile(r"^Stack \S+ of \S+: (\d+) resources? to create$", re.M)
OFFLINE_POLICIES = re.compile(
    r"^Policies: (?:(no violations)|(skipped)[^\n]*|(\d+) violation\(s\), (\d+) mandatory)$", re.M
)
OFFLINE_VERDICT = re.compile(r"^  \[(mandatory|advisory)\] ([^\s:]+):", re.M)

ENGINE_RESOURCES = re.compile(r"^Resources:\n((?:    .*\n?){1,40})", re.M)
"""The summary block: one line per step kind and the totals, so never more than a few dozen lines."""
ENGINE_STEP = re.compile(r"^    \S.?(\d+) to ([a-z-]+)$")
ENGINE_UNCHANGED = re.compile(r"^    (?:\d+ changes?\. )?(\d+) unchanged$")
ENGINE_VERDICT = re.compile(
    r"^[ \t]+(?:[-·] |\S+@v\S+ )(\[exempted[^\]\n]*\] )?\[(mandatory|advisory)\](?: \[severity: [a-z]+\])?  (\S+)",
    re.M,
)
ENGINE_PACKS = re.compile(r"^(?:Policy Packs run:|Policies:)$", re.M)
PREVIEW_FAILED = re.compile(r"^error: ", re.M)


@dataclass(frozen=True)
class Verdict:
    policy: str
    level: str
    count: int
    exempted: bool = False


@dataclass
class Reading:
    """What a preview's text says: the plan (None if it printed none) and the policy verdicts."""

    summary: dict[str, int] | None = None
    policies: str = "unknown"
    """`passed`, `violations`, `skipped` (no pack ran) or `unknown` (the preview stopped before the verdicts)."""
    verdicts: list[Verdict] = field(default_factory=list)


def _verdicts(found: list[tuple[str, str, str]]) -> list[Verdict]:
    counts = Counter(found)
    return [
        Verdict(policy=policy, level=level, count=count, exempted=bool(exempted))
        for (exempted, level, policy), count in sorted(
            counts.items(), key=lambda item: (item[0][1] != "mandatory", item[0][2])
        )
    ]


def read_offline(text: str) -> Reading | None:
    """The offline preview's plan and verdicts; None if the text is not the offline preview's."""
    header = OFFLINE_HEADER.search(text)
    if header is None:
        return None
    reading = Reading(summary={"create": int(header.group(1))})
    policies = OFFLINE_POLICIES.search(text)
    if policies is None:
        return reading
    none, skipped, total, _mandatory = policies.groups()
    if none:
        reading.policies = "passed"
    elif skipped:
        reading.policies = "skipped"
    else:
        found = [("", level, rule) for level, rule in OFFLINE_VERDICT.findall(text, policies.end())]
        reading.verdicts = _verdicts(found)
        # Deny by default: a verdict count the lines do not add up to is unreadable, not clean.
        reading.policies = "violations" if len(found) == int(total) else "unknown"
    return reading


def read_engine(text: str) -> Reading:
    """`pulumi preview`'s plan (the `Resources:` block) and verdicts."""
    reading = Reading()
    block = ENGINE_RESOURCES.search(text)
    if block is not None:
        summary: dict[str, int] = {}
        for line in block.group(1).splitlines():
            if step := ENGINE_STEP.match(line):
                summary[step.group(2)] = summary.get(step.group(2), 0) + int(step.group(1))
            elif same := ENGINE_UNCHANGED.match(line):
                summary["same"] = int(same.group(1))
        reading.summary = summary
    found = [(exempted or "", level, rule) for exempted, level, rule in ENGINE_VERDICT.findall(text)]
    reading.verdicts = _verdicts(found)
    if any(not v.exempted for v in reading.verdicts):
        reading.policies = "violations"
    elif ENGINE_PACKS.search(text):
        reading.policies = "passed"
    return reading


def read(text: str) -> Reading:
    """Either producer's text (colour codes and Windows line ends dropped first)."""
    text = ANSI_ESCAPE.sub("", text.replace("\r\n", "\n"))
    offline = read_offline(text)
    return offline if offline is not None else read_engine(text)


def mandatory(reading: Reading) -> int:
    return sum(v.count for v in reading.verdicts if v.level == "mandatory" and not v.exempted)


def advisory(reading: Reading) -> int:
    return sum(v.count for v in reading.verdicts if v.level == "advisory" and not v.exempted)
