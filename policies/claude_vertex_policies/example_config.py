"""`policies/config.example.json`, generated: a typical platform's `--policy-pack-config`, and what it is made of.

Two kinds of value. The example platform's own choices (its company domain, its workforce pool, a self-managed
GitLab, which projects and folders each of this repository's example stacks may use, which policies it turns
advisory) are declared here. Every list that would restate a fact or a rule's default (the permissions a custom
role may hold, the APIs a team project uses, the trusted CI issuers, the Claude models, the personal e-mail
domains) is the rule's own default, which comes from `claude_vertex_gcp`: copied by hand, the example drifted once
(it allowed 4 of the 7 APIs the program enables, three advisories on this repository's own example stacks).

A test fails when the file is stale; regenerate with `cd policies && python -m claude_vertex_policies.example_config
--write`. Not imported by the pack itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .rules import RULES_BY_NAME

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.json"

SELF_MANAGED_GITLAB = "https://gitlab.example.com"
GATEWAY_PROJECT = "acme-claude-gateway"
"""The example gateway's own project (`Pulumi.example-gateway.yaml`)."""
TEAM_PROJECTS = {
    "dev": ["claude-platform-*"],
    "example-payments": ["claude-payments-*"],
    "example-research": ["shared-ml-research"],
    "example-gateway": [GATEWAY_PROJECT, "claude-payments-*", "shared-ml-research"],
}
"""The repository's example stacks (`Pulumi.<stack>.yaml`), by stack name, and the projects each may use: the
gateway its own project and the projects of the teams it serves (it grants its account their roles there)."""
TEAM_FOLDERS = {"dev": ["123456789012"], "example-payments": ["123456789012"], "example-gateway": ["123456789012"]}


def default(policy: str, key: str) -> list[Any]:
    """A rule's default for one config key: where a fact reaches the example."""
    return list(RULES_BY_NAME[policy].info.config[key]["default"])


def example_config() -> dict[str, Any]:
    """The example, in the order a reader meets the policies in the README."""
    return {
        "all": "mandatory",
        "custom-role-allowed-permissions": {
            "allowedPermissions": default("custom-role-allowed-permissions", "allowedPermissions")
        },
        "custom-role-bindings-in-stack": {
            "allowedPermissions": default("custom-role-bindings-in-stack", "allowedPermissions")
        },
        "project-grants-use-custom-roles": {"allowedRoles": []},
        "members-in-allowed-domains": {
            "allowedMemberDomains": ["example.com"],
            "allowedWorkforcePools": ["acme-okta"],
            "allowedServiceAccountProjects": [GATEWAY_PROJECT],
        },
        "no-personal-email-members": {"personalDomains": default("no-personal-email-members", "personalDomains")},
        "workload-identity-provider-pinned": {
            "githubIssuers": default("workload-identity-provider-pinned", "githubIssuers"),
            "gitlabIssuers": [*default("workload-identity-provider-pinned", "gitlabIssuers"), SELF_MANAGED_GITLAB],
        },
        "required-guardrails": {"requireAuditLogs": True},
        "team-projects-allowed": {"teamProjects": TEAM_PROJECTS, "teamFolders": TEAM_FOLDERS},
        "no-default-network": {"foldersEnforcingSkipDefaultNetwork": []},
        "no-resource-manager-tags": {"allowedTagValues": []},
        "model-garden-claude-only": {"allowedModels": default("model-garden-claude-only", "allowedModels")},
        "no-domain-wide-impersonation": "advisory",
        "grants-to-groups-not-users": "advisory",
        "project-hardening": "advisory",
        "notifications-stay-in-organization": {
            "enforcementLevel": "advisory",
            "allowedChannelTypes": default("notifications-stay-in-organization", "allowedChannelTypes"),
        },
        "allowed-services-only": {
            "enforcementLevel": "advisory",
            "allowedServices": default("allowed-services-only", "allowedServices"),
            "gatewayServices": default("allowed-services-only", "gatewayServices"),
        },
        "gateway-account-minimal-role": {"teamRoleIds": default("gateway-account-minimal-role", "teamRoleIds")},
        "gateway-teams-grant-no-humans": {"teamsBehindGateway": []},
    }


def example_text() -> str:
    return _json(example_config(), "") + "\n"


def _json(value: Any, indent: str) -> str:
    """JSON as people write it: one key per line, lists of plain values on the line of their key."""
    if not isinstance(value, dict) or not value:
        return json.dumps(value)
    inner = indent + "  "
    items = ",\n".join(f"{inner}{json.dumps(key)}: {_json(item, inner)}" for key, item in value.items())
    return "{\n" + items + "\n" + indent + "}"


def main(argv: list[str]) -> int:
    fresh = example_text()
    if "--write" in argv:
        EXAMPLE.write_text(fresh, encoding="utf-8")
        return 0
    if EXAMPLE.read_text(encoding="utf-8") != fresh:
        print(f"policies/config.example.json is stale: run `cd policies && python -m {__spec__.name} --write`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
