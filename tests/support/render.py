"""Run the Pulumi program unchanged under mocks and capture what `pulumi up` would register.

This is how the offline preview, the tests and the benchmark see the program: the same
`__main__.py`, the same config path the CLI uses (project defaults, then the stack file, namespaced
keys), the real Pulumi runtime with a mock monitor in place of the engine, and a local stand-in for the one
Google API the program calls itself (IAM, which it waits for under `pulumi up`: `tests.support.gcp_iam`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import runpy
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.output import Unknown
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import massage

from tests.support.engine_config import engine_config
from tests.support.gcp_iam import google_environment, stand_in_iam
from tests.support.gcp_mocks import GcpMocks, RecordingMonitor, ResourceRecord
from tools.stack_file import ROOT, StackFileError, read_project, read_stack_config

__all__ = [
    "ROOT",
    "Rendering",
    "StackFileError",
    "engine_config",
    "read_project",
    "read_stack_config",
    "render_stack",
]


@dataclass
class Rendering:
    project: str
    stack: str
    resources: list[ResourceRecord]
    outputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    preview: bool = False
    """Rendered as during `pulumi preview`: computed outputs unknown."""
    root: ResourceRecord | None = None
    """The root stack resource (`pulumi:pulumi:Stack`), which `resources` leaves out: it is no API call."""

    @property
    def analyzed(self) -> list[ResourceRecord]:
        """What the engine sends the policy pack: the root stack (its exports as its outputs, for `AnalyzeStack`),
        then every registration (its providers too)."""
        return [self.root, *self.resources] if self.root is not None else list(self.resources)


class _ListHandler(logging.Handler):
    """Keeps the program's `pulumi.log.warn` messages so the preview can show them as the CLI would."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_stack(
    stack: str,
    config: Mapping[str, Any],
    *,
    root: Path = ROOT,
    mocks: GcpMocks | None = None,
    project: str | None = None,
    on_register: Callable[[ResourceRecord], None] | None = None,
    google: Mapping[str, str] | None = None,
) -> Rendering:
    """Run `root/__main__.py` with `config` (namespaced keys) and return what it registered and exported.

    `on_register` sees each resource as it is registered (on the runtime's RPC threads), as the engine's
    step generator does: the engine calls the policy pack's `Analyze` there, while the program runs. The
    engine's own registrations come too: the root stack, and each default provider (inputs from `config`)
    before the first resource it serves.

    `google` is the environment the program's own IAM calls see (`GOOGLE_IAM_CUSTOM_ENDPOINT` and the
    credentials: `tests.support.gcp_iam.google_environment`); by default a local IAM that serves every project at
    once, and a token for it. Whatever the caller's own environment holds never reaches the program's IAM calls.

    Exceptions from the program (a `ConfigError` above all, a `pulumi.RunError` from the IAM wait) propagate
    unchanged, exactly as under `pulumi up`.
    """
    project = project or read_project(root)[0]
    monitor = RecordingMonitor(mocks or GcpMocks(), on_register, config, project=project, stack=stack)
    handler = _ListHandler()
    logger = logging.getLogger(f"claude-vertex.render.{stack}")
    logger.propagate = False
    logger.handlers[:] = [handler]
    loop = asyncio.new_event_loop()
    # A failed run leaves futures whose errors were already raised to the caller; don't print them twice.
    loop.set_exception_handler(lambda _loop, _context: None)
    asyncio.set_event_loop(loop)
    saved_path = list(sys.path)
    # The runtime makes several asyncio tasks per input; with the cyclic GC on, collection passes over
    # them grow with the stack and make the cost per resource climb (2 ms at 4,000 resources instead of
    # 0.7). A render is short and bounded, so the GC waits until it is over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    environment = ExitStack()
    try:
        environment.enter_context(
            google_environment(google if google is not None else environment.enter_context(stand_in_iam()))
        )
        pulumi.runtime.set_all_config(engine_config(config))
        pulumi_settings.ROOT.set(None)  # a fresh root stack, so no export survives from an earlier run
        pulumi.runtime.set_mocks(
            monitor.mocks,
            project=project,
            stack=stack,
            preview=bool(getattr(monitor.mocks, "preview", False)),
            logger=logger,
            monitor=monitor,
        )
        sys.path.insert(0, str(root))
        runpy.run_path(str(root / "__main__.py"), run_name="__main__")
        _register_stack_outputs()
        outputs = loop.run_until_complete(_resolved_outputs())
    finally:
        sys.path[:] = saved_path
        pulumi.runtime.set_all_config({})
        _discard_pending(loop)
        loop.close()
        environment.close()
        if gc_was_enabled:
            gc.enable()
        asyncio.set_event_loop(None)
    resources = _ordered(monitor.registrations.values())
    return Rendering(
        project=project,
        stack=stack,
        resources=resources,
        outputs=outputs,
        warnings=handler.messages,
        preview=bool(getattr(monitor.mocks, "preview", False)),
        root=monitor.root,
    )


def _discard_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a failed run left behind: the runtime tracks outputs globally, across runs."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    with pulumi_settings.SETTINGS.lock:
        pulumi_settings.SETTINGS.outputs.clear()


def _register_stack_outputs() -> None:
    """Send the root stack's exports to the monitor, as the SDK does once a program has run under the engine
    (`Stack._finish`), so that `AnalyzeStack` gets them; `set_mocks` finishes the root stack before the program
    runs, with no exports yet."""
    root = pulumi_settings.get_root_resource()
    root.register_outputs(massage(root.outputs, []))


async def _resolved_outputs() -> dict[str, Any]:
    await pulumi.runtime.stack.wait_for_rpcs()
    root = pulumi_settings.get_root_resource()
    exported = getattr(root, "outputs", {}) or {}
    resolved = {}
    for key, value in exported.items():
        resolved[key] = _marked(await pulumi.Output.from_input(value).future(with_unknowns=True))
    await pulumi.runtime.stack.wait_for_rpcs()
    return resolved


UNKNOWN_OUTPUT = "<unknown until apply>"
"""How an output that `pulumi preview` cannot know yet is shown (in `--engine-preview`)."""


def _marked(value: Any) -> Any:
    """An exported value with every part unknown at preview replaced by `UNKNOWN_OUTPUT`."""
    if isinstance(value, Unknown):
        return UNKNOWN_OUTPUT
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(v) for v in value]
    return value


CLOUD_TYPE_PREFIXES = ("gcp:",)
"""Resources that are API calls at apply time: the provider's."""


def is_cloud_resource(type_token: str) -> bool:
    return type_token.startswith(CLOUD_TYPE_PREFIXES)


def _ordered(records: Iterable[ResourceRecord]) -> list[ResourceRecord]:
    """Deterministic order: by apply wave (what waits on what), then type and name.

    Registration order depends on asyncio scheduling; the dependency graph does not.
    """
    by_urn = {r.urn: r for r in records}
    waves: dict[str, int] = {}

    def wave(urn: str) -> int:
        if urn not in waves:
            waves[urn] = 0
            record = by_urn[urn]
            edges = [d for d in record.dependencies if d in by_urn and d != urn]
            if record.parent in by_urn:
                edges.append(record.parent)
            waves[urn] = max((wave(d) + (1 if is_cloud_resource(by_urn[d].type) else 0) for d in edges), default=0)
        return waves[urn]

    for urn in by_urn:
        wave(urn)
    placed = [replace(record, wave=waves[urn]) for urn, record in by_urn.items()]
    return sorted(placed, key=lambda r: (r.wave, r.type, r.name))
