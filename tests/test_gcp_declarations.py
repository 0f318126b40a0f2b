"""What the provider adds on its own, declared once for the mocks, the default providers and the stand-in provider,
held to the installed pulumi-gcp SDK.

tests/e2e/test_parity.py found the stand-in's state after `pulumi up` carrying a `deletionPolicy` the mocks' did not,
and the engine sending the pack a plain-text `gcp:accessToken` as a secret (the provider's `CheckConfig`) where the
emulation sent it plain: both facts now live in `tests.support.gcp_declarations`.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pulumi_gcp
from claude_vertex_gcp import resource_types as gcp_types
from pulumi.runtime.mocks import MockResourceArgs

from tests.support.analyzer.marshal import UNKNOWN, secret
from tests.support.default_providers import provider_inputs
from tests.support.gcp_declarations import DELETION_POLICY_DEFAULTS, PROVIDER_SECRET_SETTINGS, filled_by_provider
from tests.support.gcp_mocks import GcpMocks


def _args_class(token: str) -> type:
    module = importlib.import_module(f"pulumi_gcp.{token.split(':')[1].split('/')[0]}")
    return getattr(module, f"{token.rsplit(':', 1)[1]}Args")


def _sdk_default(token: str) -> str | None:
    """The `deletion_policy` default the SDK documents for the type (a project: PREVENT, which its doc describes
    first), or None when the type has no such input."""
    init = _args_class(token).__init__
    if "deletion_policy" not in inspect.signature(init).parameters:
        return None
    documented = re.search(r":param [^:]*deletion_policy:(.*?)(?::param|$)", inspect.getdoc(init) or "", re.DOTALL)
    assert documented is not None, token
    default = re.search(r"Defaults? (?:to|is) [\"`]?(\w+)", documented.group(1))
    return default.group(1) if default else "PREVENT" if "Setting PREVENT" in documented.group(1) else "unknown"


def test_the_deletion_policy_defaults_are_those_of_every_team_and_gateway_type_the_sdk_gives_one() -> None:
    types = dict.fromkeys((*gcp_types.TEAM_TYPES, *gcp_types.GATEWAY_TYPES))
    with_one = {token: _sdk_default(token) for token in types if _sdk_default(token) is not None}
    assert with_one == DELETION_POLICY_DEFAULTS


def test_the_provider_fills_in_what_the_resource_leaves_out_and_the_mocks_do_too() -> None:
    assert filled_by_provider(gcp_types.LOG_METRIC, {}, {}) == {"deletionPolicy": "DELETE"}
    assert filled_by_provider(gcp_types.LOG_METRIC, {}, {"deletionPolicy": "ABANDON"}) == {"deletionPolicy": "ABANDON"}
    assert filled_by_provider(gcp_types.PROJECT, {"deletionPolicy": "DELETE"}, {}) == {}
    assert filled_by_provider(gcp_types.PROJECT_IAM_MEMBER, {}, {}) == {}
    inputs = {"name": "m", "project": "p", "filter": "f"}
    args = MockResourceArgs(typ=gcp_types.LOG_METRIC, name="m", inputs=inputs, provider=None, resource_id=None)
    assert GcpMocks().new_resource(args)[1]["deletionPolicy"] == "DELETE"
    assert "deletionPolicy" not in GcpMocks(preview=True).new_resource(args)[1]


def test_the_provider_settings_held_secret_are_those_the_sdk_wraps_as_secrets() -> None:
    source = inspect.getsource(pulumi_gcp.Provider._internal_init)
    wrapped = re.findall(r'__props__\.__dict__\["(\w+)"\] = None if \w+ is None else pulumi\.Output\.secret', source)
    camel = {re.sub(r"_(\w)", lambda m: m.group(1).upper(), name) for name in wrapped}
    assert camel == set(PROVIDER_SECRET_SETTINGS) == {"accessToken"}


def test_a_setting_the_provider_holds_secret_is_secret_in_its_inputs_even_in_plain_text() -> None:
    config = {"gcp:accessToken": "ya29.x", "gcp:credentials": {"secure": "v1:abc"}, "gcp:project": "p"}
    assert provider_inputs("gcp", config, "10.2.0") == {
        "accessToken": secret("ya29.x"),
        "credentials": secret(UNKNOWN),
        "project": "p",
        "version": "10.2.0",
    }
