"""The package schema the stand-in serves (`GetSchema`): the part of pulumi-gcp's that it models, read out of the
installed pulumi-gcp Python SDK, the one copy of the provider's shape on this machine.

The engine never asks a provider for its schema to run a deployment; language hosts do, through the engine's
loader: Pulumi YAML resolves `gcp:organizations:Project` to its token, type-checks properties and knows the
outputs from it, and `pulumi package` commands generate SDKs from it. So the schema lists exactly the resources
the stand-in models (`resource_kinds.KINDS`) and the data sources it answers (`gcp_declarations.INVOKE_TOKENS`),
with the SDK's own property names (each getter's `pulumi.getter(name=...)`), required inputs (the `Args`
constructor's parameters without a default), and the provider's configuration. Primitive types, lists and maps
are typed; nested objects are `Any` (no program this repository runs reads their shape from the schema).
"""

from __future__ import annotations

import collections.abc
import functools
import importlib
import inspect
import re
import threading
import types
import typing
from collections.abc import Iterable
from typing import Any

import pulumi

from tests.support.gcp_declarations import INVOKE_TOKENS
from tests.support.gcp_provider.plugin import PLUGIN_NAME, SDK_DISTRIBUTION, plugin_version
from tests.support.gcp_provider.resource_kinds import KINDS

ANY: dict[str, Any] = {"$ref": "pulumi.json#/Any"}
_PRIMITIVES = {str: "string", bool: "boolean", int: "integer", float: "number"}
_ARGUMENT = re.compile(r"__args__\['(\w+)'\]")


def _value_type(annotation: Any) -> Any:
    """The value inside `Input[...]`, `Output[...]` and `Optional[...]`."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        return _value_type(members[0])
    if origin is pulumi.Output:
        return _value_type(typing.get_args(annotation)[0])
    return annotation


def _type_spec(annotation: Any) -> dict[str, Any]:
    value = _value_type(annotation)
    if value in _PRIMITIVES:
        return {"type": _PRIMITIVES[value]}
    origin = typing.get_origin(value)
    arguments = typing.get_args(value)
    if origin in (collections.abc.Mapping, dict) and len(arguments) == 2:
        return {"type": "object", "additionalProperties": _type_spec(arguments[1])}
    if origin in (collections.abc.Sequence, list) and arguments:
        return {"type": "array", "items": _type_spec(arguments[0])}
    return dict(ANY)


def _getters(cls: type) -> dict[str, tuple[str, Any]]:
    """Python name -> (wire name, annotation) of every `pulumi.getter` property of an SDK class."""
    found: dict[str, tuple[str, Any]] = {}
    for name, member in vars(cls).items():
        if isinstance(member, property) and hasattr(member.fget, "_pulumi_name"):
            found[name] = (member.fget._pulumi_name, inspect.signature(member.fget).return_annotation)
    return found


def _properties(getters: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    return {wire: _type_spec(annotation) for wire, annotation in sorted(getters.values())}


def _required(constructor: Any, getters: dict[str, tuple[str, Any]]) -> list[str]:
    parameters = inspect.signature(constructor).parameters.values()
    return sorted(getters[p.name][0] for p in parameters if p.default is inspect.Parameter.empty and p.name in getters)


def _module(token: str) -> Any:
    """`pulumi_gcp.<module>` for `gcp:<module>/<member>:<Name>`."""
    return importlib.import_module(f"{SDK_DISTRIBUTION}.{token.split(':')[1].split('/')[0]}")


def _description(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__ or "").split("\n\n", 1)[0]


_SDK = threading.RLock()
"""Held around every read of the pulumi-gcp SDK: its modules load lazily, and Python 3.11's
`importlib.util.LazyLoader` is not thread-safe (two RPCs importing one module at once see it half-made: "module
'pulumi_gcp.iam' has no attribute 'WorkloadIdentityPool'", seen under the real engine's parallel steps). Each module is
read on first need, not at start-up: `pulumi_gcp.compute` alone takes seconds to import, and a team stack's engine
runs never need it."""


def resource_spec(token: str) -> dict[str, Any]:
    with _SDK:
        return _resource_spec(token)


@functools.cache
def _resource_spec(token: str) -> dict[str, Any]:
    resource = getattr(_module(token), token.rsplit(":", 1)[1])
    arguments = getattr(_module(token), f"{resource.__name__}Args")
    inputs = _getters(arguments)
    return {
        "description": _description(resource),
        "inputProperties": _properties(inputs),
        "requiredInputs": _required(arguments.__init__, inputs),
        "properties": _properties(_getters(resource)),
    }


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def function_spec(token: str) -> dict[str, Any]:
    name = token.rsplit(":", 1)[1]
    function = getattr(_module(token), _snake(name))
    result = getattr(_module(token), f"{name[0].upper()}{name[1:]}Result")
    source = inspect.getsource(function)
    arguments = {param.name: param.annotation for param in inspect.signature(function).parameters.values()}
    wire_names = _ARGUMENT.findall(source)
    snake_names = [n for n in arguments if n != "opts"]
    return {
        "description": _description(function),
        "inputs": {
            "properties": {
                wire: _type_spec(arguments[snake]) for wire, snake in zip(wire_names, snake_names, strict=True)
            }
        },
        "outputs": {"properties": _properties(_getters(result))},
    }


def provider_properties() -> dict[str, Any]:
    with _SDK:
        return _provider_properties()


@functools.cache
def _provider_properties() -> dict[str, Any]:
    import pulumi_gcp

    return _properties(_getters(pulumi_gcp.ProviderArgs))


def package_schema(
    resources: Iterable[str] = tuple(sorted(KINDS)), functions: Iterable[str] = INVOKE_TOKENS
) -> dict[str, Any]:
    """The schema as plain JSON data (cached: building it imports two dozen SDK modules, seconds)."""
    with _SDK:
        return _package_schema(tuple(resources), tuple(functions))


@functools.cache
def _package_schema(resources: tuple[str, ...], functions: tuple[str, ...]) -> dict[str, Any]:
    configuration = provider_properties()
    return {
        "name": PLUGIN_NAME,
        "displayName": "Google Cloud (Platform) Classic: the claude-vertex stand-in",
        "version": plugin_version(),
        "meta": {"moduleFormat": "(.*)(?:/[^/]*)"},
        "config": {"variables": configuration},
        "provider": {"description": "The stand-in gcp provider's configuration.", "inputProperties": configuration},
        "resources": {token: resource_spec(token) for token in resources},
        "functions": {token: function_spec(token) for token in functions},
    }


def input_names(token: str) -> frozenset[str]:
    """The wire names of a modelled resource type's inputs (its module read on first need, `_SDK`)."""
    return frozenset(resource_spec(token)["inputProperties"])
