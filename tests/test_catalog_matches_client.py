"""The model catalog agrees with the pinned Claude Code client's own tables, read out of its binary.

The client warns developers about retirements from its retirement table and builds Vertex request paths and
`VERTEX_REGION_*` lookups from its model table (tests/claude_client/tables.py reads both). When a client
release announces a Vertex retirement, renames a variable or adds a model, these tests fail until
`components/claude_vertex/models.yaml` says the same: a team never learns a retirement date from a client
warning that the platform's own preview did not give first. A catalog date the client does not give must say
where it comes from (`retiresSource`); a date the client gives must not claim another source.
"""

from __future__ import annotations

import pytest
from claude_vertex.catalog import Model, catalog

from tests.claude_client.install import ClientUnavailable, ensure_client
from tests.claude_client.tables import ClientModel, ClientTables, read_tables


@pytest.fixture(scope="module")
def client() -> ClientTables:
    """The pinned client's tables (installs the client from the npm registry on first use, or skips saying why)."""
    try:
        binary = ensure_client()
    except ClientUnavailable as err:
        pytest.skip(f"the real Claude Code client cannot be installed here: {err}")
    return read_tables(binary)


def _client_model(client: ClientTables, model: Model) -> ClientModel | None:
    return client.by_vertex_id().get(model.id)


def test_every_vertex_retirement_the_client_announces_is_in_the_catalog_with_that_date(client: ClientTables) -> None:
    problems = []
    for retirement in client.retirements.values():
        if retirement.vertex is None:
            continue
        known = client.models.get(retirement.key)
        if known is None or known.vertex_id is None:
            # The client's model table no longer has it, so no Vertex ID to look up: only a model retired before
            # the catalog was last checked may be left out of it.
            if retirement.vertex > catalog().checkedOn:
                problems.append(f"{retirement.name}: retires on Vertex {retirement.vertex} but has no Vertex ID")
            continue
        entry = catalog().get(known.vertex_id)
        if entry is None:
            problems.append(f"{known.vertex_id}: retires on Vertex {retirement.vertex}, missing from the catalog")
        elif (entry.retires, entry.retiresSource) != (retirement.vertex, None) or entry.successor is None:
            problems.append(
                f"{entry.id}: the client says it retires on Vertex on {retirement.vertex}; the catalog says "
                f"retires={entry.retires}, retiresSource={entry.retiresSource!r}, successor={entry.successor} "
                "(wanted: that date, no other source, a successor)"
            )
    assert problems == []


def test_a_retirement_date_the_client_does_not_give_names_its_source(client: ClientTables) -> None:
    vertex_dates = {
        client.models[r.key].vertex_id: r.vertex
        for r in client.retirements.values()
        if r.vertex is not None and r.key in client.models
    }
    unsourced = [m.id for m in catalog().models if m.retires and m.id not in vertex_dates and not m.retiresSource]
    assert unsourced == [], "a retires date the client does not give needs retiresSource"


def test_the_catalog_knows_every_vertex_model_the_client_knows(client: ClientTables) -> None:
    missing = sorted(vertex_id for vertex_id in client.by_vertex_id() if catalog().get(vertex_id) is None)
    assert missing == []


def test_each_models_region_variable_is_the_one_the_client_reads(client: ClientTables) -> None:
    """A model the client has no Vertex ID for gets no variable from it either: the catalog must not name one."""
    mismatched = {
        model.id: (model.region_variable, known.region_variable if known else None)
        for model in catalog().models
        if model.region_variable != ((known := _client_model(client, model)) and known.region_variable)
    }
    assert mismatched == {}, "catalog variable vs the client's"


def test_each_models_family_is_the_clients(client: ClientTables) -> None:
    """The family decides which alias a model can pin and which quota caps apply to it."""
    mismatched = {
        model.id: (model.family, known.family)
        for model in catalog().models
        if (known := _client_model(client, model)) is not None and known.family != model.family
    }
    assert mismatched == {}
