"""The stack name the engine sends the pack in `ConfigureStack`, kept where the stack rules can read it.

Which stack is being analyzed is the engine's to say, never the stack's: a label, a component name or a
config value is whatever the stack file wrote. The engine says it twice, and only one of the two is out of
the stack's reach (read in pulumi/pulumi's source, `pkg/engine/update.go`, `pkg/resource/plugin/
analyzer_plugin.go`, `sdk/policy_proxy.go`, `sdk/python/cmd/pulumi-language-python/main.go`):

* `ConfigureStack`: the engine builds `AnalyzerStackConfigureRequest.stack` from its update target
  (`target.Name`, the stack selected with `--stack`) and sends it to every policy pack; the Python language
  host's proxy forwards that very request to the pack. This is the source used here.
* `PULUMI_STACK` in the pack's environment: the language host sets it from the same request, but then appends
  the CLI's own environment, which wins on a duplicate key, and the CLI exports a stack's ESC environment
  (`environment:` imports in `Pulumi.<stack>.yaml`, `environmentVariables`) into that environment
  (`pkg/cmd/pulumi/config/io.go`). So a stack can set `PULUMI_STACK` for the pack: not used. (Neither is
  `pulumi.get_stack()`, which reads it, and answers "stack" when it is absent.)

pulumi-policy's Python servicer receives `ConfigureStack` but keeps only the stack's tags (checked in
pulumi-policy 1.21.0 and its main branch), so `listen()` wraps that one method to keep the name as well.
"""

from __future__ import annotations

import functools
from typing import Any

from pulumi_policy import policy as sdk

from .rules.base import EngineStack

_received = EngineStack()


def stack() -> EngineStack:
    """What the engine's last `ConfigureStack` said (no name until it has sent one)."""
    return _received


def listen() -> None:
    """Keep the stack name of every `ConfigureStack` the pack's analyzer receives; idempotent."""
    servicer = sdk._PolicyAnalyzerServicer
    configure = servicer.ConfigureStack
    if getattr(configure, "__wrapped__", None) is not None:
        return

    @functools.wraps(configure)
    def configure_stack(self: Any, request: Any, context: Any) -> Any:
        global _received
        _received = EngineStack(name=request.stack or None)
        return configure(self, request, context)

    servicer.ConfigureStack = configure_stack
