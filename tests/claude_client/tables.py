"""The Claude Code client's own model tables, read out of its native binary: what the catalog is checked against.

The client is one executable with its JavaScript bundle inside. Two constant tables in that bundle say what the
client knows about Claude on Vertex AI:

- the retirement table, `{"claude-opus-4-5": {modelName, retirementDates: {firstParty, bedrock, vertex, ...},
  remappedTo?}, ...}`: the day each provider stops serving a model, as the client warns about it;
- the model table, `models: [{id, family, provider_ids: {vertex, ...}, vertex_region_env_var, ...}, ...]`: each
  model's Vertex ID and the `VERTEX_REGION_*` variable the client reads for it.

The bundle's variable names are minified and change with every release, so each table is found by the keys only
it has (`retirementDates:{`, `vertex_region_env_var:`), read from a bounded window with the literal parser
(tests/claude_client/js_literal.py), and checked for shape. A second table of either kind, a table of an unknown
shape or one that does not parse is an error naming what was found, never a guess: the test that uses this must
fail when a client release moves the tables, not pass on whatever it happened to find.
"""

from __future__ import annotations

import datetime as dt
import mmap
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.claude_client.js_literal import LiteralError, parse_literal

RETIREMENT_KEY = b"retirementDates:{"
REGION_VARIABLE_KEY = b"vertex_region_env_var:"
REGION_VARIABLE_VALUE = REGION_VARIABLE_KEY + b'"'
"""The key with a string value: a table entry (the bundle's schema for the table says `vertex_region_env_var:r()`)."""
MODEL_TABLE_OPENING = b"models:[{id:"
RETIREMENT_WINDOW = 64 * 1024
"""Bytes read for the retirement table (2.1.332: 2.2 KB)."""
MODEL_WINDOW = 256 * 1024
"""Bytes read for the model table (2.1.332: about 20 KB)."""
LOOKBACK = 4 * 1024
"""How far before its first key a table may open (2.1.332: 48 bytes retirement table, 394 model table)."""
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_CLIENT_DATE = re.compile(rf"^({'|'.join(_MONTHS)}) ([0-9]{{1,2}}), ([0-9]{{4}})$")


class ClientTableError(ValueError):
    """The binary does not hold the tables in a shape this reader knows; the message says what was found."""


@dataclass(frozen=True)
class Retirement:
    """One row of the client's retirement table, as far as Vertex AI is concerned."""

    key: str
    """The client's model key: its first-party ID without a date (`claude-opus-4-5`, `claude-opus-4-0`)."""
    name: str
    vertex: dt.date | None
    """The day Vertex AI stops serving it, per the client; None when the client gives no Vertex date."""
    remapped_to: str | None
    """What the client sends instead on the providers where it remaps the model (not Vertex, observed)."""


@dataclass(frozen=True)
class ClientModel:
    """One row of the client's model table."""

    id: str
    family: str
    vertex_id: str | None
    """The model ID in the Vertex request path; None when the client knows no Vertex ID for it."""
    region_variable: str | None
    """The full `VERTEX_REGION_*` name the client reads for it, or None."""


@dataclass(frozen=True)
class ClientTables:
    retirements: Mapping[str, Retirement]
    models: Mapping[str, ClientModel]

    def by_vertex_id(self) -> dict[str, ClientModel]:
        return {m.vertex_id: m for m in self.models.values() if m.vertex_id}


def read_tables(binary: Path) -> ClientTables:
    """Both tables of the client binary at `binary`, read through a memory map (the binary is ~400 MB)."""
    with binary.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as blob:
        return ClientTables(retirements=retirement_table(blob), models=model_table(blob))


def retirement_table(blob: bytes | mmap.mmap) -> dict[str, Retirement]:
    """The retirement table: the one object literal whose entries carry `retirementDates`."""
    first_key = blob.find(RETIREMENT_KEY)
    if first_key < 0:
        raise ClientTableError(f"no retirement table: the binary never says {RETIREMENT_KEY.decode()!r}")
    opening = blob.rfind(b'{"', max(0, first_key - LOOKBACK), first_key)
    if opening < 0:
        raise ClientTableError(f"the retirement key at byte {first_key} is not inside an object keyed by model")
    raw, end = _parse_window(blob, opening, RETIREMENT_WINDOW, "retirement table")
    if not isinstance(raw, dict) or not raw:
        raise ClientTableError(f"the retirement table at byte {opening} is not an object of models")
    table = {key: _retirement(key, entry) for key, entry in raw.items()}
    _only_table(blob, RETIREMENT_KEY, opening, end, len(table), "retirement table")
    return table


