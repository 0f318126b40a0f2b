"""Run the Pulumi program unchanged under mocks and capture what `pulumi up` would register.

This is how the offline preview, the tests and the benchmark see the program: the same
`__main__.py`, the same config path the CLI uses (project defaults, then the stack file, namespaced
keys), the real Pulumi runtime with a mock monitor in place of the engine.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import runpy
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
import yaml
from pulumi.runtime import settings as pulumi_settings

from tools.gcp_mocks import GcpMocks, RecordingMonitor

ROOT = Path(__file__).resolve().parent.parent


class StackFileError(Exception):
    """A stack or project file that cannot be read at all (missing, not YAML, wrong shape)."""


@dataclass
class Rendering:
    project: str
    stack: str
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def read_project(root: Path = ROOT) -> tuple[str, dict[str, Any]]:
    """The project name and the config defaults declared in Pulumi.yaml (namespaced keys)."""
    data = _read_yaml(root / "Pulumi.yaml")
    name = data.get("name")
    if not isinstance(name, str):
        raise StackFileError(f"{root / 'Pulumi.yaml'}: missing project name")
    defaults = {}
    for key, decl in (data.get("config") or {}).items():
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(decl, dict) and "default" in decl:
            defaults[full] = decl["default"]
        elif isinstance(decl, dict) and "value" in decl:
            defaults[full] = decl["value"]
        elif not isinstance(decl, dict):
            defaults[full] = decl
    return name, defaults


def read_stack_config(path: Path, project: str) -> dict[str, Any]:
    """A `Pulumi.<stack>.yaml` file's `config:` block, keys namespaced as the CLI does."""
    data = _read_yaml(path)
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping of key to value")
    return {(key if ":" in key else f"{project}:{key}"): value for key, value in config.items()}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such file") from None
    except yaml.YAMLError as err:
        raise StackFileError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StackFileError(f"{path}: expected a YAML mapping at the top level")
    return data


def engine_config(values: Mapping[str, Any]) -> dict[str, str]:
    """Config as the CLI hands it to a program: every value a string, structured ones JSON-encoded."""
    encoded = {}
    for key, value in values.items():
        if isinstance(value, str):
            encoded[key] = value
        elif isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        else:
            encoded[key] = json.dumps(value)
    return encoded


class _ListHandler(logging.Handler):
    """Keeps the program's `pulumi.log.warn` messages so the preview can show them as the CLI would."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render(
    stack: str,
    config: Mapping[str, Any],
    *,
    root: Path = ROOT,
    mocks: GcpMocks | None = None,
    project: str | None = None,
) -> Rendering:
    """Run `root/__main__.py` with `config` (namespaced keys) and return what it registered and exported.

    Exceptions from the program (a `ConfigError` above all) propagate unchanged, before any resource
    was registered, exactly as under `pulumi up`.
    """
    project = project or read_project(root)[0]
    monitor = RecordingMonitor(mocks or GcpMocks())
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
    try:
        pulumi.runtime.set_all_config(engine_config(config))
        pulumi_settings.ROOT.set(None)  # a fresh root stack, so no export survives from an earlier run
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=False, logger=logger, monitor=monitor
        )
        sys.path.insert(0, str(root))
        runpy.run_path(str(root / "__main__.py"), run_name="__main__")
        outputs = loop.run_until_complete(_resolved_outputs())
    finally:
        sys.path[:] = saved_path
        pulumi.runtime.set_all_config({})
        _discard_pending(loop)
        loop.close()
        if gc_was_enabled:
            gc.enable()
        asyncio.set_event_loop(None)
    resources = _ordered([r.to_record() for r in monitor.registrations.values()])
    return Rendering(project=project, stack=stack, resources=resources, outputs=outputs, warnings=handler.messages)


def _discard_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a failed run left behind: the runtime tracks outputs globally, across runs."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    with pulumi_settings.SETTINGS.lock:
        pulumi_settings.SETTINGS.outputs.clear()


async def _resolved_outputs() -> dict[str, Any]:
    await pulumi.runtime.stack.wait_for_rpcs()
    root = pulumi_settings.get_root_resource()
    exported = getattr(root, "outputs", {}) or {}
    resolved = {}
    for key, value in exported.items():
        resolved[key] = await pulumi.Output.from_input(value).future()
    await pulumi.runtime.stack.wait_for_rpcs()
    return resolved


def _ordered(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deterministic order: by apply wave (what waits on what), then type and name.

    Registration order depends on asyncio scheduling; the dependency graph does not.
    """
    by_urn = {r["urn"]: r for r in records}
    waves: dict[str, int] = {}

    def wave(urn: str) -> int:
        if urn not in waves:
            waves[urn] = 0
            record = by_urn[urn]
            edges = [d for d in record["dependencies"] if d in by_urn and d != urn]
            if record["parent"] in by_urn:
                edges.append(record["parent"])
            waves[urn] = max(
                (
                    wave(d) + (1 if by_urn[d]["type"].startswith(("gcp:", "pulumi-python:dynamic")) else 0)
                    for d in edges
                ),
                default=0,
            )
        return waves[urn]

    for urn in by_urn:
        wave(urn)
    ordered = sorted(by_urn.values(), key=lambda r: (waves[r["urn"]], r["type"], r["name"]))
    for record in ordered:
        record["wave"] = waves[record["urn"]]
    return ordered
