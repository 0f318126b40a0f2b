"""Each scenario a developer meets, against a real local server answering as Vertex and Resource Manager do."""

from __future__ import annotations

from doctor_support import DEVELOPER, PROJECT, stack_env
from fake_google import PREDICT


def test_all_good_every_pinned_model_answers(doctor, fake):
    run = doctor(stack_env())
    assert run.code == 0, run.out
    assert run.doc["ok"] is True
    statuses = run.statuses()
    assert statuses["permission"] == "ok"
    assert {k for k in statuses if k.startswith("model:")} == {
        "model:claude-opus-5-5",
        "model:claude-sonnet-5-5",
        "model:claude-haiku-4-5@20251001",
        "model:claude-fable-5-2",
    }
    assert all(s == "ok" for s in statuses.values()), statuses
    assert "ANTHROPIC_MODEL" in run.check("model:claude-opus-5-5")["message"]


def test_no_grant_says_who_to_ask(doctor, fake):
    fake.scenario.grants[(DEVELOPER, PROJECT)] = set()
    run = doctor(stack_env())
    assert run.code == 1
    assert run.check("permission")["status"] == "fail"
    assert "access.members" in run.check("permission")["fix"]
    opus = run.check("model:claude-opus-5-5")
    assert opus["status"] == "fail"
    assert "403" in opus["message"] and PREDICT in opus["message"]


def test_model_not_enabled_in_model_garden(doctor, fake):
    fake.scenario.enabled.discard("claude-sonnet-5-5")
    run = doctor(stack_env())
    assert run.code == 1
    sonnet = run.check("model:claude-sonnet-5-5")
    assert sonnet["status"] == "fail"
    assert "not enabled" in sonnet["message"] and "Model Garden" in sonnet["fix"]
    assert run.check("model:claude-opus-5-5")["status"] == "ok"


def test_model_not_served_in_its_region_names_the_regions_that_serve_it(doctor, fake):
    env = stack_env(ANTHROPIC_MODEL="claude-opus-4-7", VERTEX_REGION_CLAUDE_4_7_OPUS="europe-west4")
    run = doctor(env)
    assert run.code == 1
    check = run.check("model:claude-opus-4-7")
    assert check["status"] == "fail"
    assert "europe-west4 (VERTEX_REGION_CLAUDE_4_7_OPUS)" in check["message"]
    assert "served in: global, us-east5, europe-west1, asia-southeast1" in check["message"]
    assert check["fix"].startswith("set VERTEX_REGION_CLAUDE_4_7_OPUS=global")


def test_quota_exhausted_names_the_per_model_quota(doctor, fake):
    fake.scenario.quota[("claude-haiku-4-5@20251001", "us-east5")] = "exhausted"
    fake.scenario.quota_base_model[("claude-haiku-4-5@20251001", "us-east5")] = "anthropic-claude-haiku-4-5"
    run = doctor(stack_env(VERTEX_REGION_CLAUDE_HAIKU_4_5="us-east5"))
    assert run.code == 1
    check = run.check("model:claude-haiku-4-5@20251001")
    assert check["status"] == "fail"
    assert "429" in check["message"]
    assert "online_prediction_input_tokens_per_minute_per_base_model" in check["message"]
    assert "base_model anthropic-claude-haiku-4-5" in check["message"]
    assert "region us-east5" in check["fix"]


def test_quota_capped_at_zero_names_the_family_bucket_on_global(doctor, fake):
    fake.scenario.quota[("claude-opus-5-5", "global")] = "zero"
    fake.scenario.quota_base_model[("claude-opus-5-5", "global")] = "anthropic-claude-opus"
    run = doctor(stack_env())
    check = run.check("model:claude-opus-5-5")
    assert run.code == 1 and check["status"] == "fail"
    assert "base_model anthropic-claude-opus, a bucket every opus model shares at global" in check["message"]
    assert "limit is 0" in check["message"] and "raise the team's quota cap" in check["fix"]


def test_org_policy_refusal_names_the_allow_list(doctor, fake):
    fake.scenario.allowed_models = {"claude-sonnet-5-5", "claude-haiku-4-5@20251001"}
    run = doctor(stack_env())
    assert run.code == 1
    check = run.check("model:claude-opus-5-5")
    assert check["status"] == "fail"
    assert "vertexai.allowedModels" in check["message"] and "FAILED_PRECONDITION" in check["message"]
    assert run.check("model:claude-sonnet-5-5")["status"] == "ok"


