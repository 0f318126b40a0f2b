"""A stand-in for the `gcp` provider plugin, so that the real Pulumi engine can run the program with no Google
Cloud: it answers `pulumirpc.ResourceProvider` as pulumi-gcp does, offline.

What it answers comes from the declarations the mocks answer from (`tests.support.gcp_declarations`: IDs,
computed outputs, invokes), so the offline preview and the engine see the same data; how GCP treats each type
(what it cannot update in place, which IDs it refuses, soft deletes) is declared in `resource_kinds`; the resources
it creates live in a JSON file of its own (`cloud`), named by `CLAUDE_VERTEX_STANDIN_GCP_STATE`, so refresh, update
and destroy behave across runs and a test can look at, seed or drift the cloud.

For a harness: `write_launcher(dir)` writes the executable, `install_arguments(launcher)` is the `pulumi plugin
install` command for it, `Cloud(path).environment` is what the CLI's environment needs. The protocol is in
`server`, the package schema (what YAML programs and `pulumi package` read) in `schema`.
"""

from tests.support.gcp_provider.cloud import STATE_VARIABLE, Cloud, CloudNotConfigured, Record
from tests.support.gcp_provider.plugin import (
    LAUNCHER_NAME,
    PLUGIN_NAME,
    install_arguments,
    plugin_version,
    write_launcher,
)

__all__ = [
    "LAUNCHER_NAME",
    "PLUGIN_NAME",
    "STATE_VARIABLE",
    "Cloud",
    "CloudNotConfigured",
    "Record",
    "install_arguments",
    "plugin_version",
    "write_launcher",
]
