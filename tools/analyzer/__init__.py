"""Drive a Pulumi policy pack over the analyzer gRPC protocol exactly as the Pulumi engine does.

One concern per module: `config` (the `--policy-pack-config` file and the engine's reconciliation),
`marshal` (records into the engine's protobuf shapes), `engine` (the engine service a pack may dial),
`server` (the pack process and the protocol calls), `levels` (enforcement levels and verdicts).
"""

from tools.analyzer.config import (
    PolicyConfigError,
    PolicySettings,
    load_policy_config,
    reconcile_policy_config,
    validate_policy_config,
)
from tools.analyzer.engine import EngineLog
from tools.analyzer.levels import ENFORCEMENT_LEVELS, Violation
from tools.analyzer.marshal import UNKNOWN, analyze_request, analyzer_resource, marshal_value, root_stack_urn, to_struct
from tools.analyzer.server import DEFAULT_PACK_DIR, PolicyPackError, PolicyPackServer, run_policy_pack

__all__ = [
    "DEFAULT_PACK_DIR",
    "ENFORCEMENT_LEVELS",
    "UNKNOWN",
    "EngineLog",
    "PolicyConfigError",
    "PolicyPackError",
    "PolicyPackServer",
    "PolicySettings",
    "Violation",
    "analyze_request",
    "analyzer_resource",
    "load_policy_config",
    "marshal_value",
    "reconcile_policy_config",
    "root_stack_urn",
    "run_policy_pack",
    "to_struct",
    "validate_policy_config",
]
