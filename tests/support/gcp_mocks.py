"""Pulumi mocks that answer like GCP does, and a monitor that records what the program registers.

The offline preview and the tests both run `__main__.py` unchanged against these. The values follow
GCP's real formats (service-account emails, role and pool resource names, 12-digit project numbers)
so that everything downstream, from the env renderings to the policy pack, sees realistic data. They come from
`tests.support.gcp_declarations`, which the stand-in provider the real engine runs against answers from too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from google.protobuf import json_format
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.settings import get_project, get_stack

from tests.support.analyzer.marshal import secret
from tests.support.default_providers import (
    VERSION_INPUT,
    default_provider_name,
    is_provider_type,
    package_of,
    provider_inputs,
    provider_type,
)
from tests.support.gcp_declarations import (
    COMPUTED_STATE,
    Known,
    computed_state,
    filled_by_provider,
    invoke,
    project_number,
)

__all__ = [
    "COMPUTED_STATE",
    "UNKNOWN",
    "GcpMocks",
    "RecordingMonitor",
    "ResourceRecord",
    "engine_urn",
    "project_number",
]

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


class GcpMocks(Mocks):
    """Answers resource registrations and invokes the way the GCP provider would.

    By default, as after `pulumi up`: every resource has its ID and computed outputs (`COMPUTED_STATE`).
    With `preview=True`, as during `pulumi preview` of a new stack: the provider hands back the inputs
    and nothing else, so the ID and every computed output (the role's `name`, an account's `email` and
    `member`, the pool's `name`, the project's `number` ...) is unknown, and whatever the program builds
    from them reaches the engine, and the policy pack, as unknown with its property dependencies.
    `render_stack` runs the program in the runtime's dry-run mode to match.
    """

    def __init__(self, unsupported_permissions: Iterable[str] = (), *, preview: bool = False) -> None:
        self.unsupported_permissions = frozenset(unsupported_permissions)
        self.preview = preview
        self.calls: list[MockCallArgs] = []
        self.cloud = CreatedCloud()

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        known = {key: value for key, value in args.inputs.items() if value is not None}
        if self.preview:
            return "", known
        known.update(filled_by_provider(args.typ, known, {}))
        resource_id, computed = computed_state(args.typ, args.name, args.inputs, Known(self.cloud))
        state = {**known, **computed}
        self.cloud.put(args.typ, resource_id, state)
        return resource_id, state

    def call(self, args: MockCallArgs) -> dict[str, Any] | tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append(args)
        result, failures = invoke(args.token, args.args, self.unsupported_permissions)
        return (result, failures) if failures else result


class CreatedCloud:
    """What the mocks have created so far, as GCP would hold it: what a later resource's outputs are computed from
    (`gcp_declarations.CloudView`: an internal address from its subnet's range, a secret version's number)."""

    def __init__(self) -> None:
        self._resources: dict[tuple[str, str], Mapping[str, Any]] = {}
        self._lock = threading.Lock()  # the runtime registers from several threads at once

    def put(self, type_token: str, resource_id: str, properties: Mapping[str, Any]) -> None:
        with self._lock:
            self._resources[(type_token, resource_id)] = properties

    def get(self, type_token: str, resource_id: str) -> Mapping[str, Any] | None:
        with self._lock:
            return self._resources.get((type_token, resource_id))

    def ids(self, type_token: str) -> Iterable[str]:
        with self._lock:
            return [resource_id for (kind, resource_id) in self._resources if kind == type_token]


_WIRE_NAMES = {
    "urn": "urn",
    "type": "type",
    "name": "name",
    "parent": "parent",
    "dependencies": "dependencies",
    "propertyDependencies": "property_dependencies",
    "protect": "protect",
    "retainOnDelete": "retain_on_delete",
    "deleteBeforeReplace": "delete_before_replace",
    "additionalSecretOutputs": "additional_secret_outputs",
    "ignoreChanges": "ignore_changes",
    "customTimeouts": "custom_timeouts",
    "inputs": "inputs",
    "outputs": "outputs",
    "provider": "provider",
    "wave": "wave",
}


@dataclass(frozen=True, eq=False)
class ResourceRecord(Mapping[str, Any]):
    """One registered resource as the engine (and so a policy pack) sees it; never changed once made.

    It reads as a mapping under the engine's wire names (`record["propertyDependencies"]`), the shape the
    analyzer driver marshals and the rule fixtures are written in. `provider` is a custom resource's reference
    to the provider resource that manages it, as the analyzer gets it: `{urn, type, name, inputs}`. `wave` is
    its place in the apply order (see `tests.support.render`), filled in with `dataclasses.replace` once the whole
    graph is known.
    """

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool | None
    """None when the program left it unset (the engine's `*bool`: analyzers see `deleteBeforeReplaceDefined`)."""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] | None = None
    """What the engine hands `AnalyzeStack`: a custom resource's state once applied (inputs plus what GCP computes),
    a component's or the root stack's registered outputs; None during `pulumi preview` for a custom resource, and
    before a component registers its outputs, where the engine sends the inputs instead."""
    additional_secret_outputs: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, float] = field(default_factory=dict)
    """Seconds per operation (`create`, `update`, `delete`) the program set, as the engine parses them."""
    provider: dict[str, Any] | None = None
    wave: int = 0

    def __getitem__(self, key: str) -> Any:
        return getattr(self, _WIRE_NAMES[key])

    def __iter__(self) -> Iterator[str]:
        return iter(_WIRE_NAMES)

    def __len__(self) -> int:
        return len(_WIRE_NAMES)


