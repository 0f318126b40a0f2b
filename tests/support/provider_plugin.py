"""A source provider plugin, started exactly as the engine starts one, and spoken to over gRPC as the engine does.

For a plugin directory with `PulumiPlugin.yaml` (runtime python) and a `__main__.py`, the engine asks the
Python language host to run it (`RunPlugin`), and the host runs `<virtualenv python> <plugin directory>
<args>` in the directory `pulumi` runs in; the last argument is the engine's address. The plugin prints its
gRPC port on the first line of stdout and serves `pulumirpc.ResourceProvider` there. Read from pulumi/pulumi
(sdk/python/cmd/pulumi-language-python/main.go `RunPlugin`; sdk/go/common/resource/plugin/plugin.go
`ExecPlugin`, `buildPluginArguments`; provider_plugin.go `NewProvider`, which passes `host.ServerAddr()`).

`PluginProcess` launches such a directory with this interpreter (the suite's virtualenv has what the plugin's
would), or an installed plugin's executable (`PluginProcess.executable`, as the engine runs the stand-in gcp
provider), waits a bounded time for the port, and is always stopped by its owner. `ProviderClient` makes the
engine's calls, the resource lifecycle's included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import errors_pb2, provider_pb2, provider_pb2_grpc, status_pb2

from tests.support.analyzer.engine import GRPC_OPTIONS
from tests.support.plugin_output import PluginOutput
from tests.support.resource_monitor import from_struct, to_struct


class PluginError(RuntimeError):
    """The plugin did not start or died; the message ends with its stderr."""


class PluginProcess:
    """`python <plugin directory> <engine address>`, run in `cwd`; `stop()` kills and reaps it."""

    def __init__(
        self,
        plugin_dir: Path,
        engine_address: str,
        *,
        cwd: Path,
        startup_timeout: float = 30.0,
        command: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._popen = subprocess.Popen(
            [*(command or [sys.executable, str(Path(plugin_dir).resolve())]), engine_address],
            cwd=cwd,
            env=dict(os.environ if env is None else env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a process group of its own, as the engine gives each plugin
        )
        self.output = PluginOutput(self._popen)
        line = self.output.first_line(startup_timeout)
        if line is None:
            self.stop()
            raise PluginError(f"the plugin printed no port within {startup_timeout:g}s: {self.stderr()}") from None
        if not line.strip().isdigit():
            self.stop()
            raise PluginError(f"the plugin printed {line.strip()!r} instead of its port: {self.stderr()}")
        self.port = int(line)

    @classmethod
    def executable(
        cls, path: Path, engine_address: str, *, cwd: Path, env: Mapping[str, str] | None = None
    ) -> PluginProcess:
        """An installed plugin's executable (`pulumi-resource-<name>`) run as the engine runs it."""
        return cls(Path(path).parent, engine_address, cwd=cwd, command=[str(path)], env=env)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return "".join(self.output.stderr_lines[-40:]).strip() or "(no stderr)"

    def stop(self) -> None:
        """Kill the plugin and reap it; idempotent."""
        if self._popen.poll() is None:
            self._popen.kill()
        self._popen.wait(timeout=10)
        self.output.close()

    def stop_with(self, signum: int = signal.SIGINT, timeout: float = 10.0) -> int:
        """Signal its process group and wait: SIGINT is how the engine closes a plugin (then SIGKILL after 5 s).
        Returns its exit code."""
        os.killpg(self._popen.pid, signum)
        code = self._popen.wait(timeout=timeout)
        self.output.close()
        return code


