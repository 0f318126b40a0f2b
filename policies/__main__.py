"""Policy pack entry point: only builds the pack.

`python -m pulumi.policy <engine-address> .` runs this file (via runpy) with the pack directory first on
`sys.path`. `PolicyPack(...)` starts the gRPC analyzer server, prints its port and never returns, so the
rules live in the importable `claude_vertex_policies` package beside it, where tests import them.
"""

import os
from pathlib import Path

from claude_vertex_policies import PACK_NAME
from claude_vertex_policies.pack import build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

README = Path(__file__).resolve().parent / "README.md"

# The engine starts the pack with the stack's whole config, decrypted, in PULUMI_CONFIG. No rule reads it (they
# judge what the engine registers, never what the stack says of itself), it holds the stack's secrets, and the
# policy SDK parses it again for every resource it analyzes (its `_configure_runtime_settings`): seconds on a
# large stack. So the pack lets it go before it serves.
os.environ.pop("PULUMI_CONFIG", None)

PolicyPack(
    name=PACK_NAME,
    policies=build_policies(),
    # Each policy sets its own level; this only applies to a policy that does not.
    enforcement_level=EnforcementLevel.MANDATORY,
    display_name="claude-vertex GCP IAM guardrails",
    description="GCP IAM guardrails for team stacks running Claude Code on Vertex AI.",
    readme=README.read_text(encoding="utf-8") if README.is_file() else None,
    provider="gcp",
    tags=["gcp", "iam", "vertex-ai", "claude-code"],
)