class RecordingMonitor(MockMonitor):
    """A mock resource monitor that records what the engine would register and send to a policy pack.

    Each registration keeps its graph edges and options, not just state; URNs are made as the engine makes them
    (`Deployment.generateURN`: a parent's full qualified type, none for the root stack). The engine's own
    registrations are recorded too (`tests.support.default_providers`): the default provider of each package a custom
    resource or an invoke uses, with its inputs derived from `config` (the stack's config, namespaced keys),
    registered on first use; and each custom resource's `provider`. `root` is the root stack.
    """

    def __init__(
        self,
        mocks: Mocks,
        on_register: Callable[[ResourceRecord], None] | None = None,
        config: Mapping[str, Any] | None = None,
        *,
        project: str | None = None,
        stack: str | None = None,
    ) -> None:
        super().__init__(mocks)
        # The URNs' project and stack, when the caller knows them: the SDK's settings are not what the runtime's
        # RPC threads see in every pulumi release (3.237 gives them its defaults, `project` and `stack`).
        self.project, self.stack = project, stack
        self.registrations: dict[str, ResourceRecord] = {}
        self.root: ResourceRecord | None = None
        self.on_register = on_register
        self.config = dict(config or {})
        self._providers_lock = threading.Lock()  # the runtime registers from several threads at once

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return engine_urn(self.stack or get_stack(), self.project or get_project(), parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        custom = bool(request.custom) or bool(request.remote)
        provider = self._provider(request) if custom and not is_provider_type(request.type) else None
        response = super().RegisterResource(request)
        for key in request.additionalSecretOutputs:  # the engine marks these secret before the program sees them
            if key in response.object.fields:
                response.object[key] = secret(json_format.MessageToDict(response.object)[key])
        if request.type == ROOT_STACK_TYPE:
            self.root = self._record(request, response.urn, {}, None)
            self._registered(self.root)
            return response
        inputs = _wire(request.object)
        if is_provider_type(request.type) and request.version:
            inputs[VERSION_INPUT] = request.version  # the engine's SetProviderVersion on an explicit provider
        self.registrations[response.urn] = self._record(request, response.urn, inputs, provider)
        self._registered(self.registrations[response.urn])
        return response

    def _outputs(self, request: Any, urn: str) -> dict[str, Any] | None:
        """What the mocks answered for a custom resource after `pulumi up`; None at preview (inputs stand in)."""
        if not request.custom or getattr(self.mocks, "preview", False) or urn not in self.resources:
            return None
        outputs = _plain(dict(self.resources[urn].state))
        for key in request.additionalSecretOutputs:
            if key in outputs:
                outputs[key] = secret(outputs[key])
        return outputs

    def _record(
        self, request: Any, urn: str, inputs: dict[str, Any], provider: ResourceRecord | None
    ) -> ResourceRecord:
        reference = None
        if provider is not None:
            reference = {"urn": provider.urn, "type": provider.type, "name": provider.name, "inputs": provider.inputs}
        return ResourceRecord(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=bool(request.custom),
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={
                key: sorted(set(deps.urns)) for key, deps in sorted(request.propertyDependencies.items()) if deps.urns
            },
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace) if request.deleteBeforeReplaceDefined else None,
            inputs=inputs,
            outputs=self._outputs(request, urn),
            provider=reference,
            additional_secret_outputs=list(request.additionalSecretOutputs),
            ignore_changes=list(request.ignoreChanges),
            custom_timeouts=custom_timeouts(request),
        )

    def RegisterResourceOutputs(self, request: Any) -> Any:
        """A component's (or the root stack's) outputs: what the engine hands `AnalyzeStack` for it."""
        outputs = _wire(request.outputs)
        with self._providers_lock:
            if self.root is not None and request.urn == self.root.urn:
                self.root = replace(self.root, outputs=outputs)
            elif request.urn in self.registrations:
                self.registrations[request.urn] = replace(self.registrations[request.urn], outputs=outputs)
        return super().RegisterResourceOutputs(request)

    def _registered(self, record: ResourceRecord) -> None:
        if self.on_register is not None:
            self.on_register(record)

    def Invoke(self, request: Any) -> Any:
        # An invoke without a provider gets its package's default provider too (`pulumi` is the engine's builtins).
        package = package_of(request.tok)
        if not request.provider and package != "pulumi":
            self._default_provider(package, request.version, request.pluginDownloadURL)
        return super().Invoke(request)

    def _provider(self, request: Any) -> ResourceRecord | None:
        """The provider resource that will manage this registration: the one it names, or the engine's default."""
        if request.provider:
            return self.registrations.get(_reference_urn(request.provider))
        return self._default_provider(package_of(request.type), request.version, request.pluginDownloadURL)

    def _default_provider(self, package: str, version: str, plugin_download_url: str) -> ResourceRecord:
        """The engine's default provider for this package and version, registered (and announced) on first use."""
        type_ = provider_type(package)
        name = default_provider_name(version, plugin_download_url)
        urn = self.make_urn("", type_, name)
        with self._providers_lock:
            record = self.registrations.get(urn)
            if record is None:
                record = ResourceRecord(
                    urn=urn,
                    type=type_,
                    name=name,
                    parent="",
                    custom=True,
                    dependencies=[],
                    property_dependencies={},
                    protect=False,
                    retain_on_delete=False,
                    delete_before_replace=None,
                    inputs=provider_inputs(package, self.config, version),
                )
                self.registrations[urn] = record
                self._registered(record)
        return record


