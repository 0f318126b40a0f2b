"""Does a workload identity provider's condition admit only named repositories or projects?

A GitHub or GitLab OIDC provider without a pinning condition lets *any* repository on the platform
exchange its CI token for the team's service account: the issuer signs tokens for everyone. The only
claims that name a repository or project are the platforms' in `claude_vertex_gcp.ci_oidc`; `ref`, `workflow`,
`environment`, `actor` and friends are attacker-controlled in a stranger's repository and pin nothing.

A condition is pinned when IAM can only evaluate it to true for tokens whose pinning claim equals one
of a few exact strings:

* `claim == 'exact'` or `claim in ['exact', ...]` (either side of `==`), where `claim` is
  `assertion.<claim>`, or `attribute.<claim>` mapped from exactly `assertion.<claim>`;
* `a && b` is pinned when either side is (the other side can only narrow it further);
* `a || b` is pinned only when *every* side is;
* `!x`, `!=`, `true`, `startsWith()`, `endsWith()`, `matches()`, `contains()`, ternaries and anything
  else are never pins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from claude_vertex_gcp.ci_oidc import GITHUB, GITLAB, PINNING_ATTRIBUTES

from . import cel

CLAIMS: Mapping[str, str] = {**GITLAB.claims, **GITHUB.claims}
"""The pinning claims of either platform, for a provider whose issuer is not known (both name a subject `sub`;
GitHub's shape is the one checked then)."""
__all__ = ["CLAIMS", "PINNING_ATTRIBUTES", "Verdict", "assess"]

_PATTERN_FUNCTIONS = {"startsWith", "endsWith", "matches", "contains"}


@dataclass(frozen=True)
class Verdict:
    """`pinned`, or the reason it is not, phrased to finish "the condition ..."."""

    pinned: bool
    reason: str = ""


def assess(condition: str, claims: Mapping[str, str], mapping: Mapping[str, str]) -> Verdict:
    """Judge an attributeCondition against the pinning claims of its issuer."""
    if not condition.strip():
        return Verdict(False, "is empty, so every identity the issuer signs a token for is admitted")
    try:
        tree = cel.parse(condition)
    except cel.CelSyntaxError as error:
        return Verdict(False, f"is not in the CEL subset this pack can verify ({error}), so it is not trusted")
    return _Judge(claims, mapping).judge(tree)


class _Judge:
    def __init__(self, claims: Mapping[str, str], mapping: Mapping[str, str]) -> None:
        self.claims = {name: re.compile(rf"^{pattern}$") for name, pattern in claims.items()}
        self.mapping = {k: v.strip() for k, v in mapping.items() if isinstance(v, str)}
        self.names = ", ".join(sorted(c for c in claims if c != "sub"))

    def judge(self, node: cel.Node) -> Verdict:
        match node:
            case cel.And(operands):
                verdicts = [self.judge(o) for o in operands]
                if any(v.pinned for v in verdicts):
                    return Verdict(True)
                return Verdict(False, "; ".join(dict.fromkeys(v.reason for v in verdicts)))
            case cel.Or(operands):
                for operand in operands:
                    verdict = self.judge(operand)
                    if not verdict.pinned:
                        return Verdict(
                            False,
                            f"has `||` with a branch that is not pinned: `{cel.to_text(operand)}` {verdict.reason}",
                        )
                return Verdict(True)
            case cel.Not(_):
                return Verdict(False, f"negates `{cel.to_text(node)}`, which admits every identity it does not name")
            case cel.Literal("true"):
                return Verdict(False, "is `true`, which admits every identity")
            case cel.Rel("==", left, right):
                return self._equality(left, right) if isinstance(left, cel.Path) else self._equality(right, left)
            case cel.Rel("in", cel.Path() as path, cel.ListLit(items)):
                return self._membership(path, items)
            case cel.Rel():
                return Verdict(False, f"uses `{cel.to_text(node)}`; only `==` and `in [...]` with exact values pin")
            case cel.Call(_, name, _) if name in _PATTERN_FUNCTIONS:
                return Verdict(False, f"uses `{name}()`, which matches a pattern, not exact values")
        return Verdict(False, f"contains `{cel.to_text(node)}`, which is not an exact comparison of {self.names}")

    def _claim(self, path: cel.Path) -> tuple[str | None, str]:
        """The pinning claim a path reads, or None with the reason it does not count."""
        scope, _, name = path.name.partition(".")
        if scope == "google" and name == "subject":
            source = self.mapping.get("google.subject")
            if "sub" in self.claims and source == "assertion.sub":
                return "sub", ""
            return None, f"`google.subject` is not mapped from assertion.sub (it is `{source}`)"
        if scope not in {"assertion", "attribute"} or "." in name:
            return None, f"`{path.name}` is not a claim this pack recognises"
        if name not in self.claims:
            return None, f"`{path.name}` does not identify a repository or project (pin one of: {self.names})"
        if scope == "attribute":
            source = self.mapping.get(f"attribute.{name}")
            if source != f"assertion.{name}":
                return None, f"`attribute.{name}` is mapped from `{source}`, not from assertion.{name}"
        return name, ""

    def _value_ok(self, claim: str, node: cel.Node) -> bool:
        return isinstance(node, cel.Str) and bool(self.claims[claim].match(node.value))

    def _equality(self, path: cel.Node, value: cel.Node) -> Verdict:
        if not isinstance(path, cel.Path):
            return Verdict(False, f"compares `{cel.to_text(path)}`, which is not a claim")
        claim, why = self._claim(path)
        if claim is None:
            return Verdict(False, why)
        if not self._value_ok(claim, value):
            return Verdict(False, f"compares {path.name} with {cel.to_text(value)}, which is not an exact {claim}")
        return Verdict(True)

    def _membership(self, path: cel.Path, items: tuple[cel.Node, ...]) -> Verdict:
        claim, why = self._claim(path)
        if claim is None:
            return Verdict(False, why)
        if not items:
            return Verdict(False, f"checks {path.name} against an empty list")
        bad = [cel.to_text(i) for i in items if not self._value_ok(claim, i)]
        if bad:
            return Verdict(False, f"lists {', '.join(bad)} for {path.name}, which are not exact {claim} values")
        return Verdict(True)