def model_table(blob: bytes | mmap.mmap) -> dict[str, ClientModel]:
    """The model table: the `models:[{id:...}]` array whose entries name a `vertex_region_env_var`."""
    first_key = blob.find(REGION_VARIABLE_VALUE)
    if first_key < 0:
        raise ClientTableError(f"no model table: the binary never says {REGION_VARIABLE_VALUE.decode()!r}")
    opening = blob.rfind(MODEL_TABLE_OPENING, max(0, first_key - LOOKBACK), first_key)
    if opening < 0:
        raise ClientTableError(f"the key at byte {first_key} is not inside a {MODEL_TABLE_OPENING.decode()!r} array")
    start = opening + len(b"models:")
    raw, end = _parse_window(blob, start, MODEL_WINDOW, "model table")
    if not isinstance(raw, list) or not raw:
        raise ClientTableError(f"the model table at byte {start} is not an array of models")
    models = [_model(entry, index) for index, entry in enumerate(raw)]
    table = {m.id: m for m in models}
    if len(table) != len(models):
        raise ClientTableError(f"the model table at byte {start} names a model twice")
    with_variable = sum(1 for m in models if m.region_variable is not None)
    _only_table(blob, REGION_VARIABLE_VALUE, start, end, with_variable, "model table")
    return table


def client_date(text: str, where: str) -> dt.date:
    """`January 22, 2027`, the way the client writes its retirement dates."""
    match = _CLIENT_DATE.match(text)
    if match is None:
        raise ClientTableError(f"{where}: {text!r} is not a date like 'January 22, 2027'")
    month, day, year = match.groups()
    try:
        return dt.date(int(year), _MONTHS.index(month) + 1, int(day))
    except ValueError as err:
        raise ClientTableError(f"{where}: {text!r} is not a date ({err})") from None


def _parse_window(blob: bytes | mmap.mmap, start: int, size: int, what: str) -> tuple[Any, int]:
    window = bytes(blob[start : start + size])
    try:
        value, length = parse_literal(window)
    except LiteralError as err:
        raise ClientTableError(f"the {what} at byte {start} does not parse: {err}") from None
    return value, start + length


def _only_table(blob: bytes | mmap.mmap, key: bytes, start: int, end: int, expected: int, what: str) -> None:
    """Every occurrence of the table's key is inside the table just read: no second table, no missed entry."""
    inside = blob[start:end].count(key)
    if inside != expected:
        raise ClientTableError(
            f"the {what} at byte {start} has {expected} entries but says {key.decode()!r} {inside} times"
        )
    elsewhere = blob.find(key, end)
    if elsewhere >= 0:
        raise ClientTableError(f"a second {what} at byte {elsewhere}: the reader cannot tell which one the client uses")


def _retirement(key: str, entry: Any) -> Retirement:
    where = f"retirement table, {key!r}"
    if not isinstance(entry, dict):
        raise ClientTableError(f"{where}: not an object")
    name, dates, remapped = entry.get("modelName"), entry.get("retirementDates"), entry.get("remappedTo")
    if not isinstance(name, str) or not isinstance(dates, dict) or "vertex" not in dates:
        raise ClientTableError(f"{where}: no modelName, or no retirementDates with a vertex date (null or a date)")
    if not (remapped is None or isinstance(remapped, str)):
        raise ClientTableError(f"{where}: remappedTo is {remapped!r}, not a string")
    vertex = dates["vertex"]
    if not (vertex is None or isinstance(vertex, str)):
        raise ClientTableError(f"{where}: the vertex date is {vertex!r}, not a string or null")
    return Retirement(
        key=key,
        name=name,
        vertex=None if vertex is None else client_date(vertex, where),
        remapped_to=remapped,
    )


def _model(entry: Any, index: int) -> ClientModel:
    where = f"model table, entry {index}"
    if not isinstance(entry, dict):
        raise ClientTableError(f"{where}: not an object")
    model_id, family, providers = entry.get("id"), entry.get("family"), entry.get("provider_ids")
    if not isinstance(model_id, str) or not isinstance(family, str) or not isinstance(providers, dict):
        raise ClientTableError(f"{where}: no id, family or provider_ids")
    vertex_id, variable = providers.get("vertex"), entry.get("vertex_region_env_var")
    for field, value in (("provider_ids.vertex", vertex_id), ("vertex_region_env_var", variable)):
        if not (value is None or isinstance(value, str)):
            raise ClientTableError(f"{where} ({model_id}): {field} is {value!r}, not a string or null")
    return ClientModel(id=model_id, family=family, vertex_id=vertex_id, region_variable=variable)
