"""CI platforms (components/ci_platforms): the limits GCP enforces only at apply, and the platforms the pack trusts.

What a user notices: a provider GCP would refuse at `pulumi up` (description, condition, subject too long)
is refused by the preview with one line instead; a long GitLab path or branch name never breaks federation
at CI time. The issuers and pinning claims are declared once (`claude_vertex_gcp.ci_oidc`) for the program and the
pack; that the pack passes what the program makes is tested on the rendered program (tests/policies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from claude_vertex.ci_platforms import BY_ID, PLATFORMS, ProviderLimitError, provider_args
from claude_vertex.ci_platforms.base import (
    CONDITION_MAX_CHARS,
    DESCRIPTION_MAX_CHARS,
    DISPLAY_NAME_MAX_CHARS,
    SUBJECT_MAX_BYTES,
)
from claude_vertex.config import find_config_error
from claude_vertex_gcp import ci_oidc

from tests.conftest import Rendered, config_with

PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
LONGEST_TEAM = "t" * 20  # the config allows 2-20 characters


def test_the_program_serves_every_platform_whose_tokens_the_pack_trusts() -> None:
    """The pack trusts the issuers `claude_vertex_gcp.ci_oidc` declares: each has its platform module here."""
    assert [p.tokens for p in PLATFORMS] == list(ci_oidc.PLATFORMS)


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.id)
def test_subject_is_bounded_and_built_from_numeric_ids(platform: Any) -> None:
    assert platform.subject_max_bytes() <= SUBJECT_MAX_BYTES
    mapping = platform.attribute_mapping()["google.subject"]
    assert mapping == f"'{platform.id}:' + " + " + ':' + ".join(f"assertion.{c}" for c in platform.subject_claims)
    assert all(c.endswith("_id") for c in platform.subject_claims)


def test_the_subject_of_a_real_long_gitlab_job_fits_where_sub_does_not() -> None:
    """GitLab's `sub` for a deep path and a long branch, against the mapped subject for the same job."""
    path = "acme-corporation/platform-engineering/developer-experience/claude-code-review-bot"
    branch = "feature/JIRA-12345-make-the-review-bot-understand-monorepo-layouts"
    sub = f"project_path:{path}:ref_type:branch:ref:{branch}"
    assert len(sub.encode()) > SUBJECT_MAX_BYTES
    claims = {"project_id": "61234567", "job_id": "9876543210"}
    gitlab = BY_ID["gitlab"]
    subject = f"{gitlab.id}:" + ":".join(claims[c] for c in gitlab.subject_claims)
    assert subject == "gitlab:61234567:9876543210"


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.id)
def test_description_and_display_name_fit_whatever_the_list(platform: Any) -> None:
    assert len(platform.display_name) <= DISPLAY_NAME_MAX_CHARS
    for count in (1, 8, 10**6):
        description = platform.description(LONGEST_TEAM, ["x"] * count)
        assert len(description) <= DESCRIPTION_MAX_CHARS
    assert f"only the 8 {platform.nouns} listed in ci.{platform.id}." in platform.description("payments", ["x"] * 8)


def test_eight_long_repositories_fit_where_the_old_description_did_not(render_config: Callable[..., Rendered]) -> None:
    repos = [f"acme-corporation/service-number-{i:02d}-api" for i in range(8)]
    assert len("GitHub Actions OIDC, admitting only: " + ", ".join(repos)) > DESCRIPTION_MAX_CHARS
    rendered = render_config(config_with(ci={"github": {"repositories": repos}}))
    (provider,) = rendered.of_type(PROVIDER)
    assert len(provider["inputs"]["description"]) <= DESCRIPTION_MAX_CHARS
    assert provider["inputs"]["attributeCondition"].count("'acme-corporation/") == 8


def test_a_condition_gcp_would_refuse_is_refused_with_one_line() -> None:
    github = BY_ID["github"]
    repos = [f"acme/{'r' * 90}-{i:03d}" for i in range(45)]
    assert len(github.condition(repos)) > CONDITION_MAX_CHARS
    with pytest.raises(ProviderLimitError) as caught:
        provider_args(github, "payments", repos)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("ci.github.repositories: 45 repositories make an attribute condition of ")
    assert f"at most {CONDITION_MAX_CHARS}" in message


def test_the_preview_refuses_it_as_a_config_error_naming_the_key(render_config: Callable[..., Rendered]) -> None:
    repos = [f"acme/{'r' * 90}-{i:03d}" for i in range(45)]
    with pytest.raises(Exception) as caught:
        render_config(config_with(ci={"github": {"repositories": repos}}))
    error = find_config_error(caught.value)
    assert error is not None and error.key == "ci.github.repositories"
    assert str(error).startswith("invalid config claude-vertex:ci.github.repositories: ")
    assert "45 repositories make an attribute condition of " in str(error) and "\n" not in str(error)


def test_the_longest_condition_that_fits_is_accepted() -> None:
    github = BY_ID["github"]
    repos: list[str] = []
    while len(github.condition([*repos, f"acme/repo-{len(repos):04d}"])) <= CONDITION_MAX_CHARS:
        repos.append(f"acme/repo-{len(repos):04d}")
    assert provider_args(github, "payments", repos)["attribute_condition"] == github.condition(repos)
    assert github.limit_problem([*repos, "acme/one-more"]) is not None
