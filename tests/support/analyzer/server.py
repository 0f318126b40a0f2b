"""Drive a Pulumi policy pack over the analyzer gRPC protocol exactly as the Pulumi engine does.

There is no Pulumi CLI in CI or in tests, yet the policy pack must be judged the way `pulumi up
--policy-pack` judges it: started as a separate process, configured with the engine's reconciled
config (schema defaults filled in: the Python SDK fills none itself), and fed the same protobuf
messages. This module is that engine, minus everything that is not policy. It knows nothing about
any particular pack or rule.

What the engine does, and what is mirrored here (pulumi v3, sdk/go/common/resource/plugin/analyzer_plugin.go,
pkg/engine/plugins.go, pkg/resource/deploy/step_generator.go, pkg/resource/analyzer/config.go):

* start `python -u -m pulumi.policy <engine-address> .` with the pack directory as working directory,
  `PULUMI_CONFIG` (the stack's config as `{"<ns>:<key>": "<string>"}`), `PULUMI_PROJECT`, `PULUMI_STACK`,
  `PULUMI_DRY_RUN` and `PULUMI_ORGANIZATION` in the environment (the Python language host sets them from
  the `ConfigureStack` call it proxies before starting the pack: sdk/python/cmd/pulumi-language-python
  `RunPlugin`); read the gRPC port from the first stdout line; the rest of stdout and all of stderr are the
  plugin's log;
* `Handshake` (UNIMPLEMENTED is fine), `ConfigureStack` (with the decrypted config and its secret keys,
  pkg/engine/update.go), `GetAnalyzerInfo`;
* reconcile the config: schema defaults and the default enforcement level of every policy, then the
  pack's initial config, then the user's (`"all"` first, then per policy); validate it against each
  policy's schema; `Configure`;
* `Remediate` then `Analyze` every resource with its *inputs* (unknowns as the string sentinel, secrets kept, keys
  starting with `__` dropped, resource references reduced to their ID or URN), its options and its
  provider (URN, type, name, inputs); a diagnostic always belongs to the resource analyzed; `remediate` is
  reported as `mandatory`;
* `AnalyzeStack` once with every resource's *outputs* (falling back to inputs), `parent`,
  `dependencies`, non-empty `propertyDependencies` and provider; a diagnostic whose URN is not a resource
  of the stack belongs to the root stack resource.

"Every resource" is the caller's list: the engine sends the root stack, each of the program's resources, and
its own default providers (`tests.support.default_providers`); `tests.support.render.Rendering.analyzed` is that list.

The engine address the pack receives is a real in-process `pulumirpc.Engine` server that collects
`Log` calls. (The Python policy SDK does not dial it today, it logs to stderr, but a pack written
against another SDK, or a future one, would, and the address must not be a dead end.)
"""

from __future__ import annotations

import collections
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc

from tests.support.analyzer.config import PolicyConfigError, PolicySettings, reconcile_policy_config
from tests.support.analyzer.engine import GRPC_OPTIONS, EngineLog, EngineService
from tests.support.analyzer.levels import LEVEL_TO_PROTO, PROTO_TO_LEVEL, SEVERITY_NAMES, Violation
from tests.support.analyzer.marshal import analyze_request, analyzer_resource, root_stack_urn, to_struct
from tests.support.analyzer.process import PackProcess, PolicyPackError, launch_pack_process

DEFAULT_PACK_DIR = Path(__file__).resolve().parents[3] / "policies"
PIPELINE = 64
"""`Analyze` calls in flight at once: enough to keep the pack busy, few enough to bound memory."""


def stack_configure_request(
    *,
    stack: str,
    project: str,
    organization: str,
    dry_run: bool,
    program_config: Mapping[str, str],
    config_secret_keys: Sequence[str],
) -> analyzer_pb2.AnalyzerStackConfigureRequest:
    """`ConfigureStack` as the engine sends it once it has loaded a pack (pkg/engine/update.go): the decrypted config
    as the program gets it, which keys are secret, and whether this is a preview."""
    return analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=stack,
        project=project,
        organization=organization,
        dry_run=dry_run,
        config=dict(program_config),
        config_secret_keys=sorted(config_secret_keys),
    )


