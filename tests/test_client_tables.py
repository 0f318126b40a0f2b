"""The reader of the client's tables, on crafted bytes: what it accepts, and a clear error for anything else, fast.

The real binary is read by tests/test_catalog_matches_client.py; here each shape the reader must accept or refuse is
written out, so a client release that changes the shape shows up as one of these errors, never as a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.claude_client.js_literal import MAX_DEPTH, LiteralError, parse_literal
from tests.claude_client.tables import (
    MODEL_WINDOW,
    ClientTableError,
    Retirement,
    client_date,
    model_table,
    retirement_table,
)

RETIREMENTS = (
    b'var A=1,MA={"claude-opus-4-5":{modelName:"Claude Opus 4.5",retirementDates:{firstParty:"January 22, 2027",'
    b'bedrock:null,vertex:"January 22, 2027"}},"claude-opus-4-1":{modelName:"Claude Opus 4.1",'
    b'retirementDates:{firstParty:null,vertex:null},remappedTo:"the latest Opus"}};function Hi(e){}'
)
MODELS = (
    b"const T={pricing:{a:{input:0.8,output:4,above:1e5}},models:["
    b'{id:"claude-opus-4-5",family:"opus",provider_ids:{first_party:"claude-opus-4-5-20251101",'
    b'vertex:"claude-opus-4-5@20251101"},vertex_region_env_var:"VERTEX_REGION_CLAUDE_4_5_OPUS",'
    b'context:{window:200000,supports_1m_suffix:!0},capabilities:["effort"]},'
    b'{id:"claude-mythos-5",family:"mythos",provider_ids:{first_party:"claude-mythos-5",vertex:null}}'
    b"]};var D=u({vertex_region_env_var:r().optional()});"
)


def test_the_retirement_table_gives_each_models_vertex_date_and_remap() -> None:
    assert retirement_table(RETIREMENTS) == {
        "claude-opus-4-5": Retirement("claude-opus-4-5", "Claude Opus 4.5", dt.date(2027, 1, 22), None),
        "claude-opus-4-1": Retirement("claude-opus-4-1", "Claude Opus 4.1", None, "the latest Opus"),
    }


def test_the_model_table_gives_vertex_ids_and_region_variables_and_ignores_the_schema_that_names_the_key() -> None:
    table = model_table(MODELS)
    assert [(m.id, m.family, m.vertex_id, m.region_variable) for m in table.values()] == [
        ("claude-opus-4-5", "opus", "claude-opus-4-5@20251101", "VERTEX_REGION_CLAUDE_4_5_OPUS"),
        ("claude-mythos-5", "mythos", None, None),
    ]


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"nothing here", "no retirement table"),
        (RETIREMENTS + RETIREMENTS, "a second retirement table at byte"),
        (RETIREMENTS[:120], "does not parse"),  # truncated mid-table
        (RETIREMENTS.replace(b'"January 22, 2027"}', b"D(2027)}"), "does not parse"),  # a call, not data
        (RETIREMENTS.replace(b'vertex:"January 22, 2027"', b'vertex:"2027-01-22"'), "is not a date like"),
        (RETIREMENTS.replace(b'vertex:"January 22, 2027"', b'vertex:"February 30, 2027"'), "is not a date"),
        (RETIREMENTS.replace(b",vertex:null", b""), "no retirementDates with a vertex date"),
        (RETIREMENTS.replace(b'"the latest Opus"', b"!0"), "remappedTo is True"),
    ],
    ids=["absent", "twice", "truncated", "call", "iso-date", "impossible-date", "no-vertex-key", "remap-not-text"],
)
def test_a_retirement_table_the_reader_does_not_know_is_refused_saying_why(blob: bytes, message: str) -> None:
    with pytest.raises(ClientTableError, match=message):
        retirement_table(blob)


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"var x=1", "no model table"),
        (MODELS.replace(b"models:[", b"list:["), "is not inside a 'models:\\[{id:' array"),
        (MODELS + MODELS, "a second model table at byte"),
        (MODELS[: MODELS.index(b"context:")], "does not parse"),
        (MODELS.replace(b'vertex:"claude-opus-4-5@20251101"', b"vertex:`x${y}`"), "does not parse"),
        (MODELS.replace(b'vertex:"claude-opus-4-5@20251101"', b"vertex:7"), "provider_ids.vertex is 7"),
        (MODELS.replace(b'family:"mythos",', b""), "no id, family or provider_ids"),
        (MODELS.replace(b'"claude-mythos-5",family', b'"claude-opus-4-5",family'), "names a model twice"),
    ],
    ids=["absent", "not-a-models-array", "twice", "truncated", "template", "number-id", "no-family", "duplicate"],
)
def test_a_model_table_the_reader_does_not_know_is_refused_saying_why(blob: bytes, message: str) -> None:
    with pytest.raises(ClientTableError, match=message):
        model_table(blob)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b'{a:1,"b c":[null,!0,!1,true,false],d:-2.5e3,e:.5}', {"a": 1, "b c": [None, True, False, True, False]}),
        (b'["\\u26A0 \\"q\\" \\\\ \\n \\x41 \\u{1F600}"]', ['\u26a0 "q" \\ \n A \U0001f600']),
        (b"[ ]", []),
        (b"{ }", {}),
    ],
    ids=["scalars", "escapes", "empty-array", "empty-object"],
)
def test_the_literal_subset_parses_to_python_values(text: bytes, value: object) -> None:
    parsed, end = parse_literal(text)
    assert end == len(text)
    if isinstance(value, dict) and "d" in parsed:
        assert parsed == {**value, "d": -2500.0, "e": 0.5}
    else:
        assert parsed == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{a:x}", "is not an object, array, string, number, null or boolean"),
        (b"{a:1,a:2}", "appears twice"),
        (b"{a:void 0}", "is not an object, array"),
        (b"{...a}", "is not an object key"),
        (b"{1:2}", "is not an object key"),
        (b"[1,]", "is not an object, array"),
        (b"[1 2]", "expected ','"),
        (b"['single']", "is not an object, array"),
        (b'["open', "the string is not closed"),
        (b'["a\nb"]', "the string is not closed"),
        (b'["\\q"]', "an escape the reader does not know"),
        (b'["\\u{110000}"]', "is not a character"),
        (b'["\xff"]', "is not UTF-8"),
        (b"[10n]", "is not an object, array"),
        (b"[nullx]", "is not an object, array"),
        (b"{a:[1,2", "truncated"),
        (b"", "truncated"),
        (b"[" * (MAX_DEPTH + 2), "nested deeper than"),
    ],
)
def test_anything_outside_the_subset_is_refused_naming_the_offset(text: bytes, message: str) -> None:
    with pytest.raises(LiteralError, match=message) as caught:
        parse_literal(text)
    assert str(caught.value).startswith("at byte ")


@pytest.mark.parametrize(
    "text",
    [
        b"[" * MODEL_WINDOW,  # deep nesting
        b'["' + b"\\" * MODEL_WINDOW,  # an unclosed string of escapes
        b"[" + b"1," * (MODEL_WINDOW // 2),  # a truncated array of the most elements a window holds
        b"{" + b"a:{" * (MODEL_WINDOW // 3),  # deep objects
    ],
    ids=["arrays", "escapes", "numbers", "objects"],
)
def test_hostile_input_is_refused_fast_not_in_a_hang_or_a_recursion_crash(text: bytes) -> None:
    """The reader parses at most one window (MODEL_WINDOW bytes): the worst window fills its time bound."""
    started = time.monotonic()
    with pytest.raises(LiteralError):
        parse_literal(text)
    assert time.monotonic() - started < 3.0  # ~0.5 s on a busy 2-core machine; a quadratic parse takes minutes


def test_client_dates_are_the_clients_english_month_day_year() -> None:
    assert client_date("November 30, 2026", "t") == dt.date(2026, 11, 30)
    with pytest.raises(ClientTableError, match="t: '30 November 2026' is not a date like"):
        client_date("30 November 2026", "t")
