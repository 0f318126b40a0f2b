"""How the offline runner reads project and stack files (the same config path the Pulumi CLI takes), and what it
records of a run: the program's registrations and the engine's own (root stack, default providers)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pulumi.runtime.mocks import MockResourceArgs

from tests.conftest import config_with
from tests.support.analyzer import UNKNOWN, secret
from tests.support.default_providers import default_provider_name, provider_inputs
from tests.support.gcp_mocks import COMPUTED_STATE, GcpMocks
from tests.support.render import ROOT, StackFileError, engine_config, read_project, read_stack_config, render_stack

SIMPLE_TYPES = {"string", "boolean", "integer", "array"}


def test_project_file_repeats_no_stack_key() -> None:
    data = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert data["name"] == "claude-vertex"
    assert data["runtime"]["name"] == "python"
    assert data["runtime"]["options"]["virtualenv"] == ".venv"
    # Keys are declared once, in components/claude_vertex/config/; the project file repeats none of them.
    declared = data.get("config") or {}
    assert not [k for k in declared if k.startswith("claude-vertex:")]
    for key, decl in declared.items():
        assert decl["type"] in SIMPLE_TYPES, f"{key}: Pulumi project config types only {SIMPLE_TYPES}"


def test_defaults_and_plain_values_from_the_project_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "demo",
                "runtime": "python",
                "config": {
                    "region": {"type": "string", "default": "global"},
                    "gcp:project": {"value": "shared"},
                    "flag": True,
                    "required": {"type": "string"},
                },
            }
        )
    )
    name, defaults = read_project(tmp_path)
    assert name == "demo"
    assert defaults == {"demo:region": "global", "gcp:project": "shared", "demo:flag": True}


def test_stack_keys_without_namespace_get_the_project_name(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config:\n  team: payments\n  claude-vertex:vertex:\n    region: eu\n  gcp:project: p\n")
    assert read_stack_config(path, "claude-vertex") == {
        "claude-vertex:team": "payments",
        "claude-vertex:vertex": {"region": "eu"},
        "gcp:project": "p",
    }


def test_stack_file_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config:\n  - a list\n")
    with pytest.raises(StackFileError, match="'config' must be a mapping"):
        read_stack_config(path, "p")
    path.write_text("- top level list\n")
    with pytest.raises(StackFileError, match="expected a YAML mapping"):
        read_stack_config(path, "p")


def test_engine_config_encodes_like_the_cli() -> None:
    """Strings as written, anything else as Go's json.Marshal writes it (plaintext.go marshalText)."""
    assert engine_config({"a:s": "x", "a:b": True, "a:n": 3, "a:o": {"z": [1, "v"], "a": "<b>&"}}) == {
        "a:s": "x",
        "a:b": "true",
        "a:n": "3",
        "a:o": '{"a":"\\u003cb\\u003e\\u0026","z":[1,"v"]}',
    }


def _args(typ: str, inputs: dict) -> MockResourceArgs:
    return MockResourceArgs(typ=typ, name="r", inputs=inputs, provider=None, resource_id=None, custom=True)


def test_mocks_answer_after_up_with_gcp_formats_and_a_default_for_types_they_do_not_know() -> None:
    mocks = GcpMocks()
    role_id, role = mocks.new_resource(
        _args("gcp:projects/iAMCustomRole:IAMCustomRole", {"project": "p-1", "roleId": "r", "title": None})
    )
    assert role_id == role["name"] == "projects/p-1/roles/r" and "title" not in role
    budget = {"billingAccount": "012345-6789AB-CDEF01", "amount": {"specifiedAmount": {"units": "100"}}}
    assert mocks.new_resource(_args("gcp:billing/budget:Budget", budget)) == (
        "r-id",
        {**budget, "deletionPolicy": "DELETE"},
    )
    assert set(COMPUTED_STATE) >= {"gcp:organizations/project:Project", "gcp:serviceaccount/account:Account"}


def test_mocks_in_preview_mode_know_only_the_inputs_as_a_new_stacks_preview_does() -> None:
    inputs = {"project": "p-1", "accountId": "claude-agent"}
    assert GcpMocks(preview=True).new_resource(_args("gcp:serviceaccount/account:Account", inputs)) == ("", inputs)
    _, after_up = GcpMocks().new_resource(_args("gcp:serviceaccount/account:Account", inputs))
    assert after_up["email"] == "claude-agent@p-1.iam.gserviceaccount.com"


# --- what the engine registers on its own: default providers, provider references, the root stack -------------------


def test_default_provider_names_follow_the_engine() -> None:
    """ProviderRequest.DefaultName: the version's parts, then the plugin download URL as a QName."""
    assert default_provider_name() == "default"
    assert default_provider_name("10.2.0") == "default_10_2_0"
    assert default_provider_name("1.2.3-alpha.1+build.5") == "default_1_2_3_alpha_1_build_5"
    assert default_provider_name("10.2.0", "https://plugins.example.com/gcp/") == (
        "default_10_2_0_https_/plugins.example.com/gcp"
    )
    with pytest.raises(ValueError, match="'latest' is not a semantic version"):
        default_provider_name("latest")


