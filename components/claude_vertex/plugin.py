"""The component provider that serves `ClaudeVertexTeam` to every other Pulumi language.

`pulumi package add <repo>/components@vX.Y.Z` (TypeScript, Go, YAML, ...) installs `components/` as a source
plugin (`components/PulumiPlugin.yaml`); the Python language host runs `components/__main__.py`, which calls
`main()` here. The package schema, and so every generated SDK, comes from the SDK's own analyzer reading
`ClaudeVertexTeam`'s annotations (`claude_vertex/args.py`, the outputs declared in `team.py`); its version is
the installed distribution's, so a consumer's schema names the tag they added.

What this adds to the SDK's `ComponentProvider` is the input side. The SDK maps the engine's inputs onto the
schema and drops what does not fit: a key the schema lacks is dropped silently, and an object input that
carries dependencies arrives as an `Output` and is mapped as `{}`, losing every value nested in it (a YAML
program's `guardrails: {budget: {billingAccount: ${acct.id}}}` would lose its guardrails). An exception from
the component's constructor reaches the engine as a traceback. Here the inputs are refused or accepted whole,
before anything registers, as the `INVALID_ARGUMENT` the engine prints against the field:

* every value must be plain and known when the program is planned, at any depth: the team's config decides
  which resources exist, so an output of another resource, a secret or an unknown is refused, naming its path;
* the rest is validated by the stack file's own pydantic models (`parse_config`), unknown keys included, and
  a bad value is refused with the key, the value and what is allowed: the line a stack file gets.

Construction then starts from the validated config and cannot fail half-way for a config reason.

`component_provider_host` is not used: it builds the SDK's `ComponentProvider` itself, with no way to
substitute the input mapping. `main()` does the rest of what it does, serving the provider with the SDK's
`pulumi.provider.main`: the port on stdout, the engine address from the arguments.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from packaging.version import InvalidVersion, Version
from pulumi import Output, Resource, ResourceOptions
from pulumi.asset import Archive, Asset
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.output import Unknown
from pulumi.provider import ConstructResult
from pulumi.provider import main as serve
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.server import ComponentInitError
from pulumi.runtime.rpc import is_rpc_secret

from claude_vertex.config import ConfigError, StackConfig, parse_config
from claude_vertex.team import TYPE_TOKEN, ClaudeVertexTeam, input_error

PACKAGE = TYPE_TOKEN.split(":", 1)[0]
"""The Pulumi package name, `claude-vertex`: also the distribution's name (components/pyproject.toml)."""

UNVERSIONED = "0.0.0"
"""The version served when the distribution is not installed (the SDK's own default)."""

PLAIN_VALUE_RULE = (
    "must be a plain value known when the program is planned, not {what}: the team's config decides which "
    "resources the component creates"
)


def package_version() -> str:
    """The installed distribution's version as the semantic version a package schema must carry."""
    try:
        return semantic_version(importlib.metadata.version(PACKAGE))
    except importlib.metadata.PackageNotFoundError:
        return UNVERSIONED


def semantic_version(text: str) -> str:
    """A PEP 440 version as SemVer 2.0: `1.2.3` stays, a build between tags (`1.2.4.dev3+g1a2b3c4`, what
    hatch-vcs makes) becomes `1.2.4-dev.3+g1a2b3c4`, ordered the same way; a post-release is build metadata."""
    try:
        version = Version(text)
    except InvalidVersion:
        return UNVERSIONED
    major, minor, patch = (*version.release, 0, 0)[:3]
    pre: list[str] = []
    if version.pre is not None:
        pre += [version.pre[0], str(version.pre[1])]
    if version.dev is not None:
        pre += ["dev", str(version.dev)]
    build: list[str] = []
    if version.post is not None:
        build += ["post", str(version.post)]
    if version.local is not None:
        build += version.local.split(".")
    return f"{major}.{minor}.{patch}" + (f"-{'.'.join(pre)}" if pre else "") + (f"+{'.'.join(build)}" if build else "")


def _tidy(node: Any) -> Any:
    """The schema with every description as a reader sees it: docstring indentation removed."""
    if isinstance(node, dict):
        return {
            k: inspect.cleandoc(v) if k == "description" and isinstance(v, str) else _tidy(v) for k, v in node.items()
        }
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


class TeamProvider(ComponentProvider):
    """The SDK's component provider for `ClaudeVertexTeam`, with inputs validated as a stack file is."""

    def __init__(self, version: str | None = None) -> None:
        super().__init__([ClaudeVertexTeam], PACKAGE, None, version or package_version())
        self.schema = json.dumps(_tidy(json.loads(self.schema or "{}")))

    def construct(
        self, name: str, resource_type: str, inputs: Mapping[str, Any], options: ResourceOptions | None = None
    ) -> ConstructResult:
        self.validate_resource_type(PACKAGE, resource_type)
        if resource_type.rsplit(":", 1)[-1] != ClaudeVertexTeam.__name__:
            raise ValueError(f"unknown resource type {resource_type}; this package has {TYPE_TOKEN}")
        config = team_config(name, inputs)
        try:
            team = ClaudeVertexTeam.from_config(name, config, options)
        except Exception as error:
            raise ComponentInitError(error) from error
        return ConstructResult(team.urn, self.get_state(team, self._component_defs[ClaudeVertexTeam.__name__]))


def team_config(name: str, inputs: Mapping[str, Any]) -> StackConfig:
    """The validated config of the team `name` from the engine's inputs; `InputPropertiesError` naming each bad
    field, its message the line a Python program gets for the same input."""
    refusals = [
        InputPropertyErrorDetails(property_path=path, reason=PLAIN_VALUE_RULE.format(what=what))
        for path, what in not_plain(inputs)
    ]
    if refusals:
        first = refusals[0]
        raise InputPropertiesError(
            f"invalid {ClaudeVertexTeam.__name__} {name!r} input {first['property_path']}: {first['reason']}", refusals
        )
    try:
        return parse_config(as_yaml_reads(inputs))
    except ConfigError as error:
        raise InputPropertiesError(
            str(input_error(name, error)), [InputPropertyErrorDetails(property_path=error.key, reason=error.allowed)]
        ) from None


def not_plain(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Each place in the inputs (`guardrails`, `access.members[0]`) holding what is not a plain value, and what
    it holds instead. The SDK hands an input with dependencies or a secret as an `Output`, an unknown value as
    `Unknown`, a resource reference as the resource."""
    if isinstance(value, Output) or is_rpc_secret(value):
        yield path, "an output of another resource or a secret"
    elif isinstance(value, Unknown):
        yield path, "a value unknown until the deployment"
    elif isinstance(value, Resource):
        yield path, "a resource"
    elif isinstance(value, Asset | Archive):
        yield path, "an asset or archive"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from not_plain(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from not_plain(item, f"{path}[{index}]")


def as_yaml_reads(value: Any) -> Any:
    """The inputs as a stack file's YAML would give them: the wire has one number type, so a whole number
    (`requestsPerMinute: 100`) arrives as `100.0` and becomes `100` again; a fraction stays a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: as_yaml_reads(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_yaml_reads(item) for item in value]
    return value


def main() -> None:
    """Serve the provider as the engine expects: gRPC on a free port, printed on stdout."""
    serve(TeamProvider(), sys.argv[1:])
