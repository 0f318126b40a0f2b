"""Whether a saved plan still describes the tree being applied (tools/plan_freshness.py, forge-neutral: GitLab's
apply uses it): tools/changed_stacks.py's rules for choosing what to preview, applied to one stack."""

from __future__ import annotations

import pytest

from tools.changed_stacks import Change
from tools.plan_freshness import stale_paths

STACK = "payments"


@pytest.mark.parametrize(
    ("paths", "stale"),
    [
        ([], []),
        (["README.md", "docs/gitops.md", "Pulumi.research.yaml"], []),
        (["Pulumi.payments.yaml"], ["Pulumi.payments.yaml"]),
        (["__main__.py", "docs/x.md"], ["__main__.py"]),
        (["Pulumi.yaml"], ["Pulumi.yaml"]),
        (["policies/requirements.txt", ".gitlab-ci.yml"], [".gitlab-ci.yml", "policies/requirements.txt"]),
        (["Pulumi.bad name.yaml"], ["Pulumi.bad name.yaml"]),
        (["docs/Pulumi.payments.yaml"], []),
    ],
    ids=[
        "same-tree",
        "docs-and-another-team",
        "own-stack-file",
        "program",
        "project-file",
        "pipeline-and-pins",
        "unnameable-stack-file",
        "docs-copy-of-stack-file",
    ],
)
def test_a_plan_is_stale_exactly_where_changed_stacks_would_preview_the_stack_again(
    paths: list[str], stale: list[str]
) -> None:
    assert stale_paths(STACK, [Change(path) for path in paths]) == stale


def test_deleting_the_stack_file_since_the_preview_makes_its_plan_stale() -> None:
    assert stale_paths(STACK, [Change("Pulumi.payments.yaml", "D")]) == ["Pulumi.payments.yaml"]
