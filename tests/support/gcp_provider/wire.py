"""Property values as the engine sends them to a provider that accepts secrets: plain JSON with two sentinels.

A secret arrives as `{<sig>: <secret sig>, "value": ...}` (Configure answers `acceptSecrets`), a value not known
until apply as the string `UNKNOWN` (previews only). The stand-in keeps secrets wrapped in what it returns, so the
engine keeps them secret in its state, and compares and computes on the plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

from tests.support.analyzer.marshal import UNKNOWN, is_secret

__all__ = ["UNKNOWN", "contains_unknown", "from_struct", "plain", "to_struct"]


def from_struct(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    return json_format.MessageToDict(struct) if struct is not None else {}


def to_struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(dict(value), struct_pb2.Struct())


def plain(value: Any) -> Any:
    """The value with every secret unwrapped (unknowns stay the sentinel)."""
    if is_secret(value):
        return plain(value.get("value"))
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def contains_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_unknown(item) for item in value)
    return False
