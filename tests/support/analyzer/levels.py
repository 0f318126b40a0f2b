"""Enforcement levels and verdicts: how the engine names a policy's severity, and what a diagnostic becomes."""

from __future__ import annotations

from dataclasses import dataclass

from pulumi.runtime.proto import analyzer_pb2

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")

LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
PROTO_TO_LEVEL_EXACT = {value: name for name, value in LEVEL_TO_PROTO.items()}
# The engine downgrades `remediate` diagnostics to `mandatory` (a remediation that still violates).
PROTO_TO_LEVEL = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
}


SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
"""How the engine names a severity in its policy events; unspecified is `""` (pkg/resource/plugin `convertSeverity`)."""


@dataclass(frozen=True, order=True)
class Violation:
    """One policy diagnostic as the engine reports it: which policy, how severe, on which resource.

    `level` is `advisory` or `mandatory`: like the engine, a `remediate` policy that still finds a
    violation is reported as `mandatory`. `message` is the policy's description, a newline, and the detail.
    `severity` is the diagnostic's, else its policy's (`""` for a remediation's diagnostic), as the engine reports it.
    """

    policy: str
    level: str
    urn: str
    message: str
    severity: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "policy": self.policy,
            "level": self.level,
            "urn": self.urn,
            "message": self.message,
            "severity": self.severity,
        }