def test_default_provider_inputs_are_the_packages_config_then_the_version() -> None:
    config = {
        "claude-vertex:team": "payments",
        "gcp:project": "p-123456",
        "gcp:scopes": ["https://www.googleapis.com/auth/cloud-platform"],
        "gcp:userProjectOverride": True,
        "gcp:version": "1.0.0",
        "gcp:credentials": {"secure": "v1:abcdef"},
    }
    assert provider_inputs("gcp", config, "10.2.0") == {
        "credentials": secret(UNKNOWN),  # decrypted by the engine; unknown offline
        "project": "p-123456",
        "scopes": '["https://www.googleapis.com/auth/cloud-platform"]',
        "userProjectOverride": "true",
        "version": "10.2.0",  # SetProviderVersion overwrites gcp:version
    }
    dynamic = provider_inputs("pulumi-python", config, "")
    assert set(dynamic) == set(config) and dynamic["claude-vertex:team"] == "payments"


def test_the_engines_providers_are_registered_and_referenced() -> None:
    registered: list[str] = []
    rendering = render_stack(
        "test", {**config_with(), "gcp:region": "us-east5"}, on_register=lambda r: registered.append(r["urn"])
    )
    providers = {r["type"]: r for r in rendering.resources if r["type"].startswith("pulumi:providers:")}
    # One package, one default provider: the program registers no dynamic resource, so no `pulumi-python`.
    assert set(providers) == {"pulumi:providers:gcp"}
    gcp = providers["pulumi:providers:gcp"]
    assert gcp["urn"] == "urn:pulumi:test::claude-vertex::pulumi:providers:gcp::default_10_2_0"
    assert gcp["parent"] == "" and gcp["dependencies"] == []
    assert gcp["inputs"] == {"region": "us-east5", "version": "10.2.0"}
    for record in rendering.resources:
        expected = {"gcp": gcp}.get(record["type"].split(":")[0])
        if expected is None:  # components and the providers themselves
            assert record["provider"] is None, record["urn"]
            continue
        assert record["provider"] == {k: expected[k] for k in ("urn", "type", "name", "inputs")}, record["urn"]
        assert registered.index(expected["urn"]) < registered.index(record["urn"])
    assert rendering.root is not None and rendering.analyzed[0] is rendering.root
    assert rendering.root["urn"] == "urn:pulumi:test::claude-vertex::pulumi:pulumi:Stack::claude-vertex-test"
    assert rendering.root["urn"] in registered
    # URNs as the engine makes them: no root stack type in front, a parent's whole qualified type.
    assert all("pulumi:pulumi:Stack$" not in r["urn"] for r in rendering.resources)


DYNAMIC = """
import pulumi.dynamic

class Noop(pulumi.dynamic.ResourceProvider):
    def create(self, props):
        return pulumi.dynamic.CreateResult(id_="noop", outs=props)

class Thing(pulumi.dynamic.Resource, module="things", name="Thing"):
    def __init__(self, name):
        super().__init__(Noop(), name, {"size": 1})

Thing("thing")
"""


def test_a_programs_dynamic_resource_gets_the_engines_dynamic_provider(tmp_path: Path) -> None:
    """What the engine does for any program with a dynamic resource: a `pulumi-python` default provider holding the
    stack's whole config (namespaced keys), referenced by the resource."""
    (tmp_path / "__main__.py").write_text(DYNAMIC)
    config = {"demo:size": "1", "gcp:region": "us-east5"}
    rendering = render_stack("dev", config, root=tmp_path, project="demo")
    by_name = {r["name"]: r for r in rendering.resources}
    dynamic = by_name["default"]
    assert dynamic["urn"] == "urn:pulumi:dev::demo::pulumi:providers:pulumi-python::default"
    assert dynamic["parent"] == "" and dynamic["inputs"] == config
    assert by_name["thing"]["type"] == "pulumi-python:dynamic/things:Thing"
    assert by_name["thing"]["provider"]["urn"] == dynamic["urn"]


EXPLICIT = """
import pulumi
import pulumi_gcp as gcp

mine = gcp.Provider("mine", project="p-123456")
only_mine = pulumi.ResourceOptions(provider=mine)
gcp.projects.Service("api", project="p-123456", service="iam.googleapis.com", opts=only_mine)
gcp.projects.Service("other", project="p-123456", service="aiplatform.googleapis.com")
gcp.projects.Service(
    "elsewhere",
    project="p-123456",
    service="logging.googleapis.com",
    opts=pulumi.ResourceOptions(plugin_download_url="https://plugins.example.com/"),
)
"""


def test_a_programs_own_provider_is_recorded_as_the_engine_sees_it(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text(EXPLICIT)
    rendering = render_stack("dev", {"gcp:project": "p-123456"}, root=tmp_path, project="demo")
    by_name = {r["name"]: r for r in rendering.resources}
    mine = by_name["mine"]
    assert mine["type"] == "pulumi:providers:gcp" and mine["parent"] == rendering.root["urn"]
    assert mine["inputs"] == {"project": "p-123456", "version": "10.2.0"}
    assert by_name["api"]["provider"]["urn"] == mine["urn"]
    assert by_name["other"]["provider"]["name"] == "default_10_2_0"
    assert by_name["elsewhere"]["provider"]["name"] == "default_10_2_0_https_/plugins.example.com"
    assert by_name["default_10_2_0"]["inputs"] == {"project": "p-123456", "version": "10.2.0"}


def test_an_invoke_gets_its_packages_default_provider_too(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text('import pulumi_gcp as gcp\ngcp.organizations.get_project(project_id="p-1")\n')
    rendering = render_stack("dev", {"gcp:region": "us-east5"}, root=tmp_path, project="demo")
    assert [(r["type"], r["name"], r["inputs"]) for r in rendering.resources] == [
        ("pulumi:providers:gcp", "default_10_2_0", {"region": "us-east5", "version": "10.2.0"})
    ]
