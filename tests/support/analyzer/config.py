"""The `--policy-pack-config` file and the engine's reconciliation of it (pkg/resource/analyzer/config.go).

The Python policy SDK applies no schema defaults itself: the engine does, in `Configure`. So this module
fills them in, layers the pack's initial config and the user's over them, and validates the result
against each policy's schema, exactly as the engine would before the first resource is analyzed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from tests.support.analyzer.levels import ENFORCEMENT_LEVELS, PROTO_TO_LEVEL_EXACT


class PolicyConfigError(ValueError):
    """The policy pack config is malformed or fails a policy's schema; the message is one line."""


@dataclass(frozen=True)
class PolicySettings:
    """Reconciled config of one policy: what `Configure` sends for it."""

    enforcement_level: str
    properties: dict[str, Any] = field(default_factory=dict)


def _entry(key: str, value: Any, source: str) -> tuple[str | None, dict[str, Any]]:
    """(enforcement level or None, properties) of one config entry; raises PolicyConfigError."""
    allowed = ", ".join(ENFORCEMENT_LEVELS)
    if isinstance(value, str):
        if value not in ENFORCEMENT_LEVELS:
            raise PolicyConfigError(f"{source}: {key}: {value!r} is not an enforcement level (allowed: {allowed})")
        return value, {}
    if isinstance(value, Mapping):
        properties = dict(value)
        level = properties.pop("enforcementLevel", None)
        if level is not None and (not isinstance(level, str) or level not in ENFORCEMENT_LEVELS):
            raise PolicyConfigError(
                f"{source}: {key}.enforcementLevel: {level!r} is not an enforcement level (allowed: {allowed})"
            )
        return level, properties
    raise PolicyConfigError(
        f"{source}: {key}: {value!r} is not valid; use an enforcement level ({allowed}) or an object"
    )


def validate_policy_config(config: Any, source: str = "policy config") -> dict[str, Any]:
    """Check the `--policy-pack-config` shape: `{policy|"all": level | {enforcementLevel?, <props>}}`."""
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise PolicyConfigError(f"{source}: expected a JSON object keyed by policy name, got {type(config).__name__}")
    for key, value in config.items():
        level, _ = _entry(str(key), value, source)
        if key == "all" and level is None:
            raise PolicyConfigError(f"{source}: all: needs an enforcement level ({', '.join(ENFORCEMENT_LEVELS)})")
    return dict(config)


def load_policy_config(path: str | Path) -> dict[str, Any]:
    """Read a `pulumi up --policy-pack-config` JSON file (empty file: no config), validated for shape."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyConfigError(f"{source}: cannot read policy config: {error.strerror or error}") from error
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyConfigError(
            f"{source}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from error
    return validate_policy_config(data, source)


def _schema_errors(schema: Mapping[str, Any], required: Iterable[str], properties: Mapping[str, Any]) -> list[str]:
    """JSON-schema validation of one policy's properties, as the engine does with gojsonschema."""
    document_schema: dict[str, Any] = {"type": "object"}
    if schema:
        document_schema["properties"] = dict(schema)
    if required:
        document_schema["required"] = list(required)
    import jsonschema  # ~25 ms, and only needed when there is a config to check (see reconcile_policy_config)

    validator = jsonschema.Draft7Validator(document_schema)
    errors = []
    for error in sorted(validator.iter_errors(dict(properties)), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path)
        errors.append(f"{where}: {error.message}" if where else error.message)
    return errors


def reconcile_policy_config(
    info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, Any] | None
) -> dict[str, PolicySettings]:
    """The config the engine would send to `Configure`: defaults, then initial config, then the user's.

    Unlike the engine, a config entry naming a policy the pack does not have is an error: the engine
    ignores it silently, which turns a typo into a policy that is quietly not configured.
    """
    given = validate_policy_config(config)
    names = [p.name for p in info.policies]
    unknown = sorted(set(given) - {*names, "all"})
    if unknown:
        raise PolicyConfigError(
            f"policy config: unknown polic{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))} "
            f"(pack {info.name} has: {', '.join(sorted(names))})"
        )
    result: dict[str, PolicySettings] = {}
    schemas = _schemas(info)
    for policy in info.policies:
        schema, _ = schemas[policy.name]
        defaults = {k: copy.deepcopy(v["default"]) for k, v in schema.items() if isinstance(v, dict) and "default" in v}
        result[policy.name] = PolicySettings(PROTO_TO_LEVEL_EXACT[policy.enforcementLevel], defaults)

    # The engine reads an initial-config entry's level from the proto even when the pack set none (0 = advisory).
    initial = {
        name: {
            **json_format.MessageToDict(value.properties),
            "enforcementLevel": PROTO_TO_LEVEL_EXACT[value.enforcementLevel],
        }
        for name, value in info.initialConfig.items()
    }
    for layer in (initial, given):
        result = _apply(result, layer)

    if not (given or initial or any(required for _, required in schemas.values())):
        # Only the pack's own declared defaults: what `check_pack_defaults` (run by the tests) validates.
        # Skipping it here keeps the schema validator's import off every offline preview.
        return result
    return _validated(info, schemas, result)


def check_pack_defaults(info: analyzer_pb2.AnalyzerInfo) -> dict[str, PolicySettings]:
    """The pack's defaults, validated against its schemas, as the engine validates them on every run."""
    return _validated(info, _schemas(info), reconcile_policy_config(info, None))


def _schemas(info: analyzer_pb2.AnalyzerInfo) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """Each policy's config schema: (properties, required)."""
    return {
        p.name: (
            json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {},
            list(p.configSchema.required) if p.HasField("configSchema") else [],
        )
        for p in info.policies
    }


def _validated(
    info: analyzer_pb2.AnalyzerInfo,
    schemas: Mapping[str, tuple[dict[str, Any], list[str]]],
    result: dict[str, PolicySettings],
) -> dict[str, PolicySettings]:
    errors = [
        f"{name}: {problem}"
        for name, (schema, required) in schemas.items()
        for problem in _schema_errors(schema, required, result[name].properties)
    ]
    if errors:
        raise PolicyConfigError(f"invalid policy config for pack {info.name}: {'; '.join(errors)}")
    return result


def _apply(result: dict[str, PolicySettings], layer: Mapping[str, Any]) -> dict[str, PolicySettings]:
    """One config layer over another (pkg/resource/analyzer/config.go applyConfig)."""
    merged = dict(result)
    if "all" in layer:
        level, _ = _entry("all", layer["all"], "policy config")
        if level is not None:
            merged = {name: PolicySettings(level, settings.properties) for name, settings in merged.items()}
    for name, value in layer.items():
        level, properties = _entry(name, value, "policy config")
        current = merged.get(name, PolicySettings("advisory"))
        merged[name] = PolicySettings(level or current.enforcement_level, {**current.properties, **properties})
    return merged
