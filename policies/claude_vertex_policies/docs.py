"""The README's tables, generated from the rule metadata: the metadata is the one declaration.

The rules table, the coverage table (Checkov / Trivy / Policy Library equivalents), the allow-list and the
rules `config.generic.json` keeps on (that file is their one declaration) are written between
`<!-- generated:<name> -->` and `<!-- /generated:<name> -->` markers; a test fails when the README is stale.
Regenerate with `cd policies && python -m claude_vertex_policies.docs --write`.

Not imported by the pack itself, so it costs nothing at analyzer start-up.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from claude_vertex_gcp.iam import DATA_READ, SERVICE_ACCOUNT_ROLES
from claude_vertex_gcp.names import PUBLISHER_MODEL_PREFIX, workload_pool_name
from claude_vertex_gcp.org_policy import ALLOWED_MODELS, PREDICT_ACTION, SKIP_DEFAULT_NETWORK
from claude_vertex_gcp.services import TEAM_SERVICES

from .provider_settings import DYNAMIC_PACKAGES
from .rules import RULES, StackRule
from .rules.design import RULE as IAM_GRANTS_MATCH_DESIGN
from .rules.dynamic_resources import NO_DYNAMIC_RESOURCES
from .rules.gateway_access import GATEWAY_ACCOUNT_MINIMAL_ROLE
from .rules.governance import QUOTA_PREFERENCES_VERTEX_ONLY
from .rules.model_garden import MODEL_GARDEN_CLAUDE_ONLY
from .rules.notifications import NOTIFICATIONS_STAY_IN_ORGANIZATION
from .rules.project import ALLOWED_SERVICES_ONLY
from .rules.resource_types import ALLOWED_TYPES, COMPONENT_PACKAGE, PROVIDER_SETTINGS_ALLOWED
from .rules.workload_identity import ALLOWED_INPUTS, OIDC_INPUTS, POOL_MODES

README = Path(__file__).resolve().parents[1] / "README.md"
GENERIC_CONFIG = README.parent / "config.generic.json"
"""The shipped config for stacks that are not claude-vertex stacks: every rule named, only the generic ones on."""
TOOLS = ("Checkov", "Trivy", "Policy Library")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _config(rule_config: dict) -> str:
    if not rule_config:
        return "-"
    return "<br>".join(f"`{key}`: `{json.dumps(spec['default'])}`" for key, spec in rule_config.items())


def rules_table() -> str:
    lines = [
        "| Policy | Kind | Default level | Severity | What it enforces | Config (defaults) |",
        "|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        info = rule.info
        kind = "stack" if isinstance(rule, StackRule) else "resource"
        lines.append(
            f"| [`{info.name}`](#{info.name}) | {kind} | {info.enforcement.value} | {info.severity.value} | "
            f"{_cell(info.description)} | {_cell(_config(dict(info.config)))} |"
        )
    return "\n".join(lines)


def coverage_table() -> str:
    lines = ["| Policy | Checkov | Trivy | Google Policy Library |", "|---|---|---|---|"]
    for rule in RULES:
        cells = " | ".join(_cell(rule.info.equivalents[tool]) for tool in TOOLS)
        lines.append(f"| `{rule.info.name}` | {cells} |")
    return "\n".join(lines)


def allowlist() -> str:
    types = "\n".join(f"- `{t}`" for t in ALLOWED_TYPES)
    quota_services = QUOTA_PREFERENCES_VERTEX_ONLY.info.config["quotaServices"]["default"]
    models = MODEL_GARDEN_CLAUDE_ONLY.info.config["allowedModels"]["default"]
    channel_types = NOTIFICATIONS_STAY_IN_ORGANIZATION.info.config["allowedChannelTypes"]["default"]
    settings = PROVIDER_SETTINGS_ALLOWED.info.config["allowedSettings"]["default"]
    grant_types = IAM_GRANTS_MATCH_DESIGN.info.config["grantTypes"]["default"]
    secret_roles = IAM_GRANTS_MATCH_DESIGN.info.config["secretRoles"]["default"]
    gateway_services = ALLOWED_SERVICES_ONLY.info.config["gatewayServices"]["default"]
    team_roles = GATEWAY_ACCOUNT_MINIMAL_ROLE.info.config["teamRoleIds"]["default"]
    return "\n".join(
        [
            "Resource types (`allowed-resource-types`; `additionalTypes` adds more):",
            "",
            types,
            "",
            "Providers: only the engine's default providers (no parent, the engine's name for their version), "
            "never one the program registers itself. The gcp provider (`gcp-provider-settings-allowed`) has a "
            f"version and sets only {', '.join(f'`{s}`' for s in settings)}, each to a value the rule allows. "
            f"The `{COMPONENT_PACKAGE}` provider (the engine's, when a YAML, TypeScript or Go program creates the "
            "team through the package's plugin) sets nothing but its version; added from a git release, the "
            "engine names it after the release's URL, accepted only for a URL listed in `componentSources`.",
            "",
            f"No dynamic resources (`{NO_DYNAMIC_RESOURCES.info.name}`): no `pulumi-<language>:dynamic` type and no "
            f"engine provider for one ({', '.join(f'`pulumi:providers:{p}`' for p in sorted(DYNAMIC_PACKAGES))}), "
            "whatever `additionalTypes` says: the engine hides their code from the pack.",
            "",
            f"IAM: grants only through {', '.join(f'`{t}`' for t in grant_types)} (`iam-grants-match-design`); "
            "on the project, only a custom role of that project defined in this stack whose permissions are "
            "within `allowedPermissions`; on a service account created in this stack, only "
            f"{', '.join(f'`{r}`' for r in SERVICE_ACCOUNT_ROLES)}; on a secret created in this stack, only "
            f"{', '.join(f'`{r}`' for r in secret_roles)} to a service account created in this stack. In a gateway "
            f"stack, project grants only of a team's role (role ID {', '.join(f'`{r}`' for r in team_roles)}) in "
            "that team's project to the gateway's own account.",
            "",
            "Members: `user:` / `group:` (an email), `serviceAccount:` (a user-managed account "
            "`name@project.iam.gserviceaccount.com`, never a Google-managed one), `domain:`; one identity "
            "(`principal://.../subject/...`), one attribute (`principalSet://.../attribute.<name>/<value>`) or one "
            "group of a workforce pool; one identity or one pinning attribute (mapped from its own claim and "
            "pinned by every provider that maps it) of a workload identity pool of this stack, named by its full "
            f"name `{workload_pool_name('<number>', '<id>')}`. When the platform sets member "
            "allow-lists, only their domains, workforce pools and other projects' accounts.",
            "",
            "Workload identity: pools and providers with "
            f"{', '.join(f'`{i}`' for i in sorted({i for inputs in ALLOWED_INPUTS.values() for i in inputs}))} "
            f"only (pool `mode` {', '.join(f'`{m}`' for m in POOL_MODES)}; `oidc` with "
            f"{', '.join(f'`{i}`' for i in OIDC_INPUTS)} only).",
            "",
            "Service accounts created in the stack's own project, never adopted (`createIgnoreAlreadyExists`) "
            "unless kept on destroy and left enabled; grants on service accounts only on those own accounts.",
            "",
            f"APIs (advisory): {', '.join(f'`{s}`' for s in TEAM_SERVICES)}; in a gateway stack also "
            f"{', '.join(f'`{s}`' for s in gateway_services if s not in TEAM_SERVICES)}.",
            "",
            "Gateway (`ClaudeGateway`): a Cloud Run service with internal-only ingress, no invoker grant to the "
            "public, services and jobs running images by digest as the stack's own accounts; Cloud SQL on a private "
            "IP only, TLS only, backed up with point-in-time recovery and protected from deletion; internal "
            "forwarding rules, backend services and addresses, a private DNS zone; no credential in any input, and "
            "one secret version, a gateway.yaml whose credentials are `${VAR}` / `${file:/abs}` references.",
            "",
            f"Org policies: `{ALLOWED_MODELS}` listing only `{PUBLISHER_MODEL_PREFIX}<model>{PREDICT_ACTION}` values, "
            f"and `{SKIP_DEFAULT_NETWORK}` enforced, both on the team project; a created project carries the latter "
            "(or sits in a folder listed in `foldersEnforcingSkipDefaultNetwork`). Audit configs on the stack's own "
            f"project, logging `{DATA_READ}`, without exemptions. Quota preferences for "
            f"{', '.join(f'`{s}`' for s in quota_services)} on the stack's own project. Budgets, "
            "log metrics, dashboards and alert policies.",
            "",
            f"Model Garden: enabling only {', '.join(f'`{m}`' for m in models)}. Notification channels (advisory): "
            f"{', '.join(f'`{t}`' for t in channel_types)}, to addresses the member rules accept. No resource-manager "
            "tags on a created project (`allowedTagValues` lists exceptions), and no `gcp:tags` resource.",
        ]
    )


def generic_rules() -> str:
    """The rules `config.generic.json` keeps on, with what each enforces, in catalogue order."""
    config = json.loads(GENERIC_CONFIG.read_text(encoding="utf-8"))
    lines = []
    for rule in RULES:
        level = config.get(rule.info.name, rule.info.enforcement.value)
        level = level.get("enforcementLevel", rule.info.enforcement.value) if isinstance(level, dict) else level
        if level != "disabled":
            lines.append(f"- [`{rule.info.name}`](#{rule.info.name}) ({level}): {rule.info.description}")
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[], str]] = {
    "rules": rules_table,
    "coverage": coverage_table,
    "allowlist": allowlist,
    "generic": generic_rules,
}


def with_generated_sections(text: str) -> str:
    """The README with every generated section replaced by what the metadata says now."""
    for name, build in SECTIONS.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"README has no <!-- generated:{name} --> section")
        body = build()
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    fresh = with_generated_sections(current)
    if "--write" in argv:
        README.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != current:
        print("policies/README.md is stale: run `cd policies && python -m claude_vertex_policies.docs --write`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
