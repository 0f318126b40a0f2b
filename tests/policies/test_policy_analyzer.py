"""The engine-faithful driver (`tests/support/analyzer/`), tested with its own probe packs, not with our rules.

The probe pack echoes back exactly what the SDK hands a policy (config, properties, options, graph), so
these tests pin down the driver's side of the protocol: config reconciliation with schema defaults,
request shapes, URN attribution, engine logging, and how pack failures surface.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2 as pb

from tests.support.analyzer import (
    DEFAULT_PACK_DIR,
    UNKNOWN,
    Judgement,
    PolicyConfigError,
    PolicyPackError,
    PolicyPackServer,
    Violation,
    analyze_request,
    analyzer_resource,
    check_pack_defaults,
    launch_pack_process,
    load_policy_config,
    marshal_value,
    reconcile_policy_config,
    root_stack_urn,
)

PROBE = textwrap.dedent(
    '''
    """A pack that reports what it is given, so the driver's requests can be inspected."""
    import json
    import sys

    import grpc
    from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc
    from pulumi_policy import (
        EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy, StackValidationPolicy,
    )
    from pulumi_policy.deserialize import serialize_properties

    # Log to the engine at the address it passed, as a pack in another language would.
    engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(sys.argv[1]))
    engine.Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING, message="probe pack up", urn="urn:x"))


    def echo(args, report):
        if args.props.get("explode") is True:
            raise RuntimeError("rule blew up")
        provider = args.provider
        report(json.dumps({
            "config": dict(args.get_config()),
            "props": serialize_properties(args.props),
            "name": args.name,
            "type": args.resource_type,
            "parent": args.opts.parent,
            "protect": args.opts.protect,
            "provider": [provider.urn, serialize_properties(provider.props)] if provider else None,
        }, sort_keys=True))


    def tag(args):
        return {**serialize_properties(args.props), "tagged": True}


    def graph(args, report):
        report(json.dumps([{
            "urn": r.urn,
            "props": serialize_properties(r.props),
            "parent": r.parent.urn if r.parent else None,
            "dependencies": [d.urn for d in r.dependencies],
            "propertyDependencies": {k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
        } for r in args.resources], sort_keys=True))
        report("about the first resource", args.resources[0].urn)
        report("about a resource not in the stack", "urn:pulumi:dev::probe::x:y:Z::gone")


    PolicyPack("probe", [
        ResourceValidationPolicy(
            "echo", "Echoes what it sees.", echo, EnforcementLevel.ADVISORY,
            PolicyConfigSchema({
                "limit": {"type": "integer", "default": 3},
                "names": {"type": "array", "items": {"type": "string"}, "default": ["a"]},
            }),
        ),
        ResourceValidationPolicy("tagger", "Tags every resource.", remediate=tag),
        StackValidationPolicy("graph", "Echoes the graph.", graph, EnforcementLevel.MANDATORY),
    ])
    '''
)


def write_pack(directory: Path, main: str, manifest: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if manifest:
        (directory / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (directory / "__main__.py").write_text(main)
    return directory


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    pack_dir = write_pack(tmp_path_factory.mktemp("probe"), PROBE)
    with PolicyPackServer(pack_dir, project="probe", stack="dev", program_config={"probe:x": "1"}) as server:
        yield server


def rec(name, inputs, **extra):
    return {"urn": f"urn:pulumi:dev::probe::t:m:R::{name}", "type": "t:m:R", "name": name, "inputs": inputs, **extra}


def echoed(violations):
    [violation] = [v for v in violations if v.policy == "echo"]
    message = violation.message.split("\n", 1)[1]
    return violation, json.loads(message)


# --- pure: config files and reconciliation -------------------------------------------------------------------------


def test_load_policy_config_accepts_the_cli_format(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"all": "advisory", "echo": {"enforcementLevel": "mandatory", "limit": 5}, "graph": "disabled"}')
    assert load_policy_config(path) == {
        "all": "advisory",
        "echo": {"enforcementLevel": "mandatory", "limit": 5},
        "graph": "disabled",
    }
    (tmp_path / "empty.json").write_text("  \n")
    assert load_policy_config(tmp_path / "empty.json") == {}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"echo": "strict"}', "echo: 'strict' is not an enforcement level (allowed: advisory, mandatory"),
        ('{"echo": {"enforcementLevel": 1}}', "echo.enforcementLevel: 1 is not an enforcement level"),
        ('{"echo": 3}', "echo: 3 is not valid"),
        ("[1, 2]", "expected a JSON object keyed by policy name, got list"),
        ('{"all": {"limit": 1}}', "all: needs an enforcement level"),
        ('{"echo": ', "not valid JSON: Expecting value (line 1, column 10)"),
    ],
)
def test_load_policy_config_rejects_with_one_line_naming_file_key_and_value(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(PolicyConfigError) as error:
        load_policy_config(path)
    assert str(error.value).startswith(f"{path}: ") and fragment in str(error.value) and "\n" not in str(error.value)


def test_load_policy_config_missing_file(tmp_path):
    with pytest.raises(PolicyConfigError, match="cannot read policy config"):
        load_policy_config(tmp_path / "nope.json")


def info_with(*policies, initial=None):
    info = pb.AnalyzerInfo(name="p", supportsConfig=True)
    for name, level, schema in policies:
        policy = info.policies.add(name=name, enforcementLevel=level)
        if schema:
            policy.configSchema.properties.update(schema)
    for name, (level, props) in (initial or {}).items():
        info.initialConfig[name].enforcementLevel = level
        info.initialConfig[name].properties.update(props)
    return info


def test_reconcile_fills_defaults_then_all_then_per_policy():
    info = info_with(
        ("a", pb.MANDATORY, {"n": {"type": "integer", "default": 1}, "xs": {"type": "array", "default": ["x"]}}),
        ("b", pb.ADVISORY, None),
    )
    defaults = reconcile_policy_config(info, None)
    assert {k: (v.enforcement_level, v.properties) for k, v in defaults.items()} == {
        "a": ("mandatory", {"n": 1, "xs": ["x"]}),
        "b": ("advisory", {}),
    }
    given = reconcile_policy_config(info, {"all": "disabled", "a": {"n": 2}, "b": "mandatory"})
    assert (given["a"].enforcement_level, given["a"].properties) == ("disabled", {"n": 2, "xs": ["x"]})
    assert given["b"].enforcement_level == "mandatory"


def test_reconcile_applies_the_packs_initial_config_before_the_users():
    info = info_with(
        ("a", pb.MANDATORY, {"n": {"type": "integer", "default": 1}}), initial={"a": (pb.ADVISORY, {"n": 7})}
    )
    assert reconcile_policy_config(info, None)["a"].properties == {"n": 7}
    assert reconcile_policy_config(info, None)["a"].enforcement_level == "advisory"
    assert reconcile_policy_config(info, {"a": {"n": 9}})["a"].properties == {"n": 9}


def test_reconcile_validates_against_the_schema_and_names():
    info = info_with(("a", pb.MANDATORY, {"n": {"type": "integer", "default": 1}}))
    with pytest.raises(PolicyConfigError, match=r"a: n: 'two' is not of type 'integer'"):
        reconcile_policy_config(info, {"a": {"n": "two"}})
    with pytest.raises(PolicyConfigError, match=r"unknown policy 'b' \(pack p has: a\)"):
        reconcile_policy_config(info, {"b": "advisory"})


def test_pack_defaults_that_break_their_own_schema_are_caught():
    info = info_with(("a", pb.MANDATORY, {"n": {"type": "array", "default": "not a list"}}))
    assert reconcile_policy_config(info, None)["a"].properties == {"n": "not a list"}  # not checked per run
    with pytest.raises(PolicyConfigError, match=r"a: n: 'not a list' is not of type 'array'"):
        check_pack_defaults(info)
    with pytest.raises(PolicyConfigError, match=r"a: n: 'not a list' is not of type 'array'"):
        reconcile_policy_config(info, {"a": "advisory"})  # any user config: validated, as the engine does


def test_this_repositorys_pack_defaults_are_valid(pack):
    settings = check_pack_defaults(pack.info())
    assert settings == reconcile_policy_config(pack.info(), None)
    assert any(s.properties for s in settings.values())


# --- pure: request shapes ------------------------------------------------------------------------------------------


def test_marshal_value_mirrors_the_engine():
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": {"__x": 1, "k": "v"}}
    ref = {"4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", "urn": "urn:a", "id": "id-1"}
    component_ref = {"4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", "urn": "urn:c", "id": ""}
    unknown_output = {"4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4"}
    assert marshal_value(
        {"__defaults": [], "s": secret, "r": ref, "c": component_ref, "o": unknown_output, "l": [UNKNOWN, 1]}
    ) == {"s": {**secret, "value": {"k": "v"}}, "r": "id-1", "c": "urn:c", "o": UNKNOWN, "l": [UNKNOWN, 1]}


def test_analyze_request_and_analyzer_resource_shapes():
    record = rec(
        "r",
        {"a": 1},
        parent="urn:parent",
        protect=True,
        dependencies=["urn:d"],
        propertyDependencies={"a": ["urn:d"], "b": []},
        outputs={"a": 1, "id": "x"},
    )
    request = analyze_request(record)
    assert (request.urn, request.type, request.name, request.options.parent, request.options.protect) == (
        record["urn"],
        "t:m:R",
        "r",
        "urn:parent",
        True,
    )
    assert request.options.HasField("customTimeouts") and not request.HasField("provider")
    resource = analyzer_resource(record)
    assert json_format.MessageToDict(resource.properties) == {"a": 1, "id": "x"}
    # The engine sends the parent beside the options and inside them (seen by tests/e2e/test_parity.py).
    assert (resource.parent, list(resource.dependencies), resource.options.parent) == (
        "urn:parent",
        ["urn:d"],
        "urn:parent",
    )
    assert {k: list(v.urns) for k, v in resource.propertyDependencies.items()} == {"a": ["urn:d"]}


def test_root_stack_urn():
    assert (
        root_stack_urn("claude-vertex", "dev")
        == "urn:pulumi:dev::claude-vertex::pulumi:pulumi:Stack::claude-vertex-dev"
    )


def test_violation_orders_and_serialises():
    a, b = Violation("p", "mandatory", "urn:b", "m"), Violation("p", "advisory", "urn:a", "m")
    assert sorted([a, b]) == [b, a] and a.to_dict() == {
        "policy": "p",
        "level": "mandatory",
        "urn": "urn:b",
        "message": "m",
        "severity": "",
    }


# --- over the protocol, with the probe pack ------------------------------------------------------------------------


@pytest.mark.slow
def test_probe_sees_engine_shaped_analyze_requests(probe):
    probe.configure(None)
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2"}
    provider = {"urn": "urn:pulumi:dev::probe::pulumi:providers:gcp::default", "type": "pulumi:providers:gcp",
                "inputs": {"project": "p"}}  # fmt: skip
    violation, seen = echoed(
        probe.analyze(
            rec(
                "r", {"a": 1, "s": secret, "u": UNKNOWN, "__meta": "x"}, parent="urn:p", protect=True, provider=provider
            )
        )
    )
    assert violation.level == "advisory" and violation.urn.endswith("::r")
    assert violation.message.startswith("Echoes what it sees.\n")
    assert seen == {
        "config": {"limit": 3, "names": ["a"]},
        "props": {"a": 1.0, "s": "hunter2", "u": UNKNOWN},
        "name": "r",
        "type": "t:m:R",
        "parent": "urn:p",
        "protect": True,
        "provider": [provider["urn"], {"project": "p"}],
    }


@pytest.mark.slow
def test_probe_config_overrides_and_levels(probe):
    probe.configure({"echo": {"limit": 5}})
    assert echoed(probe.analyze(rec("r", {})))[1]["config"] == {"limit": 5, "names": ["a"]}
    probe.configure({"all": "mandatory"})
    assert echoed(probe.analyze(rec("r", {})))[0].level == "mandatory"
    probe.configure({"echo": "disabled"})
    assert probe.analyze(rec("r", {})) == []
    with pytest.raises(PolicyConfigError, match="echo: limit: 'x' is not of type 'integer'"):
        probe.configure({"echo": {"limit": "x"}})


@pytest.mark.slow
def test_remediations_rewrite_the_inputs_analyze_sees(probe):
    probe.configure(None)
    assert "tagged" not in echoed(probe.analyze(rec("r", {"a": "b"})))[1]["props"]
    probe.configure({"tagger": "remediate"})
    assert echoed(probe.analyze(rec("r", {"a": "b"})))[1]["props"] == {"a": "b", "tagged": True}


@pytest.mark.slow
def test_probe_sees_the_graph_and_stack_urns_are_attributed(probe):
    probe.configure(None)
    first = rec("first", {"in": 1}, outputs={"in": 1, "out": "o"})
    second = rec("second", {"x": UNKNOWN}, parent=first["urn"], dependencies=[first["urn"]],
                 propertyDependencies={"x": [first["urn"]]})  # fmt: skip
    violations = probe.analyze_stack([first, second])
    root = root_stack_urn("probe", "dev")
    assert {(v.message.split("\n")[-1], v.urn, v.level) for v in violations if not v.message.endswith("]")} == {
        ("about the first resource", first["urn"], "mandatory"),
        ("about a resource not in the stack", root, "mandatory"),
    }
    [graph] = [json.loads(v.message.split("\n", 1)[1]) for v in violations if v.message.endswith("]")]
    assert graph == [
        {"urn": first["urn"], "props": {"in": 1.0, "out": "o"}, "parent": None, "dependencies": [],
         "propertyDependencies": {}},
        {"urn": second["urn"], "props": {"x": UNKNOWN}, "parent": first["urn"], "dependencies": [first["urn"]],
         "propertyDependencies": {"x": [first["urn"]]}},
    ]  # fmt: skip


@pytest.mark.slow
def test_engine_server_receives_the_packs_logs(probe):
    assert any(log.message == "probe pack up" and log.severity == "warning" for log in probe.logs)


@pytest.mark.slow
def test_a_rule_that_raises_surfaces_with_the_packs_stderr(probe):
    probe.configure(None)
    with pytest.raises(PolicyPackError) as error:
        probe.analyze(rec("r", {"explode": True}))
    assert "failed in Analyze" in str(error.value) and "rule blew up" in str(error.value)


# --- pack failures -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pack_that_crashes_at_startup(tmp_path):
    pack_dir = write_pack(tmp_path, "raise SystemExit('boom: the pack cannot start')\n")
    with pytest.raises(PolicyPackError) as error, PolicyPackServer(pack_dir, project="p", stack="s"):
        pass
    assert "exited with code 1 before printing its port" in str(error.value)
    assert "boom: the pack cannot start" in str(error.value)


@pytest.mark.slow
def test_pack_that_prints_something_else(tmp_path):
    pack_dir = write_pack(tmp_path, "print('hello there')\nimport time\ntime.sleep(30)\n")
    with pytest.raises(PolicyPackError, match="printed 'hello there' instead of its gRPC port"):
        PolicyPackServer(pack_dir, project="p", stack="s").start()


@pytest.mark.slow
def test_pack_that_never_prints_a_port_is_killed(tmp_path):
    marker = tmp_path / "pid"
    main = (
        f"import os, sys, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\n"
        "print('waiting', file=sys.stderr)\ntime.sleep(60)\n"
    )
    pack_dir = write_pack(tmp_path / "pack", main)
    with pytest.raises(PolicyPackError) as error:
        PolicyPackServer(pack_dir, project="p", stack="s", startup_timeout=1.5).start()
    assert "did not print its port within 1.5s" in str(error.value) and "waiting" in str(error.value)
    assert not process_alive(int(marker.read_text()))


def test_directory_without_manifest_is_not_a_pack(tmp_path):
    pack_dir = write_pack(tmp_path, PROBE, manifest=False)
    with pytest.raises(PolicyPackError, match=r"PulumiPolicy\.yaml not found"):
        PolicyPackServer(pack_dir, project="p", stack="s").start()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


@pytest.mark.slow
def test_server_stops_the_pack_on_exit(tmp_path):
    pack_dir = write_pack(tmp_path, PROBE)
    with PolicyPackServer(pack_dir, project="p", stack="s") as server:
        pid = server.pid
        assert process_alive(pid)
    assert not process_alive(pid)


@pytest.mark.slow
def test_pack_also_loads_when_started_by_absolute_path_from_elsewhere(tmp_path):
    """`python -m pulumi.policy <engine> <pack-dir>` with another cwd: the package still imports."""
    pack_dir = Path(__file__).resolve().parents[2] / "policies"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(pack_dir)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = process.stdout.readline().decode()
        assert line.strip().isdigit(), process.stderr.read().decode() if process.poll() is not None else line
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()


def test_the_port_read_from_several_threads_is_the_one_port():
    """The overlapped pass asks for the port on its own thread while a caller may ask too: all get it, at once."""
    process = launch_pack_process(DEFAULT_PACK_DIR, project="claude-vertex", stack="dev", startup_timeout=20)
    ports: list[int] = []
    try:
        readers = [threading.Thread(target=lambda: ports.append(process.port())) for _ in range(3)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=25)
        assert len(ports) == 3 and len(set(ports)) == 1
    finally:
        process.kill()


def test_a_pack_launched_before_grpc_is_imported_is_adopted_with_its_engine(tmp_path):
    """The preview's fast path: the process first, the engine and the protocol when the program is rendering."""
    pack_dir = write_pack(tmp_path / "probe", PROBE)
    process = launch_pack_process(pack_dir, project="probe", stack="dev")
    judgement = Judgement(PolicyPackServer(pack_dir, project="probe", stack="dev", process=process), None)
    try:
        judgement.add(rec("a", {"k": "v"}))
        violations = judgement.verdicts([rec("a", {"k": "v"})])
        assert echoed(violations)[1]["props"] == {"k": "v"}
        assert any(log.message == "probe pack up" for log in judgement.server.logs)
    finally:
        judgement.server.close()
    assert not process.running
