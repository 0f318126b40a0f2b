"""Every validation rule of the stack config: good values pass, bad ones fail with one clear line."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.config import (
    COMPUTE_TOKENS,
    PREDICT,
    ConfigError,
    StackConfig,
    default_role_id,
    parse_config,
)

BASE: dict[str, Any] = {
    "team": "payments",
    "project": {"id": "claude-payments-dev", "billingAccount": "012345-6789AB-CDEF01", "folderId": "123456789012"},
    "vertex": {"region": "global"},
    "access": {
        "members": ["group:payments-devs@example.com"],
        "serviceAccounts": [{"id": "claude-ci", "impersonators": ["group:payments-devs@example.com"]}],
    },
}


def with_value(path: str, value: Any) -> dict[str, Any]:
    """BASE with one dotted path set (`project.id`), creating objects on the way."""
    raw = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return raw


def without(path: str) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node[part]
    del node[last]
    return raw


def error_for(raw: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    message = str(caught.value)
    assert "\n" not in message, "config errors are one line"
    return caught.value


def test_base_config_parses_with_documented_defaults() -> None:
    config = parse_config(BASE)
    assert isinstance(config, StackConfig)
    assert config.team == "payments"
    assert config.project.create is True
    assert config.project.deletion_protection is True
    assert config.project.name == "Claude Code payments"
    assert config.vertex.region == "global"
    assert config.vertex.disable_prompt_caching is False
    assert config.access.permissions == (PREDICT, COMPUTE_TOKENS)
    assert config.access.verify_permissions is True
    assert config.access.role_id == "claudeVertexPayments"
    assert config.access.service_accounts[0].display_name == "claude-ci"
    assert config.ci is None


@pytest.mark.parametrize("team", ["ab", "payments", "data-eng-2", "a" * 20])
def test_good_team_names(team: str) -> None:
    assert parse_config(with_value("team", team)).team == team


@pytest.mark.parametrize("team", ["a", "Payments", "2fast", "pay_ments", "payments-", "a" * 21, "", 42])
def test_bad_team_names_name_the_key_value_and_rule(team: Any) -> None:
    err = error_for(with_value("team", team))
    assert err.key == "team"
    assert "claude-vertex:team" in str(err)
    assert "2-20 lowercase letters" in str(err)


def test_team_is_required() -> None:
    err = error_for(without("team"))
    assert str(err).startswith("invalid config claude-vertex:team: (missing)")


def test_role_id_is_camel_case_of_team() -> None:
    assert default_role_id("data-eng-2") == "claudeVertexDataEng2"


@pytest.mark.parametrize("project_id", ["abcdef", "claude-payments-dev", "a" + "b" * 29, "team-42-x"])
def test_good_project_ids(project_id: str) -> None:
    assert parse_config(with_value("project.id", project_id)).project.id == project_id


@pytest.mark.parametrize(
    "project_id", ["abcde", "a" * 31, "Claude-dev", "1claude-dev", "claude-dev-", "claude_dev", "claude dev"]
)
def test_bad_project_ids(project_id: str) -> None:
    err = error_for(with_value("project.id", project_id))
    assert err.key == "project.id"
    assert "6-30 lowercase letters" in str(err)


def test_project_section_is_required() -> None:
    assert error_for(without("project")).key == "project"


def test_billing_account_is_required_when_creating() -> None:
    err = error_for(without("project.billingAccount"))
    assert err.key == "project.billingAccount"
    assert "required when project.create is true" in str(err)


@pytest.mark.parametrize("billing", ["01234-56789AB-CDEF01", "012345-6789ab-cdef01", "012345_6789AB_CDEF01", "x"])
def test_bad_billing_accounts(billing: str) -> None:
    err = error_for(with_value("project.billingAccount", billing))
    assert "XXXXXX-XXXXXX-XXXXXX" in str(err)


def test_folder_and_org_are_numeric_and_exclusive() -> None:
    assert error_for(with_value("project.folderId", "folders/123")).key == "project.folderId"
    raw = with_value("project.orgId", "123456789012")
    assert "at most one of project.folderId and project.orgId" in str(error_for(raw))
    only_org = without("project.folderId")
    only_org["project"]["orgId"] = 123456789012  # unquoted in YAML: still an ID
    assert parse_config(only_org).project.org_id == "123456789012"


def test_adopting_needs_only_the_id_and_refuses_creation_settings() -> None:
    adopted = parse_config(with_value("project", {"id": "shared-ml-prod", "create": False}))
    assert adopted.project.create is False
    assert adopted.project.billing_account is None
    err = error_for(with_value("project", {"id": "shared-ml-prod", "create": False, "billingAccount": "x"}))
    assert err.key == "project.billingAccount"
    assert "only applies when project.create is true" in str(err)


@pytest.mark.parametrize("name", ["Claude Code (payments)", "abc", "x" * 31, "Claude_Code"])
def test_project_display_name_follows_gcp_rules(name: str) -> None:
    assert error_for(with_value("project.name", name)).key == "project.name"


@pytest.mark.parametrize(
    ("labels", "bad_key"),
    [
        ({"Cost": "x"}, "project.labels.Cost"),
        ({"cost-center": "CC-1234"}, "project.labels.cost-center"),
        ({"team": "other"}, "project.labels.team"),
        ({"managed-by": "me"}, "project.labels.managed-by"),
        ({"a" * 64: "x"}, "project.labels." + "a" * 64),
        ({"k": "v" * 64}, "project.labels.k"),
    ],
)
def test_bad_labels(labels: dict[str, str], bad_key: str) -> None:
    assert error_for(with_value("project.labels", labels)).key == bad_key


def test_too_many_labels() -> None:
    labels = {f"l{i}": "x" for i in range(63)}
    assert "at most 62 labels" in str(error_for(with_value("project.labels", labels)))


def test_good_labels_and_deletion_protection() -> None:
    raw = with_value("project.labels", {"cost-center": "cc-1234", "env": "", "owner_team": "x-1"})
    raw["project"]["deletionProtection"] = False
    config = parse_config(raw)
    assert config.project.labels == {"cost-center": "cc-1234", "env": "", "owner_team": "x-1"}
    assert config.project.deletion_protection is False


def test_deletion_protection_must_be_boolean() -> None:
    err = error_for(with_value("project.deletionProtection", "yes"))
    assert str(err) == 'invalid config claude-vertex:project.deletionProtection: "yes" — must be true or false'


@pytest.mark.parametrize("region", ["global", "us", "eu", "us-east5", "europe-west1", "northamerica-northeast1"])
def test_good_regions(region: str) -> None:
    assert parse_config(with_value("vertex.region", region)).vertex.region == region


@pytest.mark.parametrize("region", ["US", "us-east", "useast5", "mars", "us-east5-a", ""])
def test_bad_regions(region: str) -> None:
    err = error_for(with_value("vertex.region", region))
    assert "global, us, eu or a GCP region" in str(err)


def test_region_overrides_keys_and_values() -> None:
    config = parse_config(with_value("vertex.regionOverrides", {"CLAUDE_HAIKU_4_5": "us-east5"}))
    assert config.vertex.region_overrides == {"CLAUDE_HAIKU_4_5": "us-east5"}
    bad_key = error_for(with_value("vertex.regionOverrides", {"claude_haiku": "us-east5"}))
    assert "upper-case model keys" in str(bad_key)
    bad_region = error_for(with_value("vertex.regionOverrides", {"CLAUDE_HAIKU_4_5": "moon-1"}))
    assert bad_region.key == "vertex.regionOverrides.CLAUDE_HAIKU_4_5"


@pytest.mark.parametrize(
    "model", ["claude-sonnet-4-5@20250929", "claude-haiku-4-5@20251001", "claude-opus-4-1", "claude-3-5-haiku@20241022"]
)
def test_good_model_ids(model: str) -> None:
    assert parse_config(with_value("vertex.primaryModel", model)).vertex.primary_model == model


@pytest.mark.parametrize("model", ["sonnet", "claude-sonnet-4-5@2025", "Claude-Sonnet", "gpt-4", "claude-sonnet-4-5 "])
def test_bad_model_ids(model: str) -> None:
    assert error_for(with_value("vertex.smallFastModel", model)).key == "vertex.smallFastModel"


def test_permissions_are_restricted_and_predict_required() -> None:
    only_predict = parse_config(with_value("access.permissions", [PREDICT]))
    assert only_predict.access.permissions == (PREDICT,)
    wider = error_for(with_value("access.permissions", [PREDICT, "aiplatform.endpoints.delete"]))
    assert wider.key == "access.permissions[1]"
    assert "allowed permissions: aiplatform.endpoints.predict, aiplatform.endpoints.computeTokens" in str(wider)
    no_predict = error_for(with_value("access.permissions", [COMPUTE_TOKENS]))
    assert "must include aiplatform.endpoints.predict" in str(no_predict)
    duplicate = error_for(with_value("access.permissions", [PREDICT, PREDICT]))
    assert "duplicate" in str(duplicate)


@pytest.mark.parametrize(
    "member",
    [
        "user:ada@example.com",
        "group:payments-devs@example.com",
        "serviceAccount:ci@proj-123.iam.gserviceaccount.com",
        "domain:example.com",
        "principal://iam.googleapis.com/locations/global/workforcePools/acme/subject/ada",
        "principalSet://iam.googleapis.com/locations/global/workforcePools/acme/group/devs",
    ],
)
def test_good_members(member: str) -> None:
    assert parse_config(with_value("access.members", [member])).access.members == (member,)


@pytest.mark.parametrize(
    "member",
    ["ada@example.com", "user:ada", "group:", "users:ada@example.com", "domain:localhost", "principal://evil.com/x", 7],
)
def test_bad_members_list_the_allowed_forms(member: Any) -> None:
    err = error_for(with_value("access.members", [member]))
    assert err.key == "access.members[0]"
    assert "user:EMAIL, group:EMAIL" in str(err)


@pytest.mark.parametrize("public", ["allUsers", "allAuthenticatedUsers"])
def test_public_principals_are_refused_everywhere(public: str) -> None:
    assert "public principals are never granted" in str(error_for(with_value("access.members", [public])))
    raw = with_value("access.serviceAccounts", [{"id": "claude-ci", "impersonators": [public]}])
    assert error_for(raw).key == "access.serviceAccounts[0].impersonators[0]"


@pytest.mark.parametrize("sa_id", ["abcde", "a" * 31, "Claude-ci", "claude_ci", "claude-ci-", "1claude"])
def test_bad_service_account_ids(sa_id: str) -> None:
    err = error_for(with_value("access.serviceAccounts", [{"id": sa_id}]))
    assert err.key == "access.serviceAccounts[0].id"
    assert "6-30 characters" in str(err)


def test_service_account_ids_are_unique() -> None:
    err = error_for(with_value("access.serviceAccounts", [{"id": "claude-ci"}, {"id": "claude-ci"}]))
    assert err.key == "access.serviceAccounts.id[1]"
    assert "duplicate" in str(err)


def test_duplicate_members_are_refused() -> None:
    err = error_for(with_value("access.members", ["user:a@example.com", "user:a@example.com"]))
    assert err.key == "access.members[1]"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("project.billingAcount", "012345-6789AB-CDEF01"),
        ("vertex.regoin", "us-east5"),
        ("access.member", ["user:a@example.com"]),
        ("access.serviceAccounts", [{"id": "claude-ci", "impersonator": ["user:a@example.com"]}]),
    ],
)
def test_typos_are_unknown_keys_with_the_allowed_list(path: str, value: Any) -> None:
    err = error_for(with_value(path, value))
    assert "unknown key; allowed keys:" in str(err)


def test_unknown_top_level_key() -> None:
    raw = dict(BASE, regoin="us")
    err = error_for(raw)
    assert str(err).startswith("invalid config claude-vertex:regoin:")
    assert "allowed keys: team, project, vertex, access, ci" in str(err)


def test_sections_must_be_objects() -> None:
    assert "must be an object" in str(error_for(with_value("vertex", "global")))


def test_ci_section() -> None:
    raw = with_value("ci", {"github": {"repositories": ["acme/payments-app"]}, "gitlab": {"projects": ["acme/pay"]}})
    ci = parse_config(raw).ci
    assert ci is not None
    assert ci.github is not None and ci.github.repositories == ("acme/payments-app",)
    assert ci.gitlab is not None and ci.gitlab.issuer_uri == "https://gitlab.com"
    assert ci.pool_id == "claude-payments"
    assert ci.service_account_id == "claude-ci-payments"


@pytest.mark.parametrize(
    ("ci", "key"),
    [
        ({}, "ci"),
        ({"github": {"repositories": []}}, "ci.github.repositories"),
        ({"github": {"repositories": ["acme/*"]}}, "ci.github.repositories[0]"),
        ({"github": {"repositories": ["acme"]}}, "ci.github.repositories[0]"),
        ({"gitlab": {"projects": ["payments"]}}, "ci.gitlab.projects[0]"),
        ({"gitlab": {"projects": ["acme/pay"], "issuerUri": "http://gitlab.acme.internal"}}, "ci.gitlab.issuerUri"),
        ({"github": {"repositories": ["acme/app"]}, "serviceAccountId": "claude-ci"}, "ci.serviceAccountId"),
    ],
)
def test_bad_ci_sections(ci: dict[str, Any], key: str) -> None:
    assert error_for(with_value("ci", ci)).key == key
