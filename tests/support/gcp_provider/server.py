"""The stand-in's `pulumirpc.ResourceProvider`: the Google provider's answers, from the shared declarations and the
stand-in's own cloud.

What the engine gets, call by call (read from pulumi/pulumi `sdk/go/common/resource/plugin/provider_plugin.go` and
pulumi-terraform-bridge `pkg/tfbridge/provider.go`, which pulumi-gcp is built on):

* `Handshake` is refused as unimplemented, so the engine falls back to the protocol `Configure` negotiates:
  secrets and resource references accepted, previews supported (the engine then asks `Create`/`Update` with
  `preview` instead of assuming the inputs come back).
* `CheckConfig` refuses configuration keys the provider does not have, worded as the bridge words it, and marks
  its sensitive settings secret; `DiffConfig` reports changed settings, never a replacement.
* `Check` returns the inputs unchanged, and refuses a type the stand-in does not model (`resource_kinds`).
* `Diff` compares the new inputs with the last known state, key by key: a change to an input GCP cannot change
  in place replaces the resource; a reference the provider compares by name (`ResourceKind.same`) is no change
  however it is spelled.
* `Create` with `preview` hands the inputs back and nothing else, so the ID and every computed output stay unknown
  (as `GcpMocks(preview=True)` does); otherwise it fills what the provider defaults (`project` and `region` from
  its config, `deletionPolicy`), computes the ID and outputs from the inputs and what the cloud holds
  (`gcp_declarations.computed_state`: an address from its subnet, a secret version's number), refuses what GCP
  would refuse (an ID taken, a reference to nothing), and records the resource in the cloud.
* `Read` answers from the cloud (no ID when the resource is gone), so a refresh sees what changed there;
  `Update` rewrites it, keeping the ID and numbers GCP assigned; `Delete` honours `deletionPolicy`, refuses what
  GCP or the provider refuse to delete (deletion protection; a connection, subnet or network still in use),
  deletes the children GCP deletes with it, and soft-deletes what GCP soft-deletes. A soft-deleted resource reads
  as gone (not modelled: the provider reads a custom role deleted less than 7 days ago as `deleted: true`).
* `Invoke` answers from `gcp_declarations.invoke`, as the mocks do.

Every call is appended to the cloud's call log (`Cloud.calls`), so a test can see what the engine asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from tests.support.analyzer.marshal import is_secret, secret
from tests.support.gcp_declarations import (
    PROVIDER_SECRET_SETTINGS,
    GcpRefusal,
    Known,
    computed_state,
    filled_by_provider,
    invoke,
)
from tests.support.gcp_provider import schema
from tests.support.gcp_provider.cloud import Cloud, CloudNotConfigured, CloudState, Record
from tests.support.gcp_provider.plugin import plugin_version
from tests.support.gcp_provider.resource_kinds import (
    ABANDON,
    KINDS,
    PREVENT,
    PROVIDER_DEFAULTED,
    ResourceKind,
    bridge_error,
    prevent_error,
    unknown_type_reason,
)
from tests.support.gcp_provider.wire import contains_unknown, from_struct, plain, to_struct

SECRET_SETTINGS = PROVIDER_SECRET_SETTINGS
"""Provider settings the gcp schema marks secret: `CheckConfig` hands them back secret whatever the stack says."""
VERSION_KEY = "version"
_DIFF = provider_pb2.PropertyDiff
_MISSING = object()
_REPLACING = {_DIFF.ADD: _DIFF.ADD_REPLACE, _DIFF.DELETE: _DIFF.DELETE_REPLACE, _DIFF.UPDATE: _DIFF.UPDATE_REPLACE}


def _name_and_type(request: Any) -> tuple[str, str]:
    """The resource's name and type: the request's fields, else the URN's (its type after any parent types)."""
    parts = request.urn.split("::")
    qualified_type = parts[-2] if len(parts) > 2 else ""
    return request.name or parts[-1], request.type or qualified_type.rsplit("$", 1)[-1]


