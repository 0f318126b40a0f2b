"""Regions the team's stack would refuse: a warning naming the allowed values (the catalog's regions are partly
unverified), and Vertex's own 404 decides whether the run fails."""

from __future__ import annotations

from claude_vertex_doctor.catalog import catalog
from doctor_support import stack_env

ALLOWED = ", ".join(catalog().regions())


def test_a_region_outside_the_catalog_warns_and_vertexs_404_fails_the_run(doctor, fake):
    run = doctor(stack_env(CLOUD_ML_REGION="asia-northeast1"))
    assert run.code == 1
    region = run.check("environment.region")
    assert region["status"] == "warn"
    assert region["message"].startswith(
        "CLOUD_ML_REGION=asia-northeast1 is not a location your team's stack accepts (the catalog serves Claude in "
        f"{ALLOWED})"
    )
    assert region["fix"] == f"set CLOUD_ML_REGION to the stack's value (its dotenv output), one of: {ALLOWED}"
    opus = run.check("model:claude-opus-5-5")
    assert opus["status"] == "fail" and "is not served there (404)" in opus["message"]
    assert opus["fix"].startswith("set CLOUD_ML_REGION to the stack's value (its dotenv output), one of: global, us,")


def test_a_region_vertex_serves_after_all_is_a_warning_not_a_failure(doctor, fake):
    for model in catalog().models:
        fake.scenario.served[model.id] = (*model.regions, "asia-northeast1")
    run = doctor(stack_env(CLOUD_ML_REGION="asia-northeast1"))
    assert run.code == 0, run.out
    assert run.check("environment.region")["status"] == "warn"
    opus = run.check("model:claude-opus-5-5")
    assert opus["status"] == "warn"
    assert "though the catalog does not list asia-northeast1 for it" in opus["message"]
    assert "the catalog is out of date" in opus["fix"]


def test_a_model_region_variable_outside_the_catalog_is_a_warning_naming_the_models_regions(doctor, fake):
    run = doctor(stack_env(VERTEX_REGION_CLAUDE_HAIKU_4_5="southamerica-east1"))
    assert run.code == 1
    check = run.check("environment.VERTEX_REGION_CLAUDE_HAIKU_4_5")
    assert check["status"] == "warn"
    assert "not a location your team's stack accepts" in check["message"]
    assert check["fix"].startswith("set VERTEX_REGION_CLAUDE_HAIKU_4_5 to one of global, us-east5, europe-west1")
    assert run.check("model:claude-haiku-4-5@20251001")["status"] == "fail"


def test_a_catalog_region_that_does_not_serve_the_pinned_model_fails_on_vertexs_404(doctor, fake):
    run = doctor(stack_env(VERTEX_REGION_CLAUDE_HAIKU_4_5="us"))
    assert run.code == 1
    assert "environment.VERTEX_REGION_CLAUDE_HAIKU_4_5" not in run.statuses()  # us serves Claude: the stack takes it
    haiku = run.check("model:claude-haiku-4-5@20251001")
    assert haiku["status"] == "fail"
    assert "served in: global, us-east5, europe-west1, asia-east1" in haiku["message"]
    assert haiku["fix"].startswith("set VERTEX_REGION_CLAUDE_HAIKU_4_5=global")
