"""Drive a Pulumi policy pack over the analyzer gRPC protocol exactly as the Pulumi engine does.

One concern per module: `config` (the `--policy-pack-config` file and the engine's reconciliation),
`marshal` (records into the engine's protobuf shapes), `levels` (enforcement levels and verdicts),
`engine` (the engine service a pack may dial), `process` (the pack's process: launch, port, kill),
`server` (the protocol calls over a running pack).

Names are loaded on first use, so that `tests.support.analyzer.process` can start a pack before anything
imports grpc or pulumi (see `tools.preview`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "PolicyConfigError": "config",
    "PolicySettings": "config",
    "check_pack_defaults": "config",
    "load_policy_config": "config",
    "reconcile_policy_config": "config",
    "validate_policy_config": "config",
    "EngineLog": "engine",
    "ENFORCEMENT_LEVELS": "levels",
    "Violation": "levels",
    "UNKNOWN": "marshal",
    "analyze_request": "marshal",
    "analyzer_resource": "marshal",
    "is_secret": "marshal",
    "marshal_value": "marshal",
    "root_stack_urn": "marshal",
    "secret": "marshal",
    "to_struct": "marshal",
    "PackProcess": "process",
    "PolicyPackError": "process",
    "launch_pack_process": "process",
    "DEFAULT_PACK_DIR": "server",
    "Judgement": "server",
    "PolicyPackServer": "server",
    "run_policy_pack": "server",
}
__all__ = [
    "DEFAULT_PACK_DIR",
    "ENFORCEMENT_LEVELS",
    "UNKNOWN",
    "EngineLog",
    "Judgement",
    "PackProcess",
    "PolicyConfigError",
    "PolicyPackError",
    "PolicyPackServer",
    "PolicySettings",
    "Violation",
    "analyze_request",
    "analyzer_resource",
    "check_pack_defaults",
    "is_secret",
    "launch_pack_process",
    "load_policy_config",
    "marshal_value",
    "reconcile_policy_config",
    "root_stack_urn",
    "run_policy_pack",
    "secret",
    "to_struct",
    "validate_policy_config",
]

if TYPE_CHECKING:
    from tests.support.analyzer.config import (
        PolicyConfigError,
        PolicySettings,
        check_pack_defaults,
        load_policy_config,
        reconcile_policy_config,
        validate_policy_config,
    )
    from tests.support.analyzer.engine import EngineLog
    from tests.support.analyzer.levels import ENFORCEMENT_LEVELS, Violation
    from tests.support.analyzer.marshal import (
        UNKNOWN,
        analyze_request,
        analyzer_resource,
        is_secret,
        marshal_value,
        root_stack_urn,
        secret,
        to_struct,
    )
    from tests.support.analyzer.process import PackProcess, PolicyPackError, launch_pack_process
    from tests.support.analyzer.server import DEFAULT_PACK_DIR, Judgement, PolicyPackServer, run_policy_pack


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tests.support.analyzer' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tests.support.analyzer.{module}"), name)
    globals()[name] = value
    return value
