"""The engine's own registrations reach the pack as they do under `pulumi preview`, and the pack judges them.

The engine registers a default provider per package the program uses and sends it to the pack like any
resource, with the stack file's `gcp:*` keys as the gcp provider's inputs; so a provider setting in a stack
file is judged through the real path here: stack file -> offline preview -> pack, exit code and all.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from claude_vertex_policies import provider_settings
from policy_records import program_stack

from tests.conftest import BASE_CONFIG
from tests.support import default_providers
from tests.support.analyzer import analyze_request
from tools import preview

SETTINGS_RULE = "gcp-provider-settings-allowed"


def test_the_pack_names_default_providers_as_the_engine_does():
    """Two distributions, one fact: the pack cannot import the emulation, so both follow DefaultName."""
    for version in ("10.2.0", "0.1.0", "10.3.0-alpha.1", "1.2.3-rc.1+build.7", "2.0.0+20261206"):
        assert provider_settings.default_name(version) == default_providers.default_provider_name(version)
    assert provider_settings.default_name(None) == default_providers.default_provider_name() == "default"
    assert provider_settings.default_name("latest") is None
    for url in ("git://github.com/acme/claude-vertex/components", "https://plugins.example.com/a b?c=d"):
        assert provider_settings.default_name("0.1.0", url) == default_providers.default_provider_name("0.1.0", url)
    # The name the real engine gave a component plugin added from git (`pulumi preview`, CLI 3.276).
    assert (
        provider_settings.default_name("0.0.1-dev.161+gee1be4ee0", "git://github.com/OWNER/claude-vertex/components")
        == "default_0_0_1_dev_161_gee1be4ee0_git_/github.com/OWNER/claude-vertex/components"
    )
    assert provider_settings.DYNAMIC_PACKAGES == default_providers.DYNAMIC_PACKAGES
    assert provider_settings.PROVIDER_TYPE_PREFIX == default_providers.PROVIDER_TYPE_PREFIX


def test_program_stack_carries_the_engines_providers_to_the_protocol():
    records = program_stack(gcp={"project": "claude-platform-dev"})
    by_type = {r["type"]: r for r in records}
    assert by_type["pulumi:providers:gcp"]["inputs"] == {"project": "claude-platform-dev", "version": "10.2.0"}
    # The program registers no dynamic resource, so the engine registers no dynamic provider for it.
    assert [t for t in by_type if t.startswith("pulumi:providers:")] == ["pulumi:providers:gcp"]
    request = analyze_request(by_type["gcp:projects/iAMCustomRole:IAMCustomRole"])
    assert (request.provider.urn, request.provider.name) == (by_type["pulumi:providers:gcp"]["urn"], "default_10_2_0")
    assert dict(request.provider.properties) == {"project": "claude-platform-dev", "version": "10.2.0"}


# --- the real path: a stack file's provider settings, through the offline preview, to the pack ----------------------


def run_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str], gcp: dict[str, Any]) -> tuple[int, dict]:
    """`make preview` on a stack file with these `gcp:*` keys: exit code and the `--json` document."""
    path = tmp_path / "Pulumi.team.yaml"
    path.write_text(yaml.safe_dump({"config": {**BASE_CONFIG, **{f"gcp:{k}": v for k, v in gcp.items()}}}))
    code = preview.main(["--stack", "team", "--config-file", str(path), "--json"])
    return code, json.loads(capsys.readouterr().out)


SCOPE = "https://www.googleapis.com/auth/"
REFUSED = {
    "credentials": (
        {"credentials": '{"type": "service_account"}', "accessToken": "ya29.x"},
        ["gcp:accessToken", "gcp:credentials"],
    ),
    "impersonation": (
        {
            "impersonateServiceAccount": "deployer@evil.iam.gserviceaccount.com",
            "impersonateServiceAccountDelegates": [],
        },
        ["gcp:impersonateServiceAccount", "gcp:impersonateServiceAccountDelegates"],
    ),
    "endpoints": (
        {"iamCredentialsCustomEndpoint": "https://evil.example.com/", "universeDomain": "evil.example.com"},
        ["gcp:iamCredentialsCustomEndpoint", "gcp:universeDomain"],
    ),
    "scope-beyond-google-cloud": ({"scopes": [f"{SCOPE}cloud-platform", f"{SCOPE}drive"]}, ["gcp:scopes"]),
    "abandon-on-destroy": ({"deletionPolicy": "ABANDON"}, ["gcp:deletionPolicy"]),
    "encrypted-setting": ({"project": {"secure": "v1:c2VjcmV0"}}, ["gcp:project"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("settings", REFUSED.values(), ids=REFUSED.keys())
def test_a_provider_setting_in_the_stack_file_fails_the_preview(tmp_path, capsys, settings):
    gcp, named = settings
    code, document = run_preview(tmp_path, capsys, gcp)
    assert code == preview.EXIT_VIOLATION
    found = [v for v in document["violations"] if v["level"] == "mandatory"]
    assert {v["policy"] for v in found} == {SETTINGS_RULE}
    assert {v["urn"].rsplit("::", 1)[-1] for v in found} == {"default_10_2_0"}
    text = " ".join(v["message"] for v in found)
    assert all(f"({key} in a stack file)" in text for key in named), text


@pytest.mark.slow
def test_a_stack_file_that_sets_only_project_and_region_stays_clean(tmp_path, capsys):
    # gcp:version is no setting of the stack's: the engine overwrites it with the version the SDK asks for.
    code, document = run_preview(
        tmp_path, capsys, {"project": "claude-payments-dev", "region": "us-east5", "version": "1.0.0"}
    )
    assert (code, document["violations"]) == (preview.EXIT_OK, [])
    (gcp,) = [r for r in document["resources"] if r["type"] == "pulumi:providers:gcp"]
    assert gcp["inputs"] == {"project": "claude-payments-dev", "region": "us-east5", "version": "10.2.0"}
    assert {r["provider"] for r in document["resources"] if r["type"].startswith("gcp:")} == {gcp["urn"]}


def test_the_text_plan_names_the_providers_but_no_credential(tmp_path, capsys):
    path = tmp_path / "Pulumi.team.yaml"
    gcp = {"gcp:region": "us-east5", "gcp:credentials": '{"private_key": "KEY"}'}
    path.write_text(yaml.safe_dump({"config": {**BASE_CONFIG, **gcp}}))
    assert preview.main(["--stack", "team", "--config-file", str(path), "--no-policy"]) == preview.EXIT_OK
    plan = capsys.readouterr().out
    waves, providers = plan.split("(critical path")[0], plan.split("Providers (")[1].split("\n\n")[0]
    assert "pulumi:providers" not in waves and "KEY" not in plan
    assert providers.splitlines()[1:] == [
        "  pulumi:providers:gcp default_10_2_0: credentials; region=us-east5; version=10.2.0",
    ]


# --- what the pack is told: the engine's config, the root stack, every resource's provider ---------------------------

PROBE = textwrap.dedent(
    '''
    """Reports what the engine told it: ConfigureStack, PULUMI_CONFIG, and each resource's provider."""
    import json
    import os

    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy
    from pulumi_policy import policy as sdk
    from pulumi_policy.deserialize import serialize_properties

    told = {}
    configure_stack = sdk._PolicyAnalyzerServicer.ConfigureStack


    def remember(self, request, context):
        told.update(config=dict(request.config), secretKeys=list(request.config_secret_keys))
        return configure_stack(self, request, context)


    sdk._PolicyAnalyzerServicer.ConfigureStack = remember


    def report(args, violation):
        if args.resource_type == "pulumi:pulumi:Stack":
            violation(json.dumps({**told, "env": json.loads(os.environ.get("PULUMI_CONFIG", "null"))}))
        elif args.provider is not None:
            props = serialize_properties(args.provider.props)
            violation(json.dumps({"provider": [args.provider.resource_type, args.provider.name, props]}))


    PolicyPack("probe", [ResourceValidationPolicy("told", "What the engine said.", report, EnforcementLevel.ADVISORY)])
    '''
)


@pytest.mark.slow
def test_the_preview_tells_the_pack_what_the_engine_tells_it(tmp_path, capsys, monkeypatch):
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (probe / "__main__.py").write_text(PROBE)
    monkeypatch.setattr(preview, "POLICY_PACK", probe)
    code, document = run_preview(tmp_path, capsys, {"region": "us-east5", "credentials": {"secure": "v1:c2VjcmV0"}})
    assert code == preview.EXIT_OK
    told = {v["urn"].rsplit("::", 1)[-1]: json.loads(v["message"].split("\n", 1)[1]) for v in document["violations"]}
    stack = told.pop("claude-vertex-team")
    assert stack["config"] == stack["env"] and stack["config"]["gcp:region"] == "us-east5"
    assert stack["config"]["claude-vertex:team"] == "payments" and stack["secretKeys"] == ["gcp:credentials"]
    providers = {tuple(t["provider"][:2]) for t in told.values()}
    assert providers == {("pulumi:providers:gcp", "default_10_2_0")}
    gcp_inputs = next(t["provider"][2] for t in told.values() if t["provider"][1] == "default_10_2_0")
    assert gcp_inputs["region"] == "us-east5" and gcp_inputs["version"] == "10.2.0"