def _abort(context: grpc.ServicerContext, message: str, code: grpc.StatusCode = grpc.StatusCode.UNKNOWN) -> NoReturn:
    context.abort(code, message)
    raise AssertionError("unreachable: grpc aborts by raising")


def kind_of(type_token: str) -> ResourceKind:
    return KINDS.get(type_token) or ResourceKind(replace_on=frozenset())


class StateView:
    """The cloud as a computation of IDs and outputs sees it (`gcp_declarations.CloudView`)."""

    def __init__(self, state: CloudState) -> None:
        self.state = state

    def get(self, type_token: str, resource_id: str) -> Mapping[str, Any] | None:
        record = self.state.live(type_token, resource_id)
        return plain(record.properties) if record is not None else None

    def ids(self, type_token: str) -> list[str]:
        return [resource_id for (kind, resource_id) in self.state.records if kind == type_token]


def diff(kind: ResourceKind, old_inputs: Mapping[str, Any], olds: Mapping[str, Any], news: Mapping[str, Any]) -> Any:
    """Key by key, the new inputs against the last known state (the old inputs where the state lacks a key); two
    spellings of one reference the provider compares by meaning (`ResourceKind.same`) are no change."""
    detailed: dict[str, provider_pb2.PropertyDiff] = {}
    for key in sorted(set(news) | set(old_inputs)):
        if key not in news:
            if key in PROVIDER_DEFAULTED:
                continue  # the provider fills it again from its config: nothing changes in GCP
            change = _DIFF.DELETE
        else:
            before = olds[key] if key in olds else old_inputs.get(key, _MISSING)
            if before is _MISSING:
                change = _DIFF.ADD
            elif contains_unknown(news[key]) or not kind.equal(key, plain(before), plain(news[key])):
                change = _DIFF.UPDATE
            else:
                continue
        if key in kind.replace_on:
            change = _REPLACING[change]
        detailed[key] = _DIFF(kind=change, inputDiff=True)
    replaces = sorted(key for key in detailed if key in kind.replace_on)
    return provider_pb2.DiffResponse(
        changes=provider_pb2.DiffResponse.DIFF_SOME if detailed else provider_pb2.DiffResponse.DIFF_NONE,
        replaces=replaces,
        diffs=sorted(detailed),
        detailedDiff=detailed,
        hasDetailedDiff=True,
    )


