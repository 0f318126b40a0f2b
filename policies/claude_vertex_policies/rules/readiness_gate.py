"""The readiness gate sends the deployer's token to exactly Google's IAM endpoint, and nothing else rides on it.

The gate (`pulumi-python:dynamic/readiness:IamReady`, resources/readiness_gate.py) is a dynamic resource: its
code runs in the deployer's process, with the deployer's Application Default Credentials, and sends a bearer
token to `endpoint`. An endpoint of the stack's choosing would hand that token to whoever runs it.

What this rule cannot see: the engine strips a dynamic resource's pickled `__provider` (its code) before any
policy pack is called, so the pack cannot tell the program's gate from other code registered under the same
type name. It holds the one thing it can see, the inputs, to exactly the program's: the pinned endpoint and
service, and the project. Once the gate is replaced by a provider the engine can name (a package of its own),
every dynamic resource is to be refused by `allowed-resource-types` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..values import shown
from .base import ResourceRule, RuleInfo

GATE = "pulumi-python:dynamic/readiness:IamReady"
# The program's inputs, and the value each must have (None: any project; the gate only reads it).
GATE_INPUTS: dict[str, str | None] = {
    "project": None,
    "service": "iam.googleapis.com",
    "endpoint": "https://iam.googleapis.com",
}


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != GATE:
        return []
    messages = [
        f"The readiness gate sets {key}, which is not one of the program's inputs ({', '.join(GATE_INPUTS)}): "
        "the pack cannot see the gate's code, so it allows exactly the program's inputs."
        for key in props
        if key not in GATE_INPUTS
    ]
    for key, pinned in GATE_INPUTS.items():
        if pinned is not None and props.get(key) != pinned:
            messages.append(
                f"The readiness gate's {key} is {shown(props.get(key)) if key in props else 'missing'}, not "
                f"{pinned}: the gate sends the deployer's token to its endpoint, which is pinned to Google's IAM."
            )
    return messages


READINESS_GATE_PINNED = ResourceRule(
    RuleInfo(
        name="readiness-gate-pinned",
        description="The IAM readiness gate has exactly the program's inputs, its endpoint pinned to "
        "https://iam.googleapis.com.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Use the program's gate (resources.readiness_gate.IamReady) with its defaults: it polls "
        "https://iam.googleapis.com for the team project. Any other endpoint would receive the deployer's token.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("credentials", "deny-by-default"),
    ),
    check,
)