class PolicyPackServer:
    """A running policy pack, driven like the engine drives it. Use as a context manager.

    `program_config` is the stack's config as the CLI passes it to plugins: `{"<ns>:<key>": "<string>"}`,
    structured values JSON-encoded (`tests.support.engine_config`); `config_secret_keys` names its encrypted keys.
    Both go to `ConfigureStack`, and the config to the pack's `PULUMI_CONFIG` too (`analyzer.process`).
    """

    def __init__(
        self,
        pack_dir: Path,
        *,
        project: str,
        stack: str,
        organization: str = "organization",
        dry_run: bool = True,
        program_config: dict[str, str] | None = None,
        config_secret_keys: Sequence[str] = (),
        python: str | None = None,
        startup_timeout: float = 30.0,
        rpc_timeout: float = 60.0,
        process: PackProcess | None = None,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.organization = project, stack, organization
        self.dry_run = dry_run
        self.program_config = dict(program_config or {})
        self.config_secret_keys = sorted(config_secret_keys)
        self.python = python or sys.executable
        self.startup_timeout, self.rpc_timeout = startup_timeout, rpc_timeout
        self.engine_logs: list[EngineLog] = []
        self._pack: PackProcess | None = process
        self._engine: grpc.Server | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._info: analyzer_pb2.AnalyzerInfo | None = None
        self._configured: dict[str, PolicySettings] | None = None
        self._port = 0

    # -- lifecycle ---------------------------------------------------------------------------------------------------

    def __enter__(self) -> PolicyPackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine_address(self) -> str:
        return self._pack.engine_address if self._pack is not None else ""

    @property
    def stderr(self) -> str:
        """Everything the pack wrote to stderr so far."""
        return "".join(self._pack.stderr_lines) if self._pack is not None else ""

    @property
    def logs(self) -> list[EngineLog]:
        """What the pack sent to the engine (`Log`), then what it printed after its port."""
        printed = self._pack.stdout_lines if self._pack is not None else []
        return [*self.engine_logs, *(EngineLog("info", line) for line in printed)]

    @property
    def pid(self) -> int | None:
        return self._pack.pid if self._pack is not None else None

    def start(self) -> None:
        """Boot the engine server and the pack, read the port, connect, handshake, configure the stack."""
        self.launch()
        self._ensure_connected()

    def launch(self) -> None:
        """Start the engine server, then the pack process, without waiting for the pack.

        A caller with something else to do (render the program) launches first and lets the two run side
        by side; the first protocol call waits for the port. (`launch_pack_process` goes further: it
        starts the pack before grpc is even imported, and the engine server comes up when adopted.)
        """
        if self._pack is not None:
            return
        try:
            self._pack = launch_pack_process(
                self.pack_dir,
                project=self.project,
                stack=self.stack,
                organization=self.organization,
                dry_run=self.dry_run,
                program_config=self.program_config,
                python=self.python,
                startup_timeout=self.startup_timeout,
                before_start=self._serve_engine,
            )
        except BaseException:
            self.close()
            raise

    def serve_engine(self) -> None:
        """Serve the engine on the port the pack was given, now, rather than at the first protocol call."""
        if self._pack is not None:
            self._serve_engine(self._pack)

    def _serve_engine(self, pack: PackProcess) -> None:
        """The engine service on the port reserved for it (the pack was, or will be, told that address)."""
        if self._engine is not None:
            return
        self._engine = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=GRPC_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(EngineService(self.engine_logs), self._engine)
        self._engine.add_insecure_port(pack.engine_address)
        self._engine.start()
        pack.release_engine_port()

    def _ensure_connected(self) -> None:
        if self._stub is not None:
            return
        if self._pack is None:
            raise PolicyPackError("the policy pack is not running (use PolicyPackServer as a context manager)")
        try:
            self._serve_engine(self._pack)
            self._port = self._pack.port()
            self._connect()
        except BaseException:
            self.close()
            raise

    def stop_pack(self) -> None:
        """Kill the pack now (see `PackProcess.kill`): every call under way or to come fails at once."""
        if self._pack is not None:
            self._pack.kill()

    def close(self) -> None:
        """Kill the pack (see `PackProcess.kill`) and stop the engine server; idempotent."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        if self._pack is not None:
            self._pack.kill()
        if self._engine is not None:
            self._engine.stop(grace=None)
            self._engine = None

    def _failure(self, what: str) -> PolicyPackError:
        assert self._pack is not None
        return self._pack.failure(what)

    def _connect(self) -> None:
        # No `grpc.channel_ready_future`: its connectivity subscription makes `channel.close()` take ~200 ms.
        # The first call waits for the channel instead, bounded by the startup timeout.
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self._port}", options=GRPC_OPTIONS)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        directory = str(self.pack_dir)
        self._call(
            "Handshake",
            analyzer_pb2.AnalyzerHandshakeRequest(
                engine_address=self.engine_address, root_directory=directory, program_directory=directory
            ),
            optional=True,
            connecting=True,
        )
        self._configure_stack()

    def _configure_stack(self) -> None:
        request = stack_configure_request(
            stack=self.stack,
            project=self.project,
            organization=self.organization,
            dry_run=self.dry_run,
            program_config=self.program_config,
            config_secret_keys=self.config_secret_keys,
        )
        self._call("ConfigureStack", request, optional=True)

    def configure_stack(self, stack: str) -> None:
        """Judge another stack with this pack: `ConfigureStack` again, with that stack's name.

        The engine starts one pack per update and sends `ConfigureStack` once; a caller that reuses one pack for
        several stacks (the fleet view) sends it again before each, so the pack hears each stack's own name.
        The pack's environment (`PULUMI_STACK`) keeps the first stack's name, as a stack's own environment
        could make it say anything: rules must take the name from `ConfigureStack`.
        """
        self.stack = stack
        if self._stub is None:
            self._ensure_connected()  # connecting sends it
        else:
            self._configure_stack()

    def _call(self, method: str, request: Any, *, optional: bool = False, connecting: bool = False) -> Any:
        if self._stub is None:
            raise PolicyPackError("the policy pack is not running (use PolicyPackServer as a context manager)")
        try:
            if connecting:
                return getattr(self._stub, method)(request, timeout=self.startup_timeout, wait_for_ready=True)
            return getattr(self._stub, method)(request, timeout=self.rpc_timeout)
        except grpc.RpcError as error:
            if optional and error.code() == grpc.StatusCode.UNIMPLEMENTED:
                return None
            if connecting and error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise self._failure(f"could not connect to the policy pack on port {self._port}") from None
            exited = self._pack is not None and self._pack.exited
            state = "crashed" if exited else "failed"
            raise self._failure(f"policy pack {state} in {method}: {error.code().name}: {error.details()}") from None

    # -- the analyzer protocol ---------------------------------------------------------------------------------------

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        """`GetAnalyzerInfo`: the pack's name, policies, their levels and config schemas."""
        self._ensure_connected()
        if self._info is None:
            self._info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        return self._info

    def _severity(self, diagnostic: analyzer_pb2.AnalyzeDiagnostic) -> str:
        """The diagnostic's severity, else its policy's, as the engine reports it (analyzer_plugin.go)."""
        severity = diagnostic.severity or next(
            (policy.severity for policy in self.info().policies if policy.name == diagnostic.policyName), 0
        )
        return SEVERITY_NAMES.get(severity, "")

    def configure(self, policy_config: dict[str, Any] | None = None) -> None:
        """Reconcile `policy_config` (the `--policy-pack-config` format) like the engine, then `Configure`."""
        info = self.info()
        if not info.supportsConfig:
            if policy_config:
                raise PolicyConfigError(f"policy pack {info.name} does not support config")
            self._configured = {}
            return
        settings = reconcile_policy_config(info, policy_config)
        request = analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(
                    enforcementLevel=LEVEL_TO_PROTO[value.enforcement_level], properties=to_struct(value.properties)
                )
                for name, value in settings.items()
            }
        )
        self._call("Configure", request)
        self._configured = settings

    def _ensure_configured(self) -> None:
        if self._configured is None:
            self.configure(None)

    def analyze(self, record: dict) -> list[Violation]:
        """`Remediate` (when a policy is at `remediate`), then `Analyze` the possibly rewritten resource.

        Every diagnostic is attributed to the record's resource, as the engine does. The engine calls
        `Remediate` for every resource; when no policy is configured at `remediate` the SDKs return no
        remediation, so the call is skipped then.
        """
        self._ensure_configured()
        request = analyze_request(record)
        violations: list[Violation] = []
        if any(s.enforcement_level == "remediate" for s in (self._configured or {}).values()):
            remediated = self._call("Remediate", request, optional=True)
            for remediation in remediated.remediations if remediated is not None else ():
                if remediation.diagnostic:
                    violations.append(
                        Violation(remediation.policyName, "advisory", record["urn"], remediation.diagnostic)
                    )
                elif remediation.HasField("properties"):
                    request.properties.CopyFrom(remediation.properties)
        response = self._call("Analyze", request)
        violations += [
            Violation(d.policyName, PROTO_TO_LEVEL[d.enforcementLevel], record["urn"], d.message, self._severity(d))
            for d in response.diagnostics
        ]
        return violations

    def analyze_stack(self, records: list[dict]) -> list[Violation]:
        """`AnalyzeStack` once over every record, with the graph; unknown URNs go to the root stack."""
        self._ensure_configured()
        urns = {r["urn"] for r in records}
        root = next(
            (r["urn"] for r in records if r["type"] == "pulumi:pulumi:Stack"), root_stack_urn(self.project, self.stack)
        )
        response = self._call(
            "AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(resources=map(analyzer_resource, records))
        )
        return [
            Violation(
                d.policyName,
                PROTO_TO_LEVEL[d.enforcementLevel],
                d.urn if d.urn in urns else root,
                d.message,
                self._severity(d),
            )
            for d in response.diagnostics
        ]

    @property
    def remediates(self) -> bool:
        """Whether a policy is configured at `remediate` (then `Remediate` precedes each `Analyze`)."""
        return any(s.enforcement_level == "remediate" for s in (self._configured or {}).values())

    def analyze_later(self, record: Mapping[str, Any]) -> tuple[str, Any]:
        """Send `Analyze` for one record without waiting: (urn, call); `analyze_result` reads the answer."""
        self._ensure_configured()
        assert self._stub is not None
        return record["urn"], self._stub.Analyze.future(analyze_request(record), timeout=self.rpc_timeout)

    def analyze_result(self, pending: tuple[str, Any]) -> list[Violation]:
        urn, call = pending
        try:
            response = call.result()
        except grpc.RpcError as error:
            state = "crashed" if self._pack is not None and self._pack.exited else "failed"
            raise self._failure(f"policy pack {state} in Analyze: {error.code().name}: {error.details()}") from None
        return [
            Violation(d.policyName, PROTO_TO_LEVEL[d.enforcementLevel], urn, d.message, self._severity(d))
            for d in response.diagnostics
        ]

    def judge(self, records: list[Mapping[str, Any]], policy_config: dict[str, Any] | None = None) -> list[Violation]:
        """Configure, analyze every record, then the stack: the engine's whole policy pass, sorted, de-duplicated.

        Without a `remediate` policy, `Analyze` calls are pipelined (up to `PIPELINE` in flight), as the
        engine, analyzing resources as the program registers them, has many in flight: this process
        marshals the next requests while the pack (another process, another core) judges the last ones.
        """
        self.configure(policy_config)
        violations = self.judge_each(records) + self.analyze_stack(records)
        return sorted(set(violations))

    def judge_each(self, records: list[Mapping[str, Any]]) -> list[Violation]:
        """`Analyze` (after `Remediate` when configured) for every record; pipelined when it can be."""
        if self.remediates:
            return [v for record in records for v in self.analyze(record)]
        return self._analyze_pipelined(records)

    def _analyze_pipelined(self, records: list[Mapping[str, Any]]) -> list[Violation]:
        in_flight: collections.deque[tuple[str, Any]] = collections.deque()
        violations: list[Violation] = []
        for record in records:
            if len(in_flight) >= PIPELINE:
                violations += self.analyze_result(in_flight.popleft())
            in_flight.append(self.analyze_later(record))
        while in_flight:
            violations += self.analyze_result(in_flight.popleft())
        return violations