class ProviderClient:
    """The engine's calls to a provider plugin, with a deadline on each."""

    def __init__(self, address: str, *, timeout: float = 60.0) -> None:
        self.channel = grpc.insecure_channel(address, options=GRPC_OPTIONS)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.timeout = timeout

    def close(self) -> None:
        self.channel.close()

    def plugin_version(self) -> str:
        return self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=self.timeout).version

    def schema(self) -> str:
        return self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=self.timeout).schema

    def check_config(self, urn: str, news: dict[str, Any]) -> provider_pb2.CheckResponse:
        request = provider_pb2.CheckRequest(urn=urn, **_named(urn), news=to_struct(news), olds=to_struct({}))
        return self.stub.CheckConfig(request, timeout=self.timeout)

    def configure(self, args: dict[str, Any]) -> provider_pb2.ConfigureResponse:
        request = provider_pb2.ConfigureRequest(
            args=to_struct(args), acceptSecrets=True, acceptResources=True, sends_old_inputs=True
        )
        return self.stub.Configure(request, timeout=self.timeout)

    def check(self, urn: str, news: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """(checked inputs, failures as (property, reason))."""
        response = self.stub.Check(
            provider_pb2.CheckRequest(urn=urn, **_named(urn), news=to_struct(news), olds=to_struct({})),
            timeout=self.timeout,
        )
        return from_struct(response.inputs), [(f.property, f.reason) for f in response.failures]

    def diff(
        self, urn: str, resource_id: str, *, old_inputs: dict[str, Any], olds: dict[str, Any], news: dict[str, Any]
    ) -> provider_pb2.DiffResponse:
        request = provider_pb2.DiffRequest(
            urn=urn,
            **_named(urn),
            id=resource_id,
            old_inputs=to_struct(old_inputs),
            olds=to_struct(olds),
            news=to_struct(news),
        )
        return self.stub.Diff(request, timeout=self.timeout)

    def create(self, urn: str, properties: dict[str, Any], *, preview: bool = False) -> tuple[str, dict[str, Any]]:
        """(ID, outputs) of a new resource."""
        request = provider_pb2.CreateRequest(urn=urn, **_named(urn), properties=to_struct(properties), preview=preview)
        response = self.stub.Create(request, timeout=self.timeout)
        return response.id, from_struct(response.properties)

    def read(
        self, urn: str, resource_id: str, *, properties: dict[str, Any], inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(ID, outputs, inputs) of a resource as it is now; the ID is empty once it is gone."""
        request = provider_pb2.ReadRequest(
            urn=urn, **_named(urn), id=resource_id, properties=to_struct(properties), inputs=to_struct(inputs)
        )
        response = self.stub.Read(request, timeout=self.timeout)
        return response.id, from_struct(response.properties), from_struct(response.inputs)

    def update(
        self,
        urn: str,
        resource_id: str,
        *,
        old_inputs: dict[str, Any],
        olds: dict[str, Any],
        news: dict[str, Any],
        preview: bool = False,
    ) -> dict[str, Any]:
        request = provider_pb2.UpdateRequest(
            urn=urn,
            **_named(urn),
            id=resource_id,
            old_inputs=to_struct(old_inputs),
            olds=to_struct(olds),
            news=to_struct(news),
            preview=preview,
        )
        return from_struct(self.stub.Update(request, timeout=self.timeout).properties)

    def delete(self, urn: str, resource_id: str, *, properties: dict[str, Any]) -> None:
        request = provider_pb2.DeleteRequest(urn=urn, **_named(urn), id=resource_id, properties=to_struct(properties))
        self.stub.Delete(request, timeout=self.timeout)

    def invoke(self, token: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """(result, failures as (property, reason))."""
        response = self.stub.Invoke(provider_pb2.InvokeRequest(tok=token, args=to_struct(args)), timeout=self.timeout)
        return from_struct(getattr(response, "return")), [(f.property, f.reason) for f in response.failures]

    def cancel(self) -> None:
        self.stub.Cancel(empty_pb2.Empty(), timeout=self.timeout)

    def construct(
        self,
        *,
        project: str,
        stack: str,
        type_: str,
        name: str,
        parent: str,
        inputs: dict[str, Any],
        input_dependencies: dict[str, list[str]] | None = None,
        monitor_address: str,
        dry_run: bool = False,
    ) -> tuple[str, dict[str, Any]]:
        """`Construct` as the engine sends it for a component the program registers (output values accepted);
        the component's URN and its state (the outputs)."""
        request = provider_pb2.ConstructRequest(
            project=project,
            stack=stack,
            organization="organization",
            dryRun=dry_run,
            parallel=16,
            monitorEndpoint=monitor_address,
            type=type_,
            name=name,
            parent=parent,
            inputs=to_struct(inputs),
            inputDependencies={
                key: provider_pb2.ConstructRequest.PropertyDependencies(urns=urns)
                for key, urns in (input_dependencies or {}).items()
            },
            accepts_output_values=True,
        )
        response = self.stub.Construct(request, timeout=self.timeout)
        return response.urn, from_struct(response.state)


def _named(urn: str) -> dict[str, str]:
    """A request's `name` and `type`, as the engine fills them from the URN (its type after any parent types)."""
    parts = urn.split("::")
    return {"name": parts[-1], "type": parts[-2].rsplit("$", 1)[-1]}


def input_property_errors(error: grpc.RpcError) -> dict[str, str]:
    """The `InputPropertiesError` details of an `INVALID_ARGUMENT` answer: reason by property path."""
    for key, value in error.trailing_metadata() or ():  # type: ignore[attr-defined]
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            found: dict[str, str] = {}
            for detail in status.details:
                errors = errors_pb2.InputPropertiesError()
                if detail.Unpack(errors):
                    found.update({e.property_path: e.reason for e in errors.errors})
            return found
    return {}
