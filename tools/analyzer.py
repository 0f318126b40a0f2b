"""Drive a Pulumi policy pack over the analyzer gRPC protocol exactly as the Pulumi engine does.

There is no Pulumi CLI in CI or in tests, yet the policy pack must be judged the way `pulumi up
--policy-pack` judges it: started as a separate process, configured with the engine's reconciled
config (schema defaults filled in: the Python SDK fills none itself), and fed the same protobuf
messages. This module is that engine, minus everything that is not policy. It knows nothing about
any particular pack or rule.

What the engine does, and what is mirrored here (pulumi v3, sdk/go/common/resource/plugin/analyzer_plugin.go,
pkg/engine/plugins.go, pkg/resource/deploy/step_generator.go, pkg/resource/analyzer/config.go):

* start `python -u -m pulumi.policy <engine-address> .` with the pack directory as working directory,
  `PULUMI_CONFIG` (program config as `{"<ns>:<key>": "<string>"}`), `PULUMI_PROJECT`, `PULUMI_STACK`,
  `PULUMI_DRY_RUN` and `PULUMI_ORGANIZATION` in the environment; read the gRPC port from the first
  stdout line; the rest of stdout and all of stderr are the plugin's log;
* `Handshake` (UNIMPLEMENTED is fine), `ConfigureStack`, `GetAnalyzerInfo`;
* reconcile the config: schema defaults and the default enforcement level of every policy, then the
  pack's initial config, then the user's (`"all"` first, then per policy); validate it against each
  policy's schema; `Configure`;
* `Remediate` then `Analyze` every resource with its *inputs* (unknowns as the string sentinel, secrets kept, keys
  starting with `__` dropped, resource references reduced to their ID or URN), its options and its
  provider; a diagnostic always belongs to the resource analyzed; `remediate` is reported as `mandatory`;
* `AnalyzeStack` once with every resource's *outputs* (falling back to inputs), `parent`,
  `dependencies` and non-empty `propertyDependencies`; a diagnostic whose URN is not a resource of
  the stack belongs to the root stack resource.

The engine address the pack receives is a real in-process `pulumirpc.Engine` server that collects
`Log` calls. (The Python policy SDK does not dial it today, it logs to stderr, but a pack written
against another SDK, or a future one, would, and the address must not be a dead end.)
"""

from __future__ import annotations

import copy
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine marshals a value not known until `pulumi up`; put it in a record's inputs to model one."""

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
DEFAULT_PACK_DIR = Path(__file__).resolve().parent.parent / "policies"

_LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_PROTO_TO_LEVEL_EXACT = {value: name for name, value in _LEVEL_TO_PROTO.items()}
# The engine downgrades `remediate` diagnostics to `mandatory` (a remediation that still violates).
_PROTO_TO_LEVEL = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
}
_MAX_MESSAGE = 1024 * 1024 * 400  # what the engine and the SDK allow: 400 MB
_GRPC_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)]

# Special property signatures (sdk/go/common/resource/sig).
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_ENV_KEYS = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")


@dataclass(frozen=True, order=True)
class Violation:
    """One policy diagnostic as the engine reports it: which policy, how severe, on which resource.

    `level` is `advisory` or `mandatory`: like the engine, a `remediate` policy that still finds a
    violation is reported as `mandatory`. `message` is the policy's description, a newline, and the detail.
    """

    policy: str
    level: str
    urn: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"policy": self.policy, "level": self.level, "urn": self.urn, "message": self.message}


class PolicyConfigError(ValueError):
    """The policy pack config is malformed or fails a policy's schema; the message is one line."""


class PolicyPackError(RuntimeError):
    """The pack failed to start, crashed, or failed an RPC; the message ends with the pack's stderr."""


@dataclass(frozen=True)
class EngineLog:
    """A message the plugin sent to the engine (`Log` RPC) or wrote to its stdout/stderr."""

    severity: str
    message: str
    urn: str = ""


# --------------------------------------------------------------------------------------------------------------------
# Policy pack config: the `--policy-pack-config` file format and the engine's reconciliation.