class Judgement:
    """The engine's policy pass, run alongside the program: `Analyze` each resource as it is registered.

    The engine configures the analyzer when it loads it, before the program registers anything, and analyzes a
    resource when the program registers it, not after the program ends; so does this. A thread of its own connects
    and configures as soon as the pack is up (off the registrations' path: the program never waits for it), and
    `add` (called on the runtime's RPC threads) holds records back until then, then sends `Analyze` without
    waiting, so the pack (another process, another core) judges while the program is still rendering.
    `verdicts()` collects the answers and runs `AnalyzeStack`. With a `remediate` policy, whose `Remediate` must
    precede each `Analyze`, nothing is sent early. `close()` stops the pack and the protocol.
    """

    def __init__(self, server: PolicyPackServer, policy_config: dict[str, Any] | None) -> None:
        self.server = server
        self.policy_config = policy_config
        server.serve_engine()  # before the pack's interpreter is up, should it dial the engine at start
        self._lock = threading.Lock()
        self._held: list[Mapping[str, Any]] = []
        self._sent: collections.deque[tuple[str, Any]] = collections.deque()
        self._done: list[Violation] = []
        self._streaming: bool | None = None  # unknown until the pack is up and configured
        self._error: BaseException | None = None
        self._configuring = threading.Thread(target=self._configure, name="policy-pack-configure", daemon=True)
        self._configuring.start()

    def _configure(self) -> None:
        """Wait for the pack's port (bounded by its startup timeout), connect, configure, send what was held."""
        try:
            self.server.configure(self.policy_config)
            streaming = not self.server.remediates
        except BaseException as error:  # raised again, in order, by `verdicts()`
            with self._lock:
                self._error = error
            return
        with self._lock:
            self._streaming = streaming
            if streaming:
                self._sent += [self.server.analyze_later(record) for record in self._held]
                self._held.clear()

    def add(self, record: Mapping[str, Any]) -> None:
        """One registered resource; returns at once."""
        with self._lock:
            if self._streaming:
                self._sent.append(self.server.analyze_later(record))
                while self._sent and self._sent[0][1].done():  # keep only the calls still in flight
                    self._done += self.server.analyze_result(self._sent.popleft())
            else:
                self._held.append(record)

    def verdicts(self, records: list[Mapping[str, Any]]) -> list[Violation]:
        """Every resource's verdicts, then `AnalyzeStack` over all `records`: sorted, de-duplicated."""
        self._configuring.join()
        with self._lock:
            if self._error is not None:
                raise self._error
            violations = self._done + [v for pending in self._sent for v in self.server.analyze_result(pending)]
            self._sent.clear()
            if self._held:  # a `remediate` policy: nothing was sent early
                violations += self.server.judge_each(self._held)
                self._held.clear()
        violations += self.server.analyze_stack(records)
        return sorted(set(violations))

    def close(self) -> None:
        """Kill the pack first, so that a configuration still under way fails at once and its thread ends; then
        stop the engine server and the channel (`PolicyPackServer.close`)."""
        self.server.stop_pack()
        self._configuring.join()
        self.server.close()


def run_policy_pack(
    records: list[dict],
    *,
    project: str,
    stack: str,
    pack_dir: Path | None = None,
    policy_config: dict | None = None,
    dry_run: bool = True,
    program_config: dict[str, str] | None = None,
    config_secret_keys: Sequence[str] = (),
    organization: str = "organization",
) -> list[Violation]:
    """Analyze every record, then the stack, in one pack process; sorted, de-duplicated, deterministic."""
    with PolicyPackServer(
        pack_dir or DEFAULT_PACK_DIR,
        project=project,
        stack=stack,
        organization=organization,
        dry_run=dry_run,
        program_config=program_config,
        config_secret_keys=config_secret_keys,
    ) as server:
        return server.judge(records, policy_config)
