"""The one canonical member parser (claude_vertex_gcp.members), as the pack's rules use it: every form a rule may meet
gets a verdict, none is skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from claude_vertex_gcp.members import parse_member
from claude_vertex_policies.rules.principals import member_problems

WIF = "iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/claude-ci"
WORKFORCE = "iam.googleapis.com/locations/global/workforcePools/acme-okta"


@pytest.mark.parametrize(
    ("raw", "kind", "selector"),
    [
        ("user:ada@example.com", "user", None),
        ("group:devs@example.com", "group", None),
        ("serviceAccount:claude-agent@claude-platform-dev.iam.gserviceaccount.com", "serviceAccount", None),
        ("domain:example.com", "domain", None),
        ("allUsers", "allUsers", None),
        (f"principal://{WIF}/subject/repo:acme/app:ref:refs/heads/main", "principal", "subject"),
        (f"principalSet://{WIF}/attribute.repository/acme/app", "principalSet", "attribute"),
        (f"principalSet://{WIF}/*", "principalSet", "all"),
        (f"principal://{WORKFORCE}/subject/ada@example.com", "principal", "subject"),
        (f"principalSet://{WORKFORCE}/group/claude-users", "principalSet", "group"),
        (f"principalSet://{WORKFORCE}/attribute.department/platform", "principalSet", "attribute"),
    ],
)
def test_known_principals_parse_without_a_problem(raw, kind, selector):
    member = parse_member(raw)
    assert (member.kind, member.problem) == (kind, None)
    assert (member.federated.selector if member.federated else None) == selector


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("ServiceAccount:a@claude-platform-dev.iam.gserviceaccount.com", "serviceAccount"),
        ("USER:ada@example.com", "user"),
        ("allusers", "allUsers"),
        ("AllAuthenticatedUsers", "allAuthenticatedUsers"),
        ("principalset://" + WIF + "/*", "principalSet"),
        ("principalSet://cloudresourcemanager.googleapis.com/organizations/1/type/ServiceAccount", "principalSet"),
        ("principalSet://iam.googleapis.com//projects/1/locations/global/workloadIdentityPools/p/*", "principalSet"),
        (f"principalSet://{WIF}/attribute.repository/acme//app", "principalSet"),
        (f"principalSet://{WIF}/attribute.Repository/acme/app", "principalSet"),
        (
            "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p.svc.id.goog/*",
            "principalSet",
        ),
        ("serviceAccount:1@cloudbuild.gserviceaccount.com", "serviceAccount"),
        ("serviceAccount:p.svc.id.goog[ns/ksa]", "serviceAccount"),
        (" user:ada@example.com", "user"),
        ("user:", "user"),
        ("", "other"),
        ("projectEditor:p", "other"),
    ],
)
def test_unrecognised_forms_keep_their_kind_and_carry_a_problem(raw, kind):
    member = parse_member(raw)
    assert member.kind == kind and member.problem, member


def test_public_and_default_rules_still_see_misspelt_members():
    assert any("anyone on the internet" in p for p in member_problems("allusers"))
    problems = list(member_problems("ServiceAccount:1-compute@developer.gserviceaccount.com"))
    assert any("IAM spells it" in p for p in problems) and any("Compute Engine default" in p for p in problems)


def test_canonical_form_compares_spellings_of_one_principal_equal():
    assert parse_member("user:Ada@Example.com").canonical == parse_member("user:ada@example.com").canonical
    assert parse_member("group:a@x.com").canonical != parse_member("user:a@x.com").canonical


def test_the_pack_does_not_import_its_readme_generator():
    """The pack's start-up is on every preview's critical path: docs.py (and what it reads) stays out of it."""
    policies = Path(__file__).resolve().parents[2] / "policies"
    code = "import sys, claude_vertex_policies.pack; print('claude_vertex_policies.docs' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=policies, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
