"""What every rule is made of: metadata a user reads, and a pure check a test can call directly.

Checks never see pulumi-policy objects: a resource check takes `(type, props, config)` and returns
messages (a registration check takes `(type, name, parent, props, config)`); a stack check takes
`StackResource`s, its config and what the engine says about the stack (`EngineStack`) and returns `(urn, message)`
pairs. `pack.py` adapts them to `ResourceValidationPolicy` /
`StackValidationPolicy`, so the same function is exercised by fast unit tests and, over gRPC, by the engine.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import EnforcementLevel, Severity


@dataclass(frozen=True)
class RuleInfo:
    """Stable name, one-sentence description, severity, remediation, default level, config schema.

    `equivalents` names the Checkov / Trivy / Google Policy Library checks that cover the same ground,
    so a team coming from those tools can map findings one to one.
    """

    name: str
    description: str
    severity: Severity
    enforcement: EnforcementLevel
    remediation: str
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    equivalents: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    def settings(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Schema defaults overlaid with the given config.

        The engine already fills defaults before `Configure`; doing it again here keeps a rule
        correct under a driver that does not (the Python SDK itself fills nothing).
        """
        values = dict(given or {})
        for key, spec in self.config.items():
            if key not in values and "default" in spec:
                values[key] = copy.deepcopy(spec["default"])
        return values


ResourceCheck = Callable[[str, dict[str, Any], Mapping[str, Any]], list[str]]
RegistrationCheck = Callable[[str, str, str, dict[str, Any], Mapping[str, Any]], list[str]]
"""`(type, name, parent, props, config)`: a resource check that also reads how the resource was registered."""


@dataclass(frozen=True)
class ResourceRule:
    """A rule judged on one resource's inputs at a time (`Analyze`)."""

    info: RuleInfo
    check: ResourceCheck

    def evaluate(
        self,
        resource_type: str,
        props: dict[str, Any],
        config: Mapping[str, Any] | None = None,
        *,
        name: str = "",
        parent: str = "",
    ) -> list[str]:
        """`name` and `parent` are the resource's as the engine registered it; only a `RegistrationRule` reads them."""
        return self.check(resource_type, props, self.info.settings(config))


@dataclass(frozen=True)
class RegistrationRule(ResourceRule):
    """A resource rule that also reads how the resource was registered: its name and its parent.

    The engine's own provider resources are told from a program's only by these: a default provider has no
    parent, and the engine names it after the version (and plugin download URL) it runs.
    """

    check: RegistrationCheck

    def evaluate(
        self,
        resource_type: str,
        props: dict[str, Any],
        config: Mapping[str, Any] | None = None,
        *,
        name: str = "",
        parent: str = "",
    ) -> list[str]:
        return self.check(resource_type, name, parent, props, self.info.settings(config))


@dataclass(frozen=True)
class StackResource:
    """A resource as a stack rule sees it: outputs plus its place in the graph."""

    urn: str
    type: str
    name: str
    props: dict[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineStack:
    """What the engine says about the stack under analysis, as opposed to anything the stack says about itself.

    `name` is the stack name of the engine's `ConfigureStack` request (`pulumi up --stack <name>`: the name the
    platform's pipeline selected, which no stack file, label or resource name can change); None when the engine
    sent none, which a rule that needs it treats as "cannot tell", never as some default stack.
    """

    name: str | None = None


StackCheck = Callable[[Sequence[StackResource], Mapping[str, Any], EngineStack], list[tuple[str, str]]]


@dataclass(frozen=True)
class StackRule:
    """A rule judged on the whole stack at once (`AnalyzeStack`)."""

    info: RuleInfo
    check: StackCheck

    def evaluate(
        self,
        resources: Sequence[StackResource],
        config: Mapping[str, Any] | None = None,
        engine: EngineStack | None = None,
    ) -> list[tuple[str, str]]:
        return self.check(resources, self.info.settings(config), engine or EngineStack())


Rule = ResourceRule | StackRule


def all_of(*checks: ResourceCheck) -> ResourceCheck:
    """One resource check that reports what each of `checks` reports, in order (one rule judging several things)."""

    def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
        return [message for each in checks for message in each(resource_type, props, config)]

    return check


def string_list(description: str, default: Iterable[str]) -> dict[str, Any]:
    """JSON-schema property for a list of strings, with its default (what the engine fills in)."""
    return {"type": "array", "items": {"type": "string"}, "default": list(default), "description": description}


def matches_any(value: str, patterns: Iterable[str]) -> bool:
    """Exact or glob (`roles/*.serviceAgent`) match; globs make allowlists readable without regexes."""
    return any(value == p or fnmatch.fnmatchcase(value, p) for p in patterns)
