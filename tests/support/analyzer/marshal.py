"""Resource records into the engine's protobuf shapes (sdk/go/common/resource/plugin/analyzer_plugin.go).

A record is a mapping with the wire names the engine uses: `urn`, `type`, `name`, `parent`,
`dependencies`, `propertyDependencies`, `inputs` (and `outputs` once known), the resource options, and an
optional `provider`. Values are marshalled as the engine marshals them for analyzers: unknowns as the
string sentinel, secrets kept, `__` keys dropped, resource references reduced to their ID or URN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine marshals a value not known until `pulumi up`; put it in a record's inputs to model one."""

# Special property signatures (sdk/go/common/resource/sig).
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


def secret(value: Any) -> dict[str, Any]:
    """A value the engine marks secret, as a record holds it (and as analyzers receive it: KeepSecrets)."""
    return {_SIG: _SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(_SIG) == _SECRET_SIG


def marshal_value(value: Any) -> Any:
    """One property value as the engine sends it to analyzers (KeepUnknowns, KeepSecrets, SkipInternalKeys)."""
    if isinstance(value, Mapping):
        signature = value.get(_SIG)
        if signature == _SECRET_SIG:
            return {_SIG: _SECRET_SIG, "value": marshal_value(value.get("value"))}
        if signature == _RESOURCE_SIG:
            resource_id = value.get("id")
            if resource_id == UNKNOWN:
                return UNKNOWN
            return resource_id if isinstance(resource_id, str) and resource_id else value.get("urn", "")
        if signature == _OUTPUT_SIG:
            inner = marshal_value(value["value"]) if "value" in value else UNKNOWN
            return {_SIG: _SECRET_SIG, "value": inner} if value.get("secret") else inner
        if signature is not None:
            return dict(value)  # assets and archives travel as-is
        return {str(k): marshal_value(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list | tuple):
        return [marshal_value(v) for v in value]
    return value


def to_struct(properties: Mapping[str, Any] | None) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(marshal_value(dict(properties or {})))
    return struct


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _options(record: Mapping[str, Any]) -> analyzer_pb2.AnalyzerResourceOptions:
    timeouts = record.get("customTimeouts") or {}
    dbr = record.get("deleteBeforeReplace")
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(record.get("protect", False)),
        ignoreChanges=list(record.get("ignoreChanges") or []),
        deleteBeforeReplace=bool(dbr),
        deleteBeforeReplaceDefined=dbr is not None,
        additionalSecretOutputs=list(record.get("additionalSecretOutputs") or []),
        aliases=list(record.get("aliases") or []),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=float(timeouts.get("create", 0)),
            update=float(timeouts.get("update", 0)),
            delete=float(timeouts.get("delete", 0)),
        ),
        parent=str(record.get("parent") or ""),
    )


def _provider(record: Mapping[str, Any]) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = record.get("provider")
    if not isinstance(provider, Mapping) or not provider.get("urn"):
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        urn=provider["urn"],
        type=provider.get("type", ""),
        name=provider.get("name") or _urn_name(provider["urn"]),
        properties=to_struct(provider.get("inputs")),
    )


def analyze_request(record: Mapping[str, Any]) -> analyzer_pb2.AnalyzeRequest:
    """`Analyze` for one record: inputs, options (parent included), provider."""
    request = analyzer_pb2.AnalyzeRequest(
        urn=record["urn"],
        type=record["type"],
        name=record.get("name") or _urn_name(record["urn"]),
        properties=to_struct(record.get("inputs")),
        options=_options(record),
    )
    provider = _provider(record)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def analyzer_resource(record: Mapping[str, Any]) -> analyzer_pb2.AnalyzerResource:
    """One `AnalyzeStack` resource: outputs (inputs if none), graph edges; the parent both beside and inside the
    options, as the engine sends it (pkg/resource/deploy/step_generator.go `AnalyzeResources`)."""
    outputs = record.get("outputs")
    resource = analyzer_pb2.AnalyzerResource(
        urn=record["urn"],
        type=record["type"],
        name=record.get("name") or _urn_name(record["urn"]),
        properties=to_struct(outputs if outputs is not None else record.get("inputs")),
        options=_options(record),
        parent=str(record.get("parent") or ""),
        dependencies=list(record.get("dependencies") or []),
        propertyDependencies={
            key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
            for key, urns in (record.get("propertyDependencies") or {}).items()
            if urns
        },
    )
    provider = _provider(record)
    if provider is not None:
        resource.provider.CopyFrom(provider)
    return resource


def root_stack_urn(project: str, stack: str) -> str:
    """resource.DefaultRootStackURN: where stack-level diagnostics without a resource are reported."""
    return f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
