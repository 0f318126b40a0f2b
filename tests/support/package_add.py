"""What `pulumi package add <host>/<owner>/<repo>/<path>@<tag>` makes of a package source, and so what the SDKs it
generates are named.

The CLI reads such a source as a git plugin: its download URL is `git://<host>/<owner>/<repo>/<path>`, and the schema it
hands the code generators gets that URL as `pluginDownloadURL` and the lowercased owner as `namespace`
(pkg/cmd/pulumi/packages/packages.go `SchemaFromSchemaSource`, `setSpecNamespace`; checked with CLI 3.276 in
tests/e2e/test_consumer_programs.py). The generators then name the Node.js package `@<namespace>/<name>` and the Go
module `github.com/<namespace>/pulumi-<name>/sdk/go` (pkg/codegen/nodejs `genNPMPackageMetadata`, pkg/codegen/go
`ExtractModulePath`), and every registration the SDKs make carries the URL, which is what names the engine's provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_GIT_SOURCE = re.compile(r"(?P<url>(?P<host>[^/@]+)/(?P<owner>[^/@]+)/[^@]+)@(?P<tag>v[^@]+)")
_NAMESPACE = re.compile(r"git://[^/]+/([^/]+)/")  # setSpecNamespace's own expression


@dataclass(frozen=True)
class AddedPackage:
    """A package as `pulumi package add` from a git source sees it."""

    name: str
    plugin_download_url: str
    namespace: str
    tag: str

    @property
    def npm_package(self) -> str:
        return f"@{self.namespace}/{self.name}"

    @property
    def go_module(self) -> str:
        return f"github.com/{self.namespace}/pulumi-{self.name}/sdk/go"

    def schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """`schema` as the CLI hands it to a language host after reading it from a plugin added from this source."""
        return {**schema, "pluginDownloadURL": self.plugin_download_url, "namespace": self.namespace}


def added_package(name: str, source: str) -> AddedPackage:
    """`pulumi package add SOURCE` of package `name`, for a `<host>/<owner>/<repo>/<path>@<tag>` source."""
    match = _GIT_SOURCE.fullmatch(source)
    if match is None:
        raise ValueError(f"{source!r} is not a <host>/<owner>/<repo>/<path>@<tag> package source")
    url = f"git://{match['url']}"
    namespace = _NAMESPACE.match(url)
    assert namespace is not None  # the source's shape guarantees an owner
    return AddedPackage(name, url, namespace.group(1).lower(), match["tag"])