class StandInProvider(provider_pb2_grpc.ResourceProviderServicer):
    """One plugin process: its configuration (from `Configure`) and the cloud it works on."""

    def __init__(self, cloud: Cloud | None) -> None:
        self.cloud = cloud
        self.config: dict[str, Any] = {}

    # -- bookkeeping -------------------------------------------------------------------------------------------

    def _log(self, rpc: str, request: Any = None, **extra: Any) -> None:
        if self.cloud is None:
            return
        entry: dict[str, Any] = {"rpc": rpc, **extra}
        for field in ("urn", "type", "tok", "preview"):
            value = getattr(request, field, None) if request is not None else None
            if value not in (None, ""):
                entry[field] = value
        self.cloud.log_call(entry)

    def _cloud(self, context: grpc.ServicerContext) -> Cloud:
        if self.cloud is None:
            _abort(context, str(CloudNotConfigured()), grpc.StatusCode.FAILED_PRECONDITION)
        return self.cloud

    def _with_defaults(self, type_token: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs with what the provider fills from its config when the resource leaves it out."""
        properties = dict(inputs)
        names = schema.input_names(type_token) if type_token in KINDS else frozenset()
        for setting in ("project", "region"):
            if properties.get(setting) is None and setting in names and self.config.get(setting):
                properties[setting] = self.config[setting]
        properties.update(filled_by_provider(type_token, properties, self.config))
        return properties

    def _state_of(
        self,
        context: grpc.ServicerContext,
        type_token: str,
        name: str,
        inputs: Mapping[str, Any],
        state: CloudState,
        resource_id: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """(ID, properties as GCP holds them): the inputs and what GCP computes from them and from what it holds."""
        try:
            new_id, computed = computed_state(type_token, name, plain(inputs), Known(StateView(state), resource_id))
        except KeyError as missing:
            _abort(context, bridge_error(f"{missing.args[0]}: required field is not set"))
        except GcpRefusal as refusal:
            _abort(context, bridge_error(str(refusal)))
        return new_id, {**inputs, **computed}

    # -- the plugin and its configuration ----------------------------------------------------------------------

    def Handshake(self, request: Any, context: grpc.ServicerContext) -> NoReturn:
        self._log("Handshake")
        _abort(context, "the stand-in negotiates through Configure", grpc.StatusCode.UNIMPLEMENTED)

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        self._log("GetPluginInfo")
        return plugin_pb2.PluginInfo(version=plugin_version())

    def GetSchema(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.GetSchemaResponse:
        self._log("GetSchema")
        return provider_pb2.GetSchemaResponse(schema=json.dumps(schema.package_schema()))

    def CheckConfig(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.CheckResponse:
        self._log("CheckConfig", request)
        news = from_struct(request.news)
        known = set(schema.provider_properties()) | {VERSION_KEY}
        name = _name_and_type(request)[0]
        failures = [
            provider_pb2.CheckFailure(reason=_unknown_setting(key, name))
            for key in sorted(news)
            if key not in known and not key.startswith("__")
        ]
        if failures:
            return provider_pb2.CheckResponse(failures=failures)
        for key in SECRET_SETTINGS:
            if key in news and not is_secret(news[key]):
                news[key] = secret(news[key])
        return provider_pb2.CheckResponse(inputs=to_struct(news))

    def DiffConfig(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.DiffResponse:
        self._log("DiffConfig", request)
        olds, news = from_struct(request.olds), from_struct(request.news)
        changed = sorted(
            key
            for key in set(olds) | set(news)
            if key != VERSION_KEY and not key.startswith("__") and plain(olds.get(key)) != plain(news.get(key))
        )
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
        )

    def Configure(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.ConfigureResponse:
        self._log("Configure")
        self._cloud(context)
        config = plain(from_struct(request.args)) if request.HasField("args") else {}
        for key, value in request.variables.items():  # the deprecated form: `gcp:config:<key>`
            config.setdefault(key.rsplit(":", 1)[-1], value)
        self.config = config
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True, acceptResources=True)

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        self._log("Cancel")
        return empty_pb2.Empty()

    # -- resources ---------------------------------------------------------------------------------------------

    def Check(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.CheckResponse:
        self._log("Check", request)
        type_token = _name_and_type(request)[1]
        if type_token not in KINDS:
            failure = provider_pb2.CheckFailure(reason=unknown_type_reason(type_token))
            return provider_pb2.CheckResponse(failures=[failure])
        return provider_pb2.CheckResponse(inputs=request.news)

    def Diff(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.DiffResponse:
        self._log("Diff", request)
        kind = kind_of(_name_and_type(request)[1])
        return diff(kind, from_struct(request.old_inputs), from_struct(request.olds), from_struct(request.news))

    def Create(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.CreateResponse:
        self._log("Create", request)
        if request.preview:
            return provider_pb2.CreateResponse(properties=request.properties)
        name, type_token = _name_and_type(request)
        inputs = self._with_defaults(type_token, from_struct(request.properties))
        with self._cloud(context).transaction() as state:
            resource_id, properties = self._state_of(context, type_token, name, inputs, state)
            existing, reuse = state.record(type_token, resource_id), kind_of(type_token).id_reuse
            if existing is not None and reuse is not None:
                refused = reuse.refusal(resource_id, plain(properties), existing.deleted_at, state.clock)
                if refused is not None:
                    _abort(context, bridge_error(refused))
            state.put(Record(type_token, resource_id, properties, urn=request.urn))
        return provider_pb2.CreateResponse(id=resource_id, properties=to_struct(properties))

    def Read(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.ReadResponse:
        self._log("Read", request)
        type_token = _name_and_type(request)[1]
        record = self._cloud(context).snapshot().live(type_token, request.id)
        if record is None:
            return provider_pb2.ReadResponse()  # gone: the engine drops it from the stack
        known_inputs = from_struct(request.inputs)
        kind = kind_of(type_token)
        if known_inputs:  # a refresh: the inputs it had, as GCP now holds them (a reference spelled as before)
            names = known_inputs.keys()
        else:  # an import: every input of the type GCP holds
            names = schema.input_names(type_token) if type_token in KINDS else record.properties.keys()
        inputs = {
            key: known_inputs[key]
            if key in known_inputs and kind.equal(key, plain(known_inputs[key]), plain(record.properties[key]))
            else record.properties[key]
            for key in names
            if key in record.properties
        }
        return provider_pb2.ReadResponse(
            id=record.id, properties=to_struct(record.properties), inputs=to_struct(inputs)
        )

    def Update(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.UpdateResponse:
        self._log("Update", request)
        name, type_token = _name_and_type(request)
        news = from_struct(request.news)
        if request.preview:  # computed outputs stay as they were; the new inputs replace the old ones
            olds, old_inputs = from_struct(request.olds), from_struct(request.old_inputs)
            kept = {key: value for key, value in olds.items() if key not in old_inputs}
            return provider_pb2.UpdateResponse(properties=to_struct({**kept, **news}))
        with self._cloud(context).transaction() as state:
            record = state.live(type_token, request.id)
            if record is None:
                _abort(context, bridge_error(f"googleapi: Error 404: {request.id} was not found, notFound"))
            inputs = self._with_defaults(type_token, news)
            _, properties = self._state_of(context, type_token, name, inputs, state, request.id)
            record.properties = properties
        return provider_pb2.UpdateResponse(properties=to_struct(properties))

    def Delete(self, request: Any, context: grpc.ServicerContext) -> empty_pb2.Empty:
        self._log("Delete", request)
        type_token = _name_and_type(request)[1]
        kind = kind_of(type_token)
        state_properties = plain(from_struct(request.properties))
        policy = state_properties.get("deletionPolicy")
        if policy == PREVENT:
            _abort(context, f"deleting {request.urn}: {prevent_error(type_token, request.id)}")
        if policy == ABANDON:
            return empty_pb2.Empty()  # forgotten by Pulumi, left alone in GCP
        with self._cloud(context).transaction() as state:
            for refusal in kind.in_use:
                reason = refusal(request.id, state_properties, state)
                if reason is not None:
                    _abort(context, f"deleting {request.urn}: {bridge_error(reason)}")
            _delete(state, kind, type_token, request.id)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.InvokeResponse:
        self._log("Invoke", request)
        result, failures = invoke(request.tok, plain(from_struct(request.args)))
        return provider_pb2.InvokeResponse(
            failures=[provider_pb2.CheckFailure(property=key, reason=reason) for key, reason in failures],
            **{"return": to_struct(result)},
        )


def _delete(state: CloudState, kind: ResourceKind, type_token: str, resource_id: str) -> None:
    record = state.live(type_token, resource_id)
    if record is None or kind.kept_on_delete(plain(record.properties)):
        return  # already gone (the provider shrugs at a 404), or deleting only forgets it
    if kind.owns is not None:  # GCP deletes the children with it (a secret's versions, destroyed or not)
        child_type, prefix = kind.owns(plain(record.properties))
        for child in [key for key in state.records if key[0] == child_type and key[1].startswith(prefix)]:
            del state.records[child]
    state.delete(type_token, resource_id, keep_id=kind.remembers_deletes)


def _unknown_setting(key: str, provider_name: str) -> str:
    """The bridge's refusal of a configuration key the provider does not have (`check_failures.go`)."""
    if provider_name.startswith("default"):
        return (
            f"`gcp:{key}` is not a valid configuration key for the gcp provider. If the referenced key is not "
            "intended for the provider, please choose a different namespace from `gcp:`."
        )
    return (
        f"could not validate provider configuration: Invalid or unknown key. Examine values at '{provider_name}.{key}'."
    )
