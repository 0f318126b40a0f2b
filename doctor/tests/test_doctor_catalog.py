"""The doctor's bundled catalog is the repository's catalog: a copy that drifts fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from claude_vertex_doctor.catalog import catalog, catalog_text

REPO_CATALOG = Path(__file__).resolve().parents[2] / "components" / "claude_vertex" / "models.yaml"


def test_bundled_catalog_is_a_verbatim_copy_of_components_models_yaml():
    if not REPO_CATALOG.is_file():
        pytest.skip(
            "the doctor is installed without the repository: no components/claude_vertex/models.yaml to compare with"
        )
    assert catalog_text() == REPO_CATALOG.read_text(encoding="utf-8"), (
        "doctor/claude_vertex_doctor/models.yaml is stale: cp claude_vertex/models.yaml doctor/claude_vertex_doctor/"
    )


def test_the_doctor_reads_the_catalog_as_the_program_does():
    if not REPO_CATALOG.is_file():
        pytest.skip("the doctor is installed without the repository")
    models = pytest.importorskip("claude_vertex.catalog")
    program = models.catalog(REPO_CATALOG)
    assert set(catalog().region_variables()) == set(program.region_variables())
    for theirs in program.models:
        ours = catalog().get(theirs.id)
        assert ours is not None
        assert ours.regions == theirs.regions
        assert ours.retires == theirs.retires
        for region in theirs.regions:
            assert ours.quota_base_model(region) == theirs.quota.base_models(region)[0]
    assert catalog().get("claude-opus-5-5[1m]").id == "claude-opus-5-5"
