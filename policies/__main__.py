"""Policy pack entry point: only builds the pack.

`python -m pulumi.policy <engine-address> .` runs this file (via runpy) with the pack directory first on
`sys.path`. `PolicyPack(...)` starts the gRPC analyzer server, prints its port and never returns, so the
rules live in the importable `claude_vertex_policies` package beside it, where tests import them.
"""

from pathlib import Path

from claude_vertex_policies import PACK_NAME
from claude_vertex_policies.pack import build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

README = Path(__file__).resolve().parent / "README.md"

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
