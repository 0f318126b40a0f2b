"""What the real engine recorded, side by side with what the offline emulation registered, in one comparable shape.

The engine's side is its checkpoint (`pulumi stack export`): every resource with its inputs as the provider's `Check`
returned them, its parent, dependencies, provider reference and options. The emulation's side is a `Rendering`
(`tests.support.render`): what the program registered under the mocks. A resource is compared by its URN with the
project taken out (two programs of different project names can register the same resources), and by what a change
to it would show: type, parent, dependencies, property dependencies, provider, `retainOnDelete`, `protect`, and a
custom resource's inputs. (A component's inputs differ by language and mean nothing to the engine: a Python component
registers none, a remote one registers what its program passed. `deleteBeforeReplace` is not in a checkpoint. A
provider's `__internal` inputs, its plugin URL and checksums, are in the checkpoint but stripped before any analyzer
sees them, so the emulation has none: left out here.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tests.support.gcp_mocks import ResourceRecord
from tests.support.render import Rendering

PROJECT_PLACEHOLDER = "<project>"
INTERNAL = "__internal"


def project_neutral(urn: str, project: str) -> str:
    """`urn:pulumi:dev::claude-vertex-teams::...` as `urn:pulumi:dev::<project>::...`, the root stack's name too."""
    if not urn:
        return urn
    head, separator, rest = urn.partition(f"::{project}::")
    if not separator:
        return urn
    if rest.startswith("pulumi:pulumi:Stack::"):  # the root stack is named `<project>-<stack>`
        rest = rest.replace(f"::{project}-", f"::{PROJECT_PLACEHOLDER}-", 1)
    return f"{head}::{PROJECT_PLACEHOLDER}::{rest}"


def _provider_urn(reference: str) -> str:
    """A checkpoint's provider reference (`<provider URN>::<provider ID>`) without its ID."""
    return reference.rsplit("::", 1)[0] if reference else ""


def _comparable(
    project: str,
    *,
    urn: str,
    type_: str,
    custom: bool,
    parent: str,
    dependencies: Iterable[str],
    property_dependencies: Mapping[str, Iterable[str]],
    provider: str,
    retain_on_delete: bool,
    protect: bool,
    inputs: Mapping[str, Any],
) -> tuple[str, dict[str, Any]]:
    def neutral(urn: str) -> str:
        return project_neutral(urn, project)

    return neutral(urn), {
        "type": type_,
        "custom": custom,
        "parent": neutral(parent),
        "dependencies": sorted({neutral(u) for u in dependencies}),
        "propertyDependencies": {
            key: sorted({neutral(u) for u in urns}) for key, urns in property_dependencies.items() if urns
        },
        "provider": neutral(provider),
        "retainOnDelete": retain_on_delete,
        "protect": protect,
        "inputs": dict(inputs) if custom else None,
    }


def engine_resources(deployment: Mapping[str, Any], project: str) -> dict[str, dict[str, Any]]:
    """The resources of a checkpoint (`pulumi stack export`'s `deployment`), by project-neutral URN."""
    return dict(
        _comparable(
            project,
            urn=resource["urn"],
            type_=resource["type"],
            custom=bool(resource.get("custom")),
            parent=resource.get("parent", ""),
            dependencies=resource.get("dependencies") or (),
            property_dependencies=resource.get("propertyDependencies") or {},
            provider=_provider_urn(resource.get("provider", "")),
            retain_on_delete=bool(resource.get("retainOnDelete")),
            protect=bool(resource.get("protect")),
            inputs={key: value for key, value in (resource.get("inputs") or {}).items() if key != INTERNAL},
        )
        for resource in deployment.get("resources") or ()
    )


def _offline(record: ResourceRecord, project: str) -> tuple[str, dict[str, Any]]:
    return _comparable(
        project,
        urn=record.urn,
        type_=record.type,
        custom=record.custom,
        parent=record.parent,
        dependencies=record.dependencies,
        property_dependencies=record.property_dependencies,
        provider=(record.provider or {}).get("urn", ""),
        retain_on_delete=record.retain_on_delete,
        protect=record.protect,
        inputs=record.inputs,
    )


def offline_resources(rendering: Rendering) -> dict[str, dict[str, Any]]:
    """The root stack and every registration of an offline rendering, by project-neutral URN."""
    records = [rendering.root, *rendering.resources] if rendering.root is not None else rendering.resources
    return dict(_offline(record, rendering.project) for record in records)


def differences(engine: Mapping[str, Mapping[str, Any]], offline: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per difference: a resource only one side has, or a field the two sides disagree on."""
    lines = [f"only the engine: {urn}" for urn in sorted(set(engine) - set(offline))]
    lines += [f"only offline: {urn}" for urn in sorted(set(offline) - set(engine))]
    for urn in sorted(set(engine) & set(offline)):
        for field, value in engine[urn].items():
            if value != offline[urn][field]:
                lines.append(f"{urn} {field}: engine {value!r}, offline {offline[urn][field]!r}")
    return lines
