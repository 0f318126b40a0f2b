"""Adapters from the pure rules to pulumi-policy's Policy objects (with `engine.py`, the only SDK-facing code)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from . import engine
from .rules import RULES, ResourceRule, Rule, StackResource, StackRule
from .values import plain


def _schema(rule: Rule) -> PolicyConfigSchema | None:
    return (
        PolicyConfigSchema(properties={k: dict(v) for k, v in rule.info.config.items()}) if rule.info.config else None
    )


def _common(rule: Rule) -> dict[str, Any]:
    """What every policy declares, resource or stack: name, text, level, schema, severity, remediation."""
    return {
        "name": rule.info.name,
        "description": rule.info.description,
        "enforcement_level": rule.info.enforcement,
        "config_schema": _schema(rule),
        "severity": rule.info.severity,
        "tags": list(rule.info.tags),
        "remediation_steps": rule.info.remediation,
    }


def resource_policy(rule: ResourceRule) -> ResourceValidationPolicy:
    """`Analyze`: run the check on the plain inputs; unknowns never raise inside the SDK's proxy."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        registration = {"name": args.name, "parent": args.opts.parent or ""}
        for message in rule.evaluate(args.resource_type, plain(args.props), args.get_config(), **registration):
            report(message, None)

    return ResourceValidationPolicy(
        validate=validate,
        **_common(rule),
    )


def stack_resource(resource: PolicyResource) -> StackResource:
    """Flatten a `PolicyResource` (with object links) into URNs, which is all the checks need."""
    return StackResource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        props=plain(resource.props),
        parent=resource.parent.urn if resource.parent is not None else None,
        dependencies=tuple(d.urn for d in resource.dependencies),
        property_dependencies={k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()},
    )


def stack_policy(rule: StackRule) -> StackValidationPolicy:
    """`AnalyzeStack`: violations carry the URN of the resource at fault; the engine's word on the stack rides along."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = [stack_resource(r) for r in args.resources]
        for urn, message in rule.evaluate(resources, args.get_config(), engine.stack()):
            report(message, urn)

    return StackValidationPolicy(
        validate=validate,
        **_common(rule),
    )


def build_policies() -> list[Policy]:
    """Every rule as a pulumi-policy Policy, in catalogue order, with the analyzer keeping the engine's stack name."""
    engine.listen()
    return [resource_policy(r) if isinstance(r, ResourceRule) else stack_policy(r) for r in RULES]
