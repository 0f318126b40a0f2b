"""The GCP facts (`claude_vertex_gcp`) are what the program does: its types, APIs and names, read off the rendering.

The program registers resources through pulumi-gcp's classes and the pack, the mocks and the tools recognise them by
the facts' tokens; these tests hold the two to each other on the real program with every feature on, so a resource
or an API the program starts to use is declared (and allowed by the pack's defaults) in the same change.
"""

from __future__ import annotations

import functools
import re

from claude_vertex_gcp import members, names, org_policy, resource_types, services

from tests.fixture_stacks import PAYMENTS, stack_of
from tests.support.render import Rendering
from tools.preview import load_rendering


@functools.cache
def every_feature() -> Rendering:
    """The suite's stack with every optional section on (CI on both platforms, models, budget, caps, usage)."""
    return load_rendering(stack_of(PAYMENTS), PAYMENTS)


def test_the_program_registers_exactly_the_team_types() -> None:
    registered = {r["type"] for r in every_feature().resources if r["type"].startswith("gcp:")}
    assert registered == set(resource_types.TEAM_TYPES)


def test_the_program_enables_exactly_the_team_services() -> None:
    enabled = {r["inputs"]["service"] for r in every_feature().resources if r["type"] == resource_types.SERVICE}
    assert enabled == set(services.TEAM_SERVICES)


def test_the_names_the_program_renders_follow_the_declared_formats() -> None:
    resources = every_feature().resources
    by_type: dict[str, list[dict]] = {}
    for record in resources:
        by_type.setdefault(record["type"], []).append(record)
    (role,) = by_type[resource_types.PROJECT_CUSTOM_ROLE]
    assert names.CUSTOM_ROLE_NAME.match(role["outputs"]["name"])
    for account in by_type[resource_types.SERVICE_ACCOUNT]:
        assert names.USER_MANAGED_SERVICE_ACCOUNT.match(account["outputs"]["email"])
    for provider in by_type[resource_types.WORKLOAD_IDENTITY_POOL_PROVIDER]:
        assert names.WORKLOAD_PROVIDER_NAME.match(provider["outputs"]["name"])
    for policy in by_type[resource_types.ORG_POLICY]:
        match = org_policy.POLICY_NAME.match(policy["inputs"]["name"])
        assert match and match.group("constraint") in {org_policy.ALLOWED_MODELS, org_policy.SKIP_DEFAULT_NETWORK}
        for rule in policy["inputs"]["spec"]["rules"]:
            for value in rule.get("values", {}).get("allowedValues", []):
                assert org_policy.MODEL_VALUE.match(value)
    for grant in by_type[resource_types.PROJECT_IAM_MEMBER] + by_type[resource_types.SERVICE_ACCOUNT_IAM_MEMBER]:
        assert members.parse_member(grant["inputs"]["member"]).problem is None


def test_the_declared_patterns_are_whole_fragments() -> None:
    """Each ID pattern composes into a larger one: it matches a real value whole, and nothing around it."""
    examples = {
        names.PROJECT_ID: "claude-payments-dev",
        names.SERVICE_ACCOUNT_ID: "claude-agent",
        names.WORKLOAD_POOL_ID: "claude-payments",
        names.REGION: "us-east5",
        names.VERTEX_LOCATION: "global",
    }
    for pattern, value in examples.items():
        assert re.fullmatch(rf"<{pattern}>", f"<{value}>"), (pattern, value)
        assert not re.fullmatch(rf"<{pattern}>", f"<{value}/x>"), pattern