@dataclass(frozen=True)
class PolicySettings:
    """Reconciled config of one policy: what `Configure` sends for it."""

    enforcement_level: str
    properties: dict[str, Any] = field(default_factory=dict)


def _entry(key: str, value: Any, source: str) -> tuple[str | None, dict[str, Any]]:
    """(enforcement level or None, properties) of one config entry; raises PolicyConfigError."""
    allowed = ", ".join(ENFORCEMENT_LEVELS)
    if isinstance(value, str):
        if value not in ENFORCEMENT_LEVELS:
            raise PolicyConfigError(f"{source}: {key}: {value!r} is not an enforcement level (allowed: {allowed})")
        return value, {}
    if isinstance(value, Mapping):
        properties = dict(value)
        level = properties.pop("enforcementLevel", None)
        if level is not None and (not isinstance(level, str) or level not in ENFORCEMENT_LEVELS):
            raise PolicyConfigError(
                f"{source}: {key}.enforcementLevel: {level!r} is not an enforcement level (allowed: {allowed})"
            )
        return level, properties
    raise PolicyConfigError(
        f"{source}: {key}: {value!r} is not valid; use an enforcement level ({allowed}) or an object"
    )


def validate_policy_config(config: Any, source: str = "policy config") -> dict[str, Any]:
    """Check the `--policy-pack-config` shape: `{policy|"all": level | {enforcementLevel?, <props>}}`."""
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise PolicyConfigError(f"{source}: expected a JSON object keyed by policy name, got {type(config).__name__}")
    for key, value in config.items():
        level, _ = _entry(str(key), value, source)
        if key == "all" and level is None:
            raise PolicyConfigError(f"{source}: all: needs an enforcement level ({', '.join(ENFORCEMENT_LEVELS)})")
    return dict(config)


def load_policy_config(path: str | Path) -> dict[str, Any]:
    """Read a `pulumi up --policy-pack-config` JSON file (empty file: no config), validated for shape."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyConfigError(f"{source}: cannot read policy config: {error.strerror or error}") from error
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyConfigError(
            f"{source}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from error
    return validate_policy_config(data, source)


def _schema_errors(schema: Mapping[str, Any], required: Iterable[str], properties: Mapping[str, Any]) -> list[str]:
    """JSON-schema validation of one policy's properties, as the engine does with gojsonschema."""
    document_schema: dict[str, Any] = {"type": "object"}
    if schema:
        document_schema["properties"] = dict(schema)
    if required:
        document_schema["required"] = list(required)
    validator = jsonschema.Draft7Validator(document_schema)
    errors = []
    for error in sorted(validator.iter_errors(dict(properties)), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path)
        errors.append(f"{where}: {error.message}" if where else error.message)
    return errors


def reconcile_policy_config(
    info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, Any] | None
) -> dict[str, PolicySettings]:
    """The config the engine would send to `Configure`: defaults, then initial config, then the user's.

    Unlike the engine, a config entry naming a policy the pack does not have is an error: the engine
    ignores it silently, which turns a typo into a policy that is quietly not configured.
    """
    given = validate_policy_config(config)
    names = [p.name for p in info.policies]
    unknown = sorted(set(given) - {*names, "all"})
    if unknown:
        raise PolicyConfigError(
            f"policy config: unknown polic{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))} "
            f"(pack {info.name} has: {', '.join(sorted(names))})"
        )
    result: dict[str, PolicySettings] = {}
    schemas: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        required = list(policy.configSchema.required) if policy.HasField("configSchema") else []
        schemas[policy.name] = (schema, required)
        defaults = {k: copy.deepcopy(v["default"]) for k, v in schema.items() if isinstance(v, dict) and "default" in v}
        result[policy.name] = PolicySettings(_PROTO_TO_LEVEL_EXACT[policy.enforcementLevel], defaults)

    # The engine reads an initial-config entry's level from the proto even when the pack set none (0 = advisory).
    initial = {
        name: {
            **json_format.MessageToDict(value.properties),
            "enforcementLevel": _PROTO_TO_LEVEL_EXACT[value.enforcementLevel],
        }
        for name, value in info.initialConfig.items()
    }
    for layer in (initial, given):
        result = _apply(result, layer)

    errors = [
        f"{name}: {problem}"
        for name, (schema, required) in schemas.items()
        for problem in _schema_errors(schema, required, result[name].properties)
    ]
    if errors:
        raise PolicyConfigError(f"invalid policy config for pack {info.name}: {'; '.join(errors)}")
    return result


