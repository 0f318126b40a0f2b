"""claude-vertex CrossGuard rules: GCP IAM guardrails for Claude Code on Vertex AI team stacks.

The package name is deliberately specific: the engine runs the pack with its directory on `sys.path`,
next to whatever the user's own program or test suite puts there, so a generic name (`rules`,
`policies`) could shadow or be shadowed by someone else's module.

Everything here is importable without side effects. Only `policies/__main__.py` builds the
`PolicyPack`, whose constructor serves gRPC forever.
"""

from __future__ import annotations

PACK_NAME = "claude-vertex"

__all__ = ["PACK_NAME"]
