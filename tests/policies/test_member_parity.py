"""The config reader and the policy pack accept exactly the same members, both ways.

Both parse with the one grammar, `claude_vertex_gcp.members`; what this holds in step is the rest: the config
reader refuses, on its own, what the pack's member rules refuse at their defaults (public principals, default
accounts, whole pools, attributes that pin nothing). A hand list of members only checks the forms someone thought
of; here the corpus is generated: every prefix in several cases, local parts, domains, service accounts of every
Google-managed shape, pool paths with and without a project number, selectors, attributes, wildcards, doubled
slashes, whitespace and `deleted:` forms, combined. "The pack accepts" means what its member rules decide at
their defaults (the rules themselves are run, not a copy of their logic): a member the config reader accepts
but the pack refuses would fail a team's `pulumi up`; one the pack accepts but the reader refuses is a form
the program can never grant.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from claude_vertex.config import members as config_members
from claude_vertex.config.base import Refusal
from claude_vertex_policies.rules import RULES_BY_NAME

MEMBER_RULES = (
    "known-principals-only",
    "no-public-principals",
    "no-default-service-account-members",
    "no-pool-wide-federated-principals",
)
GRANT = "gcp:projects/iAMMember:IAMMember"
ROLE = "projects/claude-payments-dev/roles/claudeVertexPayments"

LOCAL_PARTS = ("ada", "a.b+c", "o'brien", "-x", "x" * 64, "x" * 65, "", "a b", "ada*", "a/b", "a!b")
DOMAINS = (
    "example.com",
    "EXAMPLE.COM",
    "example",
    "-example.com",
    "example-.com",
    "ex_ample.com",
    "sub.example.co.uk",
    "a" * 63 + ".com",
    "a" * 64 + ".com",
    "example..com",
)
ACCOUNTS = (
    "claude-agent@claude-payments-dev.iam.gserviceaccount.com",
    "Claude-Agent@Claude-Payments-Dev.iam.gserviceaccount.com",
    "claude-agent@other-team-prod.iam.gserviceaccount.com",
    "ci@claude-payments-dev.iam.gserviceaccount.com",
    "claude-agent@p.iam.gserviceaccount.com",
    "service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com",
    "service-123456789012@gcp-sa-aiplatform-cc.iam.gserviceaccount.com",
    "service-123456789012@compute-system.iam.gserviceaccount.com",
    "service-123456789012@container-engine-robot.iam.gserviceaccount.com",
    "service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
    "service-123456789012@claude-payments-dev.iam.gserviceaccount.com",
    "service-org-123456789012@gcp-sa-logging.iam.gserviceaccount.com",
    "service-folder-123456789012@gcp-sa-logging.iam.gserviceaccount.com",
    "p123456789012-123456@gcp-sa-logging.iam.gserviceaccount.com",
    "o123456789012-123456@gcp-sa-logging.iam.gserviceaccount.com",
    "bq-123456789012@bigquery-encryption.iam.gserviceaccount.com",
    "claude-agent@gcp-sa-aiplatform.iam.gserviceaccount.com",
    "claude-agent@compute-system.iam.gserviceaccount.com",
    "claude-agent@serverless-robot-prod.iam.gserviceaccount.com",
    "123456789012@cloudservices.gserviceaccount.com",
    "123456789012@cloudbuild.gserviceaccount.com",
    "123456789012-compute@developer.gserviceaccount.com",
    "claude-agent-compute@developer.gserviceaccount.com",
    "claude-payments-dev@appspot.gserviceaccount.com",
    "firebase-adminsdk@claude-payments-dev.iam.gserviceaccount.com",
    "claude-agent@cloud-ml.google.com.iam.gserviceaccount.com",
    "claude-payments-dev.svc.id.goog[ns/ksa]",
    "cloud-logs@system.gserviceaccount.com",
    "claude-agent@claude-payments-dev.iam.gserviceaccount.com.evil.com",
)
POOLS = (
    "projects/123456789012/locations/global/workloadIdentityPools/claude-payments",
    "projects/claude-payments-dev/locations/global/workloadIdentityPools/claude-payments",
    "projects/123456789012/locations/us/workloadIdentityPools/claude-payments",
    "projects/123456789012/workloadIdentityPools/claude-payments",
    "projects/123456789012/locations/global/workloadIdentityPools/claude-payments-dev.svc.id.goog",
    "projects/123456789012/locations/global/workloadIdentityPools/ab",
    "projects/123456789012/locations/global/workloadIdentityPools/Claude",
    "projects//123456789012/locations/global/workloadIdentityPools/claude-payments",
    "locations/global/workforcePools/acme-okta",
    "locations/global/workforcePools/acme.okta",
    "locations/us/workforcePools/acme-okta",
    "organizations/123/locations/global/workforcePools/acme-okta",
)
SELECTORS = (
    "subject/ada@acme.com",
    "subject/repo:acme/app:ref:refs/heads/main",
    "subject/",
    "subject/*",
    "group/payments-devs",
    "group/*",
    "attribute.repository/acme/payments-app",
    "attribute.project_path/acme/payments",
    "attribute.repository_owner_id/42",
    "attribute.ref/refs/heads/main",
    "attribute.department/payments",
    "attribute.Department/payments",
    "attribute.kubernetes_namespace/default",
    "attribute." + "a" * 51 + "/x",
    "attribute.repository/acme/*",
    "attribute.repository/acme//app",
    "attribute.repository/acme app",
    "attribute.repository/" + "/".join("s" for _ in range(9)),
    "attribute.repository/" + "v" * 128,
    "*",
    "",
    "type/ServiceAccount",
)
OTHER = (
    "allUsers",
    "allAuthenticatedUsers",
    "allusers",
    "AllAuthenticatedUsers",
    "principalSet://cloudresourcemanager.googleapis.com/organizations/123/type/ServiceAccount",
    "principalSet://cloudresourcemanager.googleapis.com/projects/claude-payments-dev/type/ServiceAccount",
    "principal://goog/subject/ada@example.com",
    "projectEditor:claude-payments-dev",
    "ada@example.com",
    "",
)


def _cases(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((word, word.lower(), word.upper(), word[:1].upper() + word[1:])))


def _dressed(member: str) -> Iterator[str]:
    """The member, and the ways a copy-paste or an attacker changes it around the edges."""
    yield member
    yield from (f" {member}", f"{member} ", f"{member}\n", f"deleted:{member}", f"deleted:{member}?uid=42")


def corpus() -> list[str]:
    members: list[str] = []
    for prefix, local, domain in itertools.product(("user", "group"), LOCAL_PARTS, DOMAINS):
        members += [f"{p}:{local}@{domain}" for p in _cases(prefix)]
    for prefix, domain in itertools.product(("domain",), DOMAINS):
        members += [f"{p}:{domain}" for p in _cases(prefix)]
    for account in ACCOUNTS:
        members += [f"{p}:{account}" for p in _cases("serviceAccount")]
    hosts = ("iam.googleapis.com", "iam.googleapis.com/", "IAM.googleapis.com")
    for scheme, host, pool, selector in itertools.product(("principal", "principalSet"), hosts, POOLS, SELECTORS):
        members += [f"{s}://{host}/{pool}/{selector}" for s in _cases(scheme)]
    members += list(OTHER)
    return [dressed for member in dict.fromkeys(members) for dressed in _dressed(member)]


CORPUS = corpus()


def config_accepts(member: str) -> bool:
    try:
        config_members.parse_member("access.members[0]", member)
    except Refusal:
        return False
    return True


def pack_accepts(member: str) -> bool:
    props = {"project": "claude-payments-dev", "role": ROLE, "member": member}
    return not any(RULES_BY_NAME[rule].evaluate(GRANT, props) for rule in MEMBER_RULES)


def test_the_corpus_is_large_and_has_both_verdicts() -> None:
    accepted = [m for m in CORPUS if pack_accepts(m)]
    assert len(CORPUS) > 5000
    assert 50 < len(accepted) < len(CORPUS) / 4


def test_config_and_pack_accept_exactly_the_same_members() -> None:
    config_only = [m for m in CORPUS if config_accepts(m) and not pack_accepts(m)]
    pack_only = [m for m in CORPUS if pack_accepts(m) and not config_accepts(m)]
    assert config_only == [], f"the config reader accepts what the pack refuses: {config_only[:10]}"
    assert pack_only == [], f"the pack accepts what the config reader refuses: {pack_only[:10]}"


@pytest.mark.parametrize(
    "member",
    [
        "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com",
        "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com",
        "serviceAccount:service-org-123456789012@gcp-sa-logging.iam.gserviceaccount.com",
        "serviceAccount:p123456789012-123456@gcp-sa-logging.iam.gserviceaccount.com",
        "serviceAccount:123456789012@cloudservices.gserviceaccount.com",
        "serviceAccount:claude-agent@gcp-sa-aiplatform.iam.gserviceaccount.com",
    ],
)
def test_every_google_managed_account_is_refused_by_both(member: str) -> None:
    assert not config_accepts(member) and not pack_accepts(member)