def _apply(result: dict[str, PolicySettings], layer: Mapping[str, Any]) -> dict[str, PolicySettings]:
    """One config layer over another (pkg/resource/analyzer/config.go applyConfig)."""
    merged = dict(result)
    if "all" in layer:
        level, _ = _entry("all", layer["all"], "policy config")
        if level is not None:
            merged = {name: PolicySettings(level, settings.properties) for name, settings in merged.items()}
    for name, value in layer.items():
        level, properties = _entry(name, value, "policy config")
        current = merged.get(name, PolicySettings("advisory"))
        merged[name] = PolicySettings(level or current.enforcement_level, {**current.properties, **properties})
    return merged


# --------------------------------------------------------------------------------------------------------------------
# Marshalling resource records into the engine's protobuf shapes.


def marshal_value(value: Any) -> Any:
    """One property value as the engine sends it to analyzers (KeepUnknowns, KeepSecrets, SkipInternalKeys)."""
    if isinstance(value, Mapping):
        signature = value.get(_SIG)
        if signature == _SECRET_SIG:
            return {_SIG: _SECRET_SIG, "value": marshal_value(value.get("value"))}
        if signature == _RESOURCE_SIG:
            resource_id = value.get("id")
            if resource_id == UNKNOWN:
                return UNKNOWN
            return resource_id if isinstance(resource_id, str) and resource_id else value.get("urn", "")
        if signature == _OUTPUT_SIG:
            inner = marshal_value(value["value"]) if "value" in value else UNKNOWN
            return {_SIG: _SECRET_SIG, "value": inner} if value.get("secret") else inner
        if signature is not None:
            return dict(value)  # assets and archives travel as-is
        return {str(k): marshal_value(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list | tuple):
        return [marshal_value(v) for v in value]
    return value


def to_struct(properties: Mapping[str, Any] | None) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(marshal_value(dict(properties or {})))
    return struct


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _options(record: Mapping[str, Any], *, with_parent: bool) -> analyzer_pb2.AnalyzerResourceOptions:
    timeouts = record.get("customTimeouts") or {}
    dbr = record.get("deleteBeforeReplace")
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(record.get("protect", False)),
        ignoreChanges=list(record.get("ignoreChanges") or []),
        deleteBeforeReplace=bool(dbr),
        deleteBeforeReplaceDefined=dbr is not None,
        additionalSecretOutputs=list(record.get("additionalSecretOutputs") or []),
        aliases=list(record.get("aliases") or []),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=float(timeouts.get("create", 0)),
            update=float(timeouts.get("update", 0)),
            delete=float(timeouts.get("delete", 0)),
        ),
        parent=str(record.get("parent") or "") if with_parent else "",
    )


def _provider(record: Mapping[str, Any]) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = record.get("provider")
    if not isinstance(provider, Mapping) or not provider.get("urn"):
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        urn=provider["urn"],
        type=provider.get("type", ""),
        name=provider.get("name") or _urn_name(provider["urn"]),
        properties=to_struct(provider.get("inputs")),
    )


