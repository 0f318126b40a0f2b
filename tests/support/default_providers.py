"""The provider resources the Pulumi engine registers for a program: one default provider per package used.

A custom resource registered without a provider gets the engine's *default provider* for its package,
registered by the engine itself before the resource, analyzed by the policy pack like any resource and
referenced by every resource it serves (`Analyze.provider`, `AnalyzeStack`). Read from pulumi/pulumi
(3.259, pkg/resource/deploy): `default_providers.go` (`newRegisterDefaultProviderEvent`), `target.go`
(`GetPackageConfig`), `providers/provider.go` (`DefaultName`), `providers/registry.go`
(`SetProviderVersion`), `source_eval.go` (which registrations get one):

* type `pulumi:providers:<package>`, the package being the resource type's first segment; no parent (the
  engine leaves it empty, so its URN has no parent type), not protected, no dependencies;
* name `default`, or `default_<major>_<minor>_<patch>` (then `_<pre-release part>`, `_<build part>`, and
  `_<plugin download URL as a QName>`) for the version the SDK asks for in `RegisterResourceRequest.version`
  (pulumi_gcp sends its own, `10.2.0`; a dynamic resource sends none);
* inputs: the stack config of its package, keys without the namespace, values as the CLI passes them
  (`tests.support.engine_config`), encrypted ones marked secret; then `version`, overwriting any `<pkg>:version`. A
  dynamic provider (`pulumi-python`, `pulumi-nodejs`) gets the *whole* stack config with namespaced keys
  (pulumi/pulumi#17673, since 3.139). `__internal` (plugin URL, checksums, parameterization) is stripped
  before any analyzer sees it.

The engine analyzes the inputs the plugin's `CheckConfig` returns, not the config as written; the bridged gcp
provider folds each typed value back into the same JSON text and returns the settings its schema holds secret
(`tests.support.gcp_declarations.PROVIDER_SECRET_SETTINGS`) as secrets, even when a stack file has them in plain
text; so do these inputs (checked against the real engine and the stand-in provider: tests/e2e/test_parity.py).
A dynamic provider does not implement `CheckConfig` (inputs unchanged). Not emulated: the provider refusing a key
it does not know (the engine then stops the preview; the policy pack refuses every setting it does not allow).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tests.support.analyzer.marshal import UNKNOWN, secret
from tests.support.engine_config import encode, holds_secure
from tests.support.gcp_declarations import PROVIDER_SECRET_SETTINGS

PROVIDER_TYPE_PREFIX = "pulumi:providers:"
DYNAMIC_PACKAGES = frozenset({"pulumi-python", "pulumi-nodejs"})
"""Packages whose default provider gets the whole stack config, keys namespaced (pkg/resource/deploy/target.go)."""
VERSION_INPUT = "version"
SECRET_SETTINGS = {"gcp": PROVIDER_SECRET_SETTINGS}
"""Per package, the settings its provider's `CheckConfig` returns secret."""

_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_QNAME_CHAR = re.compile(rb"[A-Za-z0-9_.-]")


def is_provider_type(type_token: str) -> bool:
    return type_token.startswith(PROVIDER_TYPE_PREFIX)


def package_of(type_token: str) -> str:
    """`gcp` of `gcp:projects/service:Service`: the package whose provider manages the type."""
    return type_token.split(":", 1)[0]


def provider_type(package: str) -> str:
    return f"{PROVIDER_TYPE_PREFIX}{package}"


def _qname(text: str) -> str:
    """tokens.IntoQName: each `/`-separated part with every byte outside `[A-Za-z0-9_.-]` turned into `_`."""
    parts = [
        "".join(chr(b) if _QNAME_CHAR.fullmatch(bytes([b])) else "_" for b in part.encode())
        for part in text.split("/")
        if part
    ]
    return "/".join(parts) or "_"


def default_provider_name(version: str = "", plugin_download_url: str = "") -> str:
    """The engine's name for the default provider of this version and plugin URL (ProviderRequest.DefaultName)."""
    name = "default"
    if version:
        match = _SEMVER.fullmatch(version)
        if match is None:
            raise ValueError(f"provider version {version!r} is not a semantic version (the engine refuses it)")
        major, minor, patch, pre, build = match.groups()
        name += f"_{major}_{minor}_{patch}"
        name += "".join(f"_{part}" for part in (pre.split(".") if pre else ()))
        name += "".join(f"_{part}" for part in (build.split(".") if build else ()))
    url = plugin_download_url.rstrip("/")
    if url:
        name += f"_{_qname(url)}"
    return name


def provider_inputs(package: str, config: Mapping[str, Any], version: str) -> dict[str, Any]:
    """The default provider's inputs as analyzers see them: its config (see the module docstring), then `version`.

    An encrypted value is marked secret, as the engine marks it; its plaintext is unknown offline. A setting the
    provider holds secret is secret whatever the stack file says.
    """
    dynamic = package in DYNAMIC_PACKAGES
    held_secret = SECRET_SETTINGS.get(package, ())
    inputs: dict[str, Any] = {}
    for key, value in sorted(config.items()):
        namespace, _, name = key.partition(":")
        if not dynamic and namespace != package:
            continue
        if holds_secure(value):
            inputs[key if dynamic else name] = secret(UNKNOWN)
        else:
            inputs[key if dynamic else name] = secret(encode(value)) if name in held_secret else encode(value)
    if version:
        inputs[VERSION_INPUT] = version
    return inputs