def test_wrong_project_in_google_cloud_project(doctor, fake):
    run = doctor(stack_env(), shell={"GOOGLE_CLOUD_PROJECT": "someone-elses-proj"})
    assert run.code == 1
    check = run.check("environment.GOOGLE_CLOUD_PROJECT")
    assert check["status"] == "fail"
    assert "someone-elses-proj" in check["message"] and PROJECT in check["message"]
    assert check["fix"].startswith("unset GOOGLE_CLOUD_PROJECT")
    # Claude Code's request URL uses ANTHROPIC_VERTEX_PROJECT_ID: the doctor calls that project, like the client.
    assert all(f"/projects/{PROJECT}/" in r.path or ":testIamPermissions" in r.path for r in fake.requests)


def test_unpinned_aliases_warn_about_the_opus_rate(doctor, fake):
    run = doctor(stack_env(ANTHROPIC_MODEL="", ANTHROPIC_DEFAULT_OPUS_MODEL=""))
    assert run.code == 0
    pins = run.check("environment.pins")
    assert pins["status"] == "warn"
    assert "Opus rate" in pins["message"] and "ANTHROPIC_DEFAULT_OPUS_MODEL" in pins["message"]


def test_unknown_region_variable_is_named_with_the_one_meant(doctor, fake):
    run = doctor(stack_env(VERTEX_REGION_CLAUDE_HAIKU_4_6="us-east5"))
    check = run.check("environment.VERTEX_REGION_CLAUDE_HAIKU_4_6")
    assert check["status"] == "warn"
    assert "VERTEX_REGION_CLAUDE_HAIKU_4_5" in check["fix"]


def test_retired_model_fails_without_calling_vertex(doctor, fake):
    run = doctor(stack_env(ANTHROPIC_DEFAULT_SONNET_MODEL="claude-3-7-sonnet@20250219"))
    check = run.check("model:claude-3-7-sonnet@20250219")
    assert check["status"] == "fail" and "retired" in check["message"]
    assert "claude-sonnet-5-5" in check["fix"]
    assert not any("claude-3-7-sonnet" in r.path or "claude-3-7" in str(r.body) for r in fake.requests)


def test_skip_vertex_auth_sends_no_credentials_and_looks_none_up(doctor, fake):
    run = doctor(stack_env(CLAUDE_CODE_SKIP_VERTEX_AUTH="1"), token=False)
    vertex_requests = [r for r in fake.requests if "/locations/" in r.path]
    assert vertex_requests and all("authorization" not in r.headers for r in vertex_requests)
    assert not any(r.path == "/token" or ":testIamPermissions" in r.path for r in fake.requests)
    assert run.check("credentials")["status"] == "ok"
    # The fake Vertex wants credentials, as Google does: every model is refused with the re-login step.
    assert run.check("model:claude-opus-5-5")["fix"].startswith("gcloud auth application-default login")


def test_region_and_project_errors_stop_before_any_call(doctor, fake):
    run = doctor(stack_env(CLOUD_ML_REGION="Europe West", ANTHROPIC_VERTEX_PROJECT_ID=""))
    assert run.code == 1
    assert run.check("environment.region")["status"] == "fail"
    assert run.check("environment.project")["status"] == "fail"
    assert fake.requests == []


def test_a_token_google_does_not_know_is_sent_back_to_sign_in(doctor, fake):
    fake.scenario.tokens.clear()
    run = doctor(stack_env())
    assert run.code == 1
    assert run.check("permission")["fix"].startswith("gcloud auth application-default login")
    assert "401" in run.check("model:claude-opus-5-5")["message"]


def test_a_project_that_does_not_exist_or_is_not_yours(doctor, fake):
    run = doctor(stack_env(ANTHROPIC_VERTEX_PROJECT_ID="not-my-project"))
    permission = run.check("permission")
    assert permission["status"] == "fail" and "403" in permission["message"]
    assert "ANTHROPIC_VERTEX_PROJECT_ID" in permission["fix"]
