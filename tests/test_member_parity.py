"""The config reader and the policy pack judge members alike: the program never renders what the pack blocks.

The pack must not import the program, so it has its own canonical parser
(policies/claude_vertex_policies/members.py); this test holds the two against each other on the forms an
attacker or a typo reaches for, in both directions.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from components.config.base import Refusal
from components.config.members import parse_member as config_parse

ROOT = Path(__file__).resolve().parent.parent
POOL = "projects/123456789012/locations/global/workloadIdentityPools/claude-payments"
WORKFORCE = "locations/global/workforcePools/acme-okta"
MEMBERS = [
    "user:ada@example.com",
    "group:payments-devs@example.com",
    "serviceAccount:claude-agent@claude-payments-dev.iam.gserviceaccount.com",
    "domain:example.com",
    f"principal://iam.googleapis.com/{WORKFORCE}/subject/ada@acme.com",
    f"principalSet://iam.googleapis.com/{WORKFORCE}/group/payments-devs",
    f"principalSet://iam.googleapis.com/{WORKFORCE}/attribute.department/payments",
    f"principalSet://iam.googleapis.com/{POOL}/attribute.repository/acme/payments-app",
    # refused by both
    "allUsers",
    "allAuthenticatedUsers",
    "allusers",
    "ServiceAccount:claude-agent@claude-payments-dev.iam.gserviceaccount.com",
    "USER:ada@example.com",
    "serviceAccount:123456789012-compute@developer.gserviceaccount.com",
    "serviceAccount:claude-payments-dev@appspot.gserviceaccount.com",
    "serviceAccount:123456789012@cloudbuild.gserviceaccount.com",
    "principalSet://cloudresourcemanager.googleapis.com/organizations/123/type/ServiceAccount",
    f"principalSet://iam.googleapis.com/{WORKFORCE}/*",
    f"principalSet://iam.googleapis.com/{POOL}/*",
    "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p.svc.id.goog/kubernetes.cluster/x",
    f"principal://iam.googleapis.com//{WORKFORCE}/subject/ada",
    "ada@example.com",
    "user:ada",
    "deleted:user:ada@example.com?uid=123",
    " user:ada@example.com",
]


def pack_members() -> ModuleType:
    """The pack's parser, loaded from its file as the engine's plugin would see it (no program import)."""
    pack_dir = ROOT / "policies"
    if str(pack_dir) not in sys.path:
        sys.path.insert(0, str(pack_dir))
    return importlib.import_module("claude_vertex_policies.members")


def config_accepts(member: str) -> bool:
    try:
        config_parse("access.members[0]", member)
    except Refusal:
        return False
    return True


def pack_accepts(member: str) -> bool:
    """No mandatory member rule of the pack objects: known-principals-only, no-public-principals,
    no-default-service-account-members, no-pool-wide-federated-principals."""
    members = pack_members()
    parsed = members.parse_member(member)
    whole_pool = parsed.federated is not None and parsed.federated.selector == "all"
    blocked = members.is_public(parsed) or members.is_default_service_account(parsed) or whole_pool
    return parsed.problem is None and not blocked


@pytest.mark.parametrize("member", MEMBERS)
def test_config_and_pack_agree(member: str) -> None:
    assert config_accepts(member) == pack_accepts(member), member


def test_the_corpus_has_both_kinds() -> None:
    accepted = [m for m in MEMBERS if config_accepts(m)]
    assert 0 < len(accepted) < len(MEMBERS)
