"""The pack beyond claude-vertex: `policies/config.generic.json` on a stack that is not a claude-vertex stack.

A plain Pulumi program (a bucket, grants on it and on the project, a deployment account with a key, an
authoritative binding, a dynamic resource) is rendered under the mocks as the engine would register it, and
judged by the real pack over gRPC with the generic config, as `pulumi up --policy-pack policies
--policy-pack-config policies/config.generic.json` would judge it: exactly the generic IAM verdicts, nothing
about claude-vertex's own design.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claude_vertex_policies.rules import RULES

from tests.support.analyzer import load_policy_config, run_policy_pack
from tests.support.gcp_mocks import GcpMocks
from tests.support.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
GENERIC = ROOT / "policies" / "config.generic.json"

PLAIN_PROGRAM = """
import pulumi
import pulumi.dynamic
import pulumi_gcp as gcp

PROJECT = "acme-web-prod"
assets = gcp.storage.Bucket("assets", project=PROJECT, location="EU", uniform_bucket_level_access=True)
gcp.storage.BucketIAMMember(
    "assets-readers", bucket=assets.name, role="roles/storage.objectViewer", member="group:readers@example.com"
)
gcp.storage.BucketIAMMember("assets-public", bucket=assets.name, role="roles/storage.objectViewer", member="allUsers")
gcp.projects.IAMMember("ops-storage", project=PROJECT, role="roles/storage.admin", member="group:ops@example.com")
gcp.projects.IAMMember("ops-editors", project=PROJECT, role="roles/editor", member="group:ops@example.com")
gcp.projects.IAMBinding(
    "log-viewers", project=PROJECT, role="roles/logging.viewer", members=["group:ops@example.com"]
)
deployer = gcp.serviceaccount.Account("deployer", project=PROJECT, account_id="deployer")
gcp.serviceaccount.IAMMember(
    "deployer-users", service_account_id=deployer.name, role="roles/iam.serviceAccountUser",
    member="group:ops@example.com",
)
gcp.serviceaccount.Key("deployer-key", service_account_id=deployer.name)


class Warm(pulumi.dynamic.ResourceProvider):
    def create(self, props):
        return pulumi.dynamic.CreateResult(id_="warm", outs=props)


class CacheWarmer(pulumi.dynamic.Resource, module="cache", name="Warmer"):
    def __init__(self, name):
        super().__init__(Warm(), name, {"url": "https://www.example.com"})


CacheWarmer("cache-warmer")
"""

GENERIC_VERDICTS = {
    ("no-public-principals", "assets-public"),
    ("no-basic-roles", "ops-editors"),
    ("no-authoritative-iam", "log-viewers"),
    ("no-service-account-keys", "deployer-key"),
    ("no-dynamic-resources", "cache-warmer"),
    ("no-dynamic-resources", "default"),  # the engine's pulumi-python provider for it
}


def plain_stack(tmp_path: Path, preview: bool) -> list[dict]:
    (tmp_path / "__main__.py").write_text(PLAIN_PROGRAM)
    rendering = render_stack("prod", {}, root=tmp_path, project="acme-web", mocks=GcpMocks(preview=preview))
    return [dict(r) for r in rendering.analyzed]


def test_the_generic_config_decides_every_rule_of_the_pack():
    """A rule added to the pack must be placed on one side or the other here, never left to a default."""
    config = load_policy_config(GENERIC)
    assert list(config) == [rule.info.name for rule in RULES]
    assert set(config.values()) == {"mandatory", "disabled"}


@pytest.mark.slow
@pytest.mark.parametrize("preview", [False, True], ids=["after-up", "during-preview"])
def test_a_plain_stack_gets_exactly_the_generic_verdicts(tmp_path, preview):
    records = plain_stack(tmp_path, preview)
    generic = run_policy_pack(records, project="acme-web", stack="prod", policy_config=load_policy_config(GENERIC))
    assert {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in generic} == GENERIC_VERDICTS
    assert {v.level for v in generic} == {"mandatory"}
    # Without it, the same stack is judged as a claude-vertex team stack, and nearly all of it is refused.
    full = run_policy_pack(records, project="acme-web", stack="prod")
    assert {v.policy for v in full} >= {"allowed-resource-types", "project-grants-use-custom-roles"}


def test_the_generic_config_is_valid_json_an_engine_reads(tmp_path):
    """What `--policy-pack-config` gets: a JSON object of policy name to level, nothing else."""
    document = json.loads(GENERIC.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and all(isinstance(v, str) for v in document.values())
