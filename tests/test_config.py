"""Every validation rule of the stack config: good values pass, bad ones fail with one clear line."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from claude_vertex.catalog import ALIASES, catalog
from claude_vertex.config import ConfigError, default_role_id, parse_config

from tests.conftest import SUITE_DATE

PREDICT = "aiplatform.endpoints.predict"
COMPUTE_TOKENS = "aiplatform.endpoints.computeTokens"

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


def test_folder_is_numeric_and_required_when_creating() -> None:
    assert error_for(with_value("project.folderId", "folders/123")).key == "project.folderId"
    assert error_for(with_value("project.folderId", "0777")).key == "project.folderId"
    unquoted = with_value("project.folderId", 123456789012)  # unquoted in YAML: still an ID
    assert parse_config(unquoted).project.folder_id == "123456789012"
    # A service account (the pipeline's deployer) cannot create a project without a parent folder.
    err = error_for(without("project.folderId"))
    assert err.key == "project.folderId"
    assert "required when project.create is true" in str(err)
    # Organization-level creation is gone: the deployer is only ever granted a folder.
    assert "unknown key" in str(error_for(with_value("project.orgId", "123456789012")))


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
    labels = {f"l{i}": "x" for i in range(62)}
    assert "at most 61 labels" in str(error_for(with_value("project.labels", labels)))


def test_good_labels_and_deletion_protection() -> None:
    raw = with_value("project.labels", {"cost-center": "cc-1234", "env": "", "owner_team": "x-1"})
    raw["project"]["deletionProtection"] = False
    config = parse_config(raw)
    assert config.project.labels == {"cost-center": "cc-1234", "env": "", "owner_team": "x-1"}
    assert config.project.deletion_protection is False


def test_deletion_protection_must_be_boolean() -> None:
    err = error_for(with_value("project.deletionProtection", "yes"))
    assert str(err) == 'invalid config claude-vertex:project.deletionProtection: "yes" — must be true or false'


@pytest.mark.parametrize("region", ["global", "us", "eu", "us-east5", "europe-west1"])
def test_good_regions(region: str) -> None:
    assert parse_config(with_value("vertex.region", region)).vertex.region == region


@pytest.mark.parametrize("region", ["US", "us-east", "useast5", "mars", "us-east5-a", "", "us-central1"])
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
    "model", ["claude-sonnet-5-5", "claude-haiku-4-5@20251001", "claude-opus-4-6[1m]", "claude-fable-5-2"]
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
        "serviceAccount:claude-ci@proj-123.iam.gserviceaccount.com",
        "domain:example.com",
        "principal://iam.googleapis.com/locations/global/workforcePools/acme/subject/ada",
        "principalSet://iam.googleapis.com/locations/global/workforcePools/acme/group/devs",
    ],
)
def test_good_members(member: str) -> None:
    raw = with_value("access.members", [member])
    raw["access"]["workforceProvider"] = "okta-oidc"
    assert parse_config(raw).access.members == (member,)


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
    ("path", "value", "meant"),
    [
        ("project.billingAcount", "012345-6789AB-CDEF01", "billingAccount"),
        ("vertex.regoin", "us-east5", "region"),
        ("access.member", ["user:a@example.com"], "members"),
        ("access.serviceAccounts", [{"id": "claude-ci", "impersonator": ["user:a@example.com"]}], "impersonators"),
    ],
)
def test_typos_are_unknown_keys_with_the_allowed_list(path: str, value: Any, meant: str) -> None:
    err = error_for(with_value(path, value))
    assert f"unknown key (did you mean {meant}?); allowed keys:" in str(err)


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
        ({"github": {"repositories": ["acme-/app"]}}, "ci.github.repositories[0]"),  # no GitHub owner ends so
        ({"github": {"repositories": ["a" * 40 + "/app"]}}, "ci.github.repositories[0]"),  # owners have 39 at most
        ({"gitlab": {"projects": ["acme/-app"]}}, "ci.gitlab.projects[0]"),
        ({"gitlab": {"projects": ["payments"]}}, "ci.gitlab.projects[0]"),
        ({"gitlab": {"projects": ["acme/pay"], "issuerUri": "http://gitlab.acme.internal"}}, "ci.gitlab.issuerUri"),
        ({"github": {"repositories": ["acme/app"]}, "serviceAccountId": "claude-ci"}, "ci.serviceAccountId"),
    ],
)
def test_bad_ci_sections(ci: dict[str, Any], key: str) -> None:
    assert error_for(with_value("ci", ci)).key == key


# ---- models: the catalog decides (issue 7) ---------------------------------------------------------------------------

TODAY = SUITE_DATE


def pins(raw: dict[str, Any], today: dt.date = TODAY) -> dict[str, str]:
    plan = parse_config(raw, today=today).plan.models
    return {alias: pin.rendered for alias, pin in plan.aliases.items()} | {"primary": plan.primary.rendered}


def test_defaults_pin_every_alias_and_say_so() -> None:
    config = parse_config(BASE, today=TODAY)
    assert set(config.plan.models.aliases) == set(ALIASES)
    assert all(pin.from_default for pin in config.plan.models.aliases.values())
    assert pins(BASE)["primary"] == pins(BASE)["sonnet"]


def test_defaults_follow_the_region_when_the_recommended_model_is_not_served_there() -> None:
    # The recommended haiku is not served in the `us` multi-region; the first haiku that is gets pinned.
    chosen = pins(with_value("vertex.region", "us"))["haiku"]
    entry = catalog().get(chosen)
    assert entry is not None and entry.family == "haiku" and entry.serves("us")


def test_a_region_where_no_model_of_a_family_runs_pins_the_alias_to_the_primary_and_names_the_override() -> None:
    config = parse_config(with_value("vertex.region", "asia-southeast1"), today=TODAY)
    haiku, primary = config.plan.models.aliases["haiku"], config.plan.models.primary
    assert (haiku.model_id, haiku.region) == (primary.model_id, "asia-southeast1")
    (warning,) = [w for w in config.plan.warnings if w.startswith("vertex.models.haiku")]
    assert "no haiku model is served in asia-southeast1" in warning
    assert "vertex.regionOverrides.haiku" in warning
    assert f"--model haiku runs the primary model {primary.rendered}" in warning
    fixed = with_value("vertex.regionOverrides", {"haiku": "global"})
    fixed["vertex"]["region"] = "asia-southeast1"
    assert parse_config(fixed, today=TODAY).plan.models.region_variables == {"VERTEX_REGION_CLAUDE_HAIKU_4_5": "global"}


def test_an_explicit_pin_where_its_model_is_not_served_is_still_refused() -> None:
    config = with_value("vertex.models", {"haiku": "claude-haiku-4-5@20251001"})
    config["vertex"]["region"] = "asia-southeast1"
    err = error_for(config)
    assert err.key == "vertex.models.haiku"
    assert "is not served in asia-southeast1; it is served in" in str(err)


def test_a_primary_alias_the_team_cannot_call_is_refused() -> None:
    config = with_value("vertex.primaryModel", "fable")
    config["vertex"]["region"] = "europe-west1"
    err = error_for(config)
    assert err.key == "vertex.primaryModel"
    assert "no fable model is served in europe-west1" in str(err)


def test_a_retired_pin_is_refused_naming_its_successor() -> None:
    err = error_for(with_value("vertex.models", {"sonnet": "claude-sonnet-4@20250514"}))
    assert err.key == "vertex.models.sonnet"
    assert "retired on Vertex AI on 2026-09-14" in str(err)
    assert "pin claude-sonnet-5-5 instead" in str(err)


def test_a_pin_retiring_within_30_days_renders_with_a_warning_naming_the_date() -> None:
    config = parse_config(with_value("vertex.primaryModel", "claude-sonnet-4-5@20250929"), today=TODAY)
    assert config.plan.models.primary.model_id == "claude-sonnet-4-5@20250929"
    assert any("retires on Vertex AI on 2026-11-30 (in 5 days)" in w for w in config.plan.warnings)
    # From the day itself, it is refused.
    with pytest.raises(ConfigError, match="retired on Vertex AI on 2026-11-30"):
        parse_config(with_value("vertex.primaryModel", "claude-sonnet-4-5@20250929"), today=dt.date(2026, 11, 30))


def test_a_model_missing_from_the_catalog_is_refused_with_the_closest_one_and_the_opt_in() -> None:
    err = error_for(with_value("vertex.models", {"opus": "claude-opus-9"}))
    assert err.key == "vertex.models.opus"
    assert "did you mean claude-opus-5? claude-opus-9 is not in the model catalog" in str(err)
    assert "vertex.allowModelsOutsideCatalog: true" in str(err)


def test_with_the_opt_in_a_model_missing_from_the_catalog_renders_with_a_warning_and_is_capped() -> None:
    config = with_value("vertex.models", {"opus": "claude-opus-9"})
    config["vertex"]["allowModelsOutsideCatalog"] = True
    config["vertex"]["region"] = "us-east5"
    config.setdefault("guardrails", {})["quotas"] = {"opus": {"requestsPerMinute": 5}}
    parsed = parse_config(config, today=TODAY)
    assert parsed.plan.models.aliases["opus"].rendered == "claude-opus-9"
    assert any("claude-opus-9 is not in the model catalog" in w for w in parsed.plan.warnings)
    capped = {(c.region, c.base_model, c.value) for c in parsed.plan.quota_caps if c.family == "opus"}
    assert ("us-east5", "anthropic-claude-opus-9", 5) in capped


def test_with_the_opt_in_a_model_whose_id_names_no_family_is_refused() -> None:
    config = with_value("vertex.primaryModel", "claude-nova-1")
    config["vertex"]["allowModelsOutsideCatalog"] = True
    err = error_for(config)
    assert err.key == "vertex.primaryModel"
    assert "names no model family" in str(err)


def test_a_family_capped_at_zero_is_never_pinned_and_the_environment_says_so() -> None:
    config = with_value("vertex.models", {})
    config.setdefault("guardrails", {})["quotas"] = {"opus": {"requestsPerMinute": 0}}
    parsed = parse_config(config, today=TODAY)
    opus, primary = parsed.plan.models.aliases["opus"], parsed.plan.models.primary
    assert opus.model_id == primary.model_id and opus.family != "opus"
    assert parsed.plan.models.zero_caps == {"opus": "requestsPerMinute"}
    assert any(
        "guardrails.quotas.opus.requestsPerMinute is 0, so --model opus runs the primary model" in w
        for w in parsed.plan.warnings
    )


def test_an_explicit_pin_of_a_family_capped_at_zero_is_refused_naming_both_keys() -> None:
    config = with_value("vertex.models", {"opus": "claude-opus-5-5"})
    config.setdefault("guardrails", {})["quotas"] = {"opus": {"requestsPerMinute": 0}}
    err = error_for(config)
    assert err.key == "vertex.models.opus"
    assert "guardrails.quotas.opus.requestsPerMinute is 0: remove the pin" in str(err)


def test_a_primary_model_of_a_family_capped_at_zero_is_refused() -> None:
    config = with_value("vertex.primaryModel", "claude-opus-5-5")
    config["vertex"]["models"] = {}
    config.setdefault("guardrails", {})["quotas"] = {"opus": {"outputTokensPerMinute": 0}}
    err = error_for(config)
    assert err.key == "vertex.primaryModel"
    assert "guardrails.quotas.opus.outputTokensPerMinute is 0" in str(err)


@pytest.mark.parametrize(
    ("vertex", "key", "text"),
    [
        ({"models": {"haiku": "claude-haiku-4-5@20251001[1m]"}}, "vertex.models.haiku", "has no 1M-token context"),
        ({"models": {"sonnet": "Claude-Sonnet"}}, "vertex.models.sonnet", "a Vertex Claude model ID"),
        ({"models": {"gpt": "claude-sonnet-5-5"}}, "vertex.models.gpt", "allowed keys: opus, sonnet, haiku, fable"),
        ({"primaryModel": "fast"}, "vertex.primaryModel", "a Vertex Claude model ID"),
        ({"regionOverrides": {"CLAUDE_NOPE_9": "global"}}, "vertex.regionOverrides.CLAUDE_NOPE_9", "reads no"),
        ({"regionOverrides": {"sonnet": "us-central1"}}, "vertex.regionOverrides.sonnet", "serves Claude"),
        (
            {"models": {"haiku": "claude-haiku-5-5"}, "smallFastModel": "claude-haiku-4-5@20251001"},
            "vertex.smallFastModel",
            "must equal",
        ),
    ],
)
def test_bad_model_settings_exit_2_with_one_line(vertex: dict[str, Any], key: str, text: str) -> None:
    err = error_for(with_value("vertex", {"region": "global", **vertex}))
    assert err.key == key
    assert text in str(err)


def test_alias_overrides_write_the_variable_claude_code_reads_for_the_pinned_model() -> None:
    raw = with_value(
        "vertex",
        {"region": "global", "models": {"sonnet": "claude-sonnet-4-6"}, "regionOverrides": {"sonnet": "us-east5"}},
    )
    plan = parse_config(raw, today=TODAY).plan.models
    assert plan.region_variables == {"VERTEX_REGION_CLAUDE_4_6_SONNET": "us-east5"}


def test_one_model_cannot_run_in_two_regions_because_claude_code_routes_by_model() -> None:
    vertex = {
        "region": "global",
        "models": {"opus": "claude-sonnet-5-5", "sonnet": "claude-sonnet-5-5"},
        "regionOverrides": {"opus": "us-east5", "sonnet": "europe-west1"},
    }
    err = error_for(with_value("vertex", vertex))
    assert err.key == "vertex.regionOverrides"
    assert "claude-sonnet-5-5 would run in both" in str(err)


def test_primary_model_by_alias_follows_the_alias_and_can_ask_for_1m() -> None:
    raw = with_value("vertex", {"region": "global", "models": {"opus": "claude-opus-4-6"}, "primaryModel": "opus[1m]"})
    primary = parse_config(raw, today=TODAY).plan.models.primary
    assert (primary.rendered, primary.region) == ("claude-opus-4-6[1m]", "global")
    no_1m = with_value("vertex", {"region": "global", "primaryModel": "haiku[1m]"})
    assert error_for(no_1m).key == "vertex.primaryModel"


def test_small_fast_model_is_the_older_spelling_of_the_haiku_pin() -> None:
    assert pins(with_value("vertex.smallFastModel", "claude-haiku-5-5"))["haiku"] == "claude-haiku-5-5"


def test_restricting_models_needs_a_project_the_stack_creates() -> None:
    raw = with_value("project", {"id": "shared-ml-prod", "create": False})
    raw["vertex"]["restrictModels"] = True
    err = error_for(raw)
    assert err.key == "vertex.restrictModels"


# ---- hostile and apply-time values (issue 8, issue 9) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "text"),
    [
        (
            "principalSet://cloudresourcemanager.googleapis.com/organizations/123/type/ServiceAccount",
            "outside a single IAM pool",
        ),
        ("principalSet://iam.googleapis.com/locations/global/workforcePools/acme/*", "a whole identity pool"),
        (
            "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci-pool/*",
            "a whole identity pool",
        ),
        (
            "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/proj.svc.id.goog/attribute.kubernetes_namespace/ns",
            "GKE cluster",
        ),
        ("serviceAccount:123456789012@cloudbuild.gserviceaccount.com", "Google-managed"),
        ("serviceAccount:123456789012-compute@developer.gserviceaccount.com", "default"),
        ("ServiceAccount:ci@p.iam.gserviceaccount.com", "IAM spells it `serviceAccount:`"),
        ("USER:ada@example.com", "IAM spells it `user:`"),
        ("principal://iam.googleapis.com//locations/global/workforcePools/acme/subject/ada", "doubled slash"),
        ("allusers", "public principals"),
    ],
)
def test_members_that_do_not_parse_into_one_specific_principal_are_refused(member: str, text: str) -> None:
    err = error_for(with_value("access.members", [member]))
    assert err.key == "access.members[0]"
    assert text in str(err)


@pytest.mark.parametrize(
    "member",
    [
        "principal://iam.googleapis.com/locations/global/workforcePools/acme-okta/subject/ada@acme.com",
        "principalSet://iam.googleapis.com/locations/global/workforcePools/acme-okta/group/payments-devs",
        "principalSet://iam.googleapis.com/locations/global/workforcePools/acme-okta/attribute.department/payments",
    ],
)
def test_workforce_principals_are_accepted_with_their_provider(member: str) -> None:
    raw = with_value("access.members", [member])
    err = error_for(raw)
    assert err.key == "access.workforceProvider"
    raw["access"]["workforceProvider"] = "okta-oidc"
    config = parse_config(raw)
    assert config.access.members == (member,)
    assert config.access.workforce_pools() == ("acme-okta",)


def test_members_equal_up_to_case_are_duplicates() -> None:
    err = error_for(with_value("access.members", ["user:Ada@example.com", "user:ada@example.com"]))
    assert err.key == "access.members[1]"


def test_a_member_that_is_one_of_the_stacks_own_accounts_is_refused() -> None:
    err = error_for(
        with_value("access.members", ["serviceAccount:claude-ci@claude-payments-dev.iam.gserviceaccount.com"])
    )
    assert err.key == "access.members[0]"
    assert "own service accounts" in str(err)


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        ("project.id", "my-google-proj", "project.id"),
        (
            "access.serviceAccounts",
            [{"id": "claude-ci", "displayName": "é" * 51}],
            "access.serviceAccounts[0].displayName",
        ),
        (
            "access.serviceAccounts",
            [{"id": "claude-ci", "description": "ü" * 129}],
            "access.serviceAccounts[0].description",
        ),
        ("ci", {"github": {"repositories": ["acme/app"]}, "poolId": "gcp-team"}, "ci.poolId"),
        ("ci", {"github": {"repositories": ["acme/.."]}}, "ci.github.repositories[0]"),
        ("ci", {"github": {"repositories": ["acme/App", "acme/app"]}}, "ci.github.repositories[1]"),
        (
            "ci",
            {"github": {"repositories": [f"acme/repository-number-{i:04d}" for i in range(200)]}},
            "ci.github.repositories",
        ),
    ],
)
def test_limits_gcp_enforces_only_at_apply_are_refused_at_preview(path: str, value: Any, key: str) -> None:
    assert error_for(with_value(path, value)).key == key


def test_the_projects_policy_principal_limit_counts_members_and_accounts() -> None:
    members = [f"group:team-{i}@example.com" for i in range(1000)]
    accounts = [{"id": f"claude-agent-{i:04d}", "impersonators": members[:3]} for i in range(499)]
    raw = with_value("access", {"members": members, "serviceAccounts": accounts})
    assert len(parse_config(raw).access.service_accounts) == 499
    raw["access"]["serviceAccounts"].append({"id": "claude-agent-one-more"})
    err = error_for(raw)
    assert err.key == "access.members"
    assert "at most 1500 principals" in str(err)


@pytest.mark.parametrize("value", ["yes", "true", 1, "on"])
def test_booleans_are_only_true_or_false(value: Any) -> None:
    assert "must be true or false" in str(error_for(with_value("vertex.enableModels", value)))


def test_sections_left_out_get_the_same_defaults_as_empty_ones() -> None:
    """An absent section is validated like `{}`: its defaults that derive from the team are the team's."""
    raw = without("access")
    config = parse_config(raw)
    assert config.access.role_id == "claudeVertexPayments"
    assert parse_config(without("vertex")).plan.models.aliases == parse_config(BASE).plan.models.aliases