def analyze_request(record: Mapping[str, Any]) -> analyzer_pb2.AnalyzeRequest:
    """`Analyze` for one record: inputs, options (parent included), provider."""
    request = analyzer_pb2.AnalyzeRequest(
        urn=record["urn"],
        type=record["type"],
        name=record.get("name") or _urn_name(record["urn"]),
        properties=to_struct(record.get("inputs")),
        options=_options(record, with_parent=True),
    )
    provider = _provider(record)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def stack_resource(record: Mapping[str, Any]) -> analyzer_pb2.AnalyzerResource:
    """One `AnalyzeStack` resource: outputs (inputs if none), graph edges; parent outside the options."""
    outputs = record.get("outputs")
    resource = analyzer_pb2.AnalyzerResource(
        urn=record["urn"],
        type=record["type"],
        name=record.get("name") or _urn_name(record["urn"]),
        properties=to_struct(outputs if outputs is not None else record.get("inputs")),
        options=_options(record, with_parent=False),
        parent=str(record.get("parent") or ""),
        dependencies=list(record.get("dependencies") or []),
        propertyDependencies={
            key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
            for key, urns in (record.get("propertyDependencies") or {}).items()
            if urns
        },
    )
    provider = _provider(record)
    if provider is not None:
        resource.provider.CopyFrom(provider)
    return resource


def root_stack_urn(project: str, stack: str) -> str:
    """resource.DefaultRootStackURN: where stack-level diagnostics without a resource are reported."""
    return f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"


# --------------------------------------------------------------------------------------------------------------------
# The engine side: a tiny pulumirpc.Engine server, and the policy pack process.


class _EngineService(engine_pb2_grpc.EngineServicer):
    """Collects `Log` calls and holds the root resource URN, like the engine's host server."""

    def __init__(self, logs: list[EngineLog]) -> None:
        self.logs = logs
        self.root = ""

    def Log(self, request: engine_pb2.LogRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        severity = engine_pb2.LogSeverity.Name(request.severity).lower()
        self.logs.append(EngineLog(severity, request.message, request.urn))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: grpc.ServicerContext) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request: Any, context: grpc.ServicerContext) -> engine_pb2.SetRootResourceResponse:
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()


def _tail(lines: list[str], limit: int = 60) -> str:
    text = "".join(lines[-limit:]).rstrip()
    return text or "(empty)"