_DURATION = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def custom_timeouts(request: Any) -> dict[str, float]:
    """The registration's custom timeouts in seconds, as the engine parses them (Go's `time.ParseDuration`)."""
    if not request.HasField("customTimeouts"):
        return {}
    timeouts = {}
    for operation in ("create", "update", "delete"):
        text = getattr(request.customTimeouts, operation)
        if text:
            timeouts[operation] = sum(float(n) * _SECONDS[unit] for n, unit in _DURATION.findall(text))
    return timeouts


def engine_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The URN the engine gives a registration (`Deployment.generateURN`): the parent's full qualified type
    before the type, none for the root stack."""
    qualified = parent.split("::")[2] if parent else ""
    if qualified and qualified != ROOT_STACK_TYPE:
        type_ = f"{qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def _reference_urn(reference: str) -> str:
    """The URN of a provider reference `<urn>::<id>` (pulumi/pulumi sdk/go/common/providers/reference.go)."""
    return reference.rsplit("::", 1)[0]


UNKNOWN = rpc.UNKNOWN
"""The engine's wire sentinel for a value unknown until apply (what a policy pack receives)."""


def _wire(struct: Any) -> dict[str, Any]:
    """Properties as the SDK sent them and the engine keeps them: JSON data with the engine's markers (the unknown
    sentinel, secrets and resource references as signature objects), nulls inside objects and lists kept (the
    SDK's own deserializer drops them; the engine does not), internal `__` keys dropped, sorted."""
    return _plain(json_format.MessageToDict(struct))


def _plain(value: Any) -> Any:
    """Inputs as JSON-ready data, sorted, Pulumi's internal markers dropped, unknowns as the wire sentinel."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items()) if not k.startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
