"""No dynamic resources: the engine hides their code from every policy pack, so nothing can judge what they do.

A dynamic resource (`pulumi-python:dynamic/<module>:<Name>`, `pulumi-nodejs:dynamic:Resource`, ...) is code the
program hands the engine to run as a provider: its create, update and delete run in the deployer's process with
the deployer's credentials, and can call anything. The engine strips that code (the pickled or serialized
`__provider`) from the inputs before any analyzer sees them, and the engine's own provider for it
(`pulumi:providers:pulumi-python`, `pulumi:providers:pulumi-nodejs`) is told only the stack's config. A pack can
read the inputs, never what will be done with them: two dynamic resources with the same type and inputs may do
anything. So every one is refused, and so is the engine's dynamic provider, whatever the type list allows.

The claude-vertex program registers none: its readiness gate waits inside the program (claude_vertex/resources/
readiness_gate.py). This rule holds for any stack, and is one of the generic rules (`config.generic.json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..provider_settings import DYNAMIC_PACKAGES, PROVIDER_TYPE_PREFIX
from .base import ResourceRule, RuleInfo

# A language SDK's dynamic provider package: `pulumi-python`, `pulumi-nodejs`, and whichever language adds one.
_LANGUAGE_PACKAGE = re.compile(r"pulumi-[a-z0-9]+")


def dynamic_package(package: str, module: str = "dynamic") -> bool:
    """Does this package (and module) belong to a language SDK's dynamic provider?"""
    return package in DYNAMIC_PACKAGES or (
        _LANGUAGE_PACKAGE.fullmatch(package) is not None and module.startswith("dynamic")
    )


def dynamic_kind(resource_type: str) -> str | None:
    """'a dynamic resource' or 'the engine's dynamic provider' for such a type, None for anything else."""
    if resource_type.startswith(PROVIDER_TYPE_PREFIX):
        return "the engine's dynamic provider" if dynamic_package(resource_type[len(PROVIDER_TYPE_PREFIX) :]) else None
    package, _, rest = resource_type.partition(":")
    module = rest.partition(":")[0]
    return "a dynamic resource" if dynamic_package(package, module) else None


def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    kind = dynamic_kind(resource_type)
    if kind is None:
        return []
    return [
        f"{resource_type} is {kind}: the engine hides a dynamic resource's code from every policy pack, so no rule "
        "can tell what it does with the deployer's credentials."
    ]


NO_DYNAMIC_RESOURCES = ResourceRule(
    RuleInfo(
        name="no-dynamic-resources",
        description="No dynamic resources and no dynamic provider (pulumi-python, pulumi-nodejs): the engine hides "
        "their code from the pack.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Replace the dynamic resource with a resource of a provider package (or, for a wait or a "
        "lookup, with code in the program itself, as claude-vertex's readiness gate does), so that what it does "
        "is a resource type and inputs the pack can judge.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("deny-by-default", "inventory"),
    ),
    check,
)