class PolicyPackServer:
    """A running policy pack, driven like the engine drives it. Use as a context manager.

    `program_config` is the stack's config as the CLI passes it to plugins: `{"<ns>:<key>": "<string>"}`,
    structured values JSON-encoded.
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
        python: str | None = None,
        startup_timeout: float = 30.0,
        rpc_timeout: float = 60.0,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.organization = project, stack, organization
        self.dry_run = dry_run
        self.program_config = dict(program_config or {})
        self.python = python or sys.executable
        self.startup_timeout, self.rpc_timeout = startup_timeout, rpc_timeout
        self.logs: list[EngineLog] = []
        self._engine_address = ""
        self._port = 0
        self._stderr: list[str] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._engine: grpc.Server | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._threads: list[threading.Thread] = []
        self._info: analyzer_pb2.AnalyzerInfo | None = None
        self._configured: dict[str, PolicySettings] | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------------------------------

    def __enter__(self) -> PolicyPackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine_address(self) -> str:
        return self._engine_address

    @property
    def stderr(self) -> str:
        """Everything the pack wrote to stderr so far."""
        return "".join(self._stderr)

    def start(self) -> None:
        """Boot the engine server and the pack, read the port, connect, handshake, configure the stack."""
        self._check_pack_dir()
        self._engine = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=_GRPC_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(_EngineService(self.logs), self._engine)
        port = self._engine.add_insecure_port("127.0.0.1:0")
        self._engine.start()
        self._engine_address = f"127.0.0.1:{port}"
        try:
            self._launch()
            self._connect()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the pack (SIGINT, as the SDK expects, then SIGKILL) and the engine server; idempotent."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        if process is not None:
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        if self._engine is not None:
            self._engine.stop(grace=None)
            self._engine = None

    def _check_pack_dir(self) -> None:
        manifest = self.pack_dir / "PulumiPolicy.yaml"
        if not manifest.is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack: PulumiPolicy.yaml not found")
        if not (self.pack_dir / "__main__.py").is_file():
            raise PolicyPackError(f"{self.pack_dir} has no __main__.py for the python policy runtime")

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _ENV_KEYS}
        if self.program_config:
            env["PULUMI_CONFIG"] = json.dumps(self.program_config)
        env.update(
            PULUMI_ORGANIZATION=self.organization,
            PULUMI_PROJECT=self.project,
            PULUMI_STACK=self.stack,
            PULUMI_DRY_RUN="true" if self.dry_run else "false",
        )
        return env

    def _launch(self) -> None:
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", self._engine_address, "."],
            cwd=self.pack_dir,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        first_line: queue.Queue[str] = queue.Queue(maxsize=1)
        assert self._process.stdout is not None and self._process.stderr is not None
        self._threads = [
            threading.Thread(target=self._pump_stdout, args=(self._process.stdout, first_line), daemon=True),
            threading.Thread(target=self._pump_stderr, args=(self._process.stderr,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        try:
            line = first_line.get(timeout=self.startup_timeout)
        except queue.Empty:
            raise self._failure(f"policy pack did not print its port within {self.startup_timeout:g}s") from None
        if not line:
            self._process.wait(timeout=5)
            raise self._failure(f"policy pack exited with code {self._process.returncode} before printing its port")
        try:
            self._port = int(line.strip())
        except ValueError:
            raise self._failure(f"policy pack printed {line.strip()!r} instead of its gRPC port") from None

    def _pump_stdout(self, stream: Any, first_line: queue.Queue[str]) -> None:
        line = stream.readline().decode("utf-8", "replace")
        first_line.put(line)
        for raw in iter(stream.readline, b""):
            self.logs.append(EngineLog("info", raw.decode("utf-8", "replace").rstrip("\n")))

    def _pump_stderr(self, stream: Any) -> None:
        for raw in iter(stream.readline, b""):
            self._stderr.append(raw.decode("utf-8", "replace"))

    def _failure(self, what: str) -> PolicyPackError:
        if self._process is not None and self._process.poll() is not None:
            for thread in self._threads[1:]:
                thread.join(timeout=2)
        return PolicyPackError(f"{what} ({self.pack_dir}). Policy pack stderr:\n{_tail(self._stderr)}")

    def _connect(self) -> None:
        # No `grpc.channel_ready_future`: its connectivity subscription makes `channel.close()` take ~200 ms.
        # The first call waits for the channel instead, bounded by the startup timeout.
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self._port}", options=_GRPC_OPTIONS)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        directory = str(self.pack_dir)
        self._call(
            "Handshake",
            analyzer_pb2.AnalyzerHandshakeRequest(
                engine_address=self._engine_address, root_directory=directory, program_directory=directory
            ),
            optional=True,
            connecting=True,
        )
        self._call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.stack,
                project=self.project,
                organization=self.organization,
                dry_run=self.dry_run,
                config=self.program_config,
            ),
            optional=True,
        )

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
            exited = self._process is not None and self._process.poll() is not None
            state = "crashed" if exited else "failed"
            raise self._failure(f"policy pack {state} in {method}: {error.code().name}: {error.details()}") from None

    # -- the analyzer protocol ---------------------------------------------------------------------------------------

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        """`GetAnalyzerInfo`: the pack's name, policies, their levels and config schemas."""
        if self._info is None:
            self._info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        return self._info

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
                    enforcementLevel=_LEVEL_TO_PROTO[value.enforcement_level], properties=to_struct(value.properties)
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
            Violation(d.policyName, _PROTO_TO_LEVEL[d.enforcementLevel], record["urn"], d.message)
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
        response = self._call("AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(resources=map(stack_resource, records)))
        return [
            Violation(d.policyName, _PROTO_TO_LEVEL[d.enforcementLevel], d.urn if d.urn in urns else root, d.message)
            for d in response.diagnostics
        ]


def run_policy_pack(
    records: list[dict],
    *,
    project: str,
    stack: str,
    pack_dir: Path | None = None,
    policy_config: dict | None = None,
    dry_run: bool = True,
    program_config: dict[str, str] | None = None,
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
    ) as server:
        server.configure(policy_config)
        violations = [v for record in records for v in server.analyze(record)]
        violations += server.analyze_stack(records)
    return sorted(set(violations))
