"""The audit trail, the organization's rules and the spend guardrails: tightened by a team stack, never loosened.

The program writes its own guardrails: Data Access audit logs for Vertex AI with no exemptions, an org
policy restricting `vertexai.allowedModels` to the pinned Claude models, `compute.skipDefaultNetworkCreation`
enforced, quota caps on Vertex AI, a budget. Those pass. The same resource types can also switch a
control off (an exempted member whose Claude calls are never logged, an org policy that allows every
value, a quota preference raising another service's limit): those are refused, and so is every
constraint or level this pack does not know.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..values import flag, has_unknown, is_unknown, known_str, maybe_true, shown
from .base import EngineStack, ResourceRule, RuleInfo, StackResource, StackRule, matches_any, string_list

PROJECT_AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
HIERARCHY_AUDIT_CONFIGS = frozenset(
    {"gcp:folder/iamAuditConfig:IamAuditConfig", "gcp:organizations/iamAuditConfig:IamAuditConfig"}
)
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
LEGACY_ORG_POLICIES = frozenset(
    {
        "gcp:projects/organizationPolicy:OrganizationPolicy",
        "gcp:folder/organizationPolicy:OrganizationPolicy",
        "gcp:organizations/policy:Policy",
    }
)
QUOTA_PREFERENCE = "gcp:cloudquota/sQuotaPreference:SQuotaPreference"
BUDGET = "gcp:billing/budget:Budget"
VERTEX = "aiplatform.googleapis.com"

ALLOWED_MODELS = "vertexai.allowedModels"
SKIP_DEFAULT_NETWORK = "compute.skipDefaultNetworkCreation"
# `publishers/anthropic/models/<model>:predict`, the form FACTS.md documents for the constraint.
MODEL_VALUE = re.compile(r"^publishers/anthropic/models/[a-z0-9][a-z0-9.@-]*:predict$")
_POLICY_NAME = re.compile(r"^projects/[^/]+/policies/(?:constraints/)?(?P<constraint>[A-Za-z0-9.]+)$")


def check_audit_config(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type in HIERARCHY_AUDIT_CONFIGS:
        level = "folder" if resource_type.startswith("gcp:folder/") else "organization"
        return [
            f"Sets audit logging at {level} level, which reaches every project under it; audit configuration "
            "there is the platform team's."
        ]
    if resource_type != PROJECT_AUDIT_CONFIG:
        return []
    service = shown(props.get("service"))
    configs = props.get("auditLogConfigs")
    if has_unknown(configs):
        return [f"Audit config for {service}: auditLogConfigs are unknown at preview, so exemptions may hide there."]
    messages = []
    for entry in configs if isinstance(configs, list) else []:
        exempted = entry.get("exemptedMembers") if isinstance(entry, Mapping) else None
        if exempted:
            members = ", ".join(str(m) for m in exempted)
            messages.append(
                f"Audit config for {service} exempts {members} from {shown(entry.get('logType'))} logs: their calls "
                "would leave no trace."
            )
    return messages


NO_AUDIT_EXEMPTIONS = ResourceRule(
    RuleInfo(
        name="no-audit-log-exemptions",
        description="Audit configs exempt nobody, and are never set at folder or organization level.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove exemptedMembers (the program's own audit config has none); folder and organization "
        "audit configuration belongs to the platform team's stack.",
        equivalents={
            "Checkov": "none",
            "Trivy": "none",
            "Policy Library": "GCPIAMAuditLogConstraintV1 (allowed_exemptions: [])",
        },
        tags=("audit", "deny-by-default"),
    ),
    check_audit_config,
)


def constraint_of(props: Mapping[str, Any]) -> str | None:
    """`vertexai.allowedModels` from `projects/<p>/policies/vertexai.allowedModels`, or None when unknown."""
    name = known_str(props.get("name"))
    match = _POLICY_NAME.match(name or "")
    return match.group("constraint") if match else None


def _rule_problems(constraint: str, rule: Any, models: Sequence[str]) -> list[str]:
    if not isinstance(rule, Mapping):
        return ["has a rule that is not an object"]
    problems = []
    if allow_all := maybe_true(rule.get("allowAll")):
        problems.append(f"allows all values (allowAll is {allow_all})")
    values = rule.get("values") if isinstance(rule.get("values"), Mapping) else {}
    if values.get("deniedValues"):
        problems.append("lists denied values, which allows everything else")
    if constraint == ALLOWED_MODELS:
        allowed = values.get("allowedValues")
        if flag(rule.get("denyAll")) is True:
            return problems
        if not allowed and not problems:
            problems.append("has a rule with no allowedValues")
        bad = [
            shown(v)
            for v in allowed or []
            if not (isinstance(v, str) and MODEL_VALUE.match(v) and matches_any(v, models))
        ]
        if bad:
            problems.append(
                f"allows {', '.join(bad)}, which is not a publishers/anthropic/models/<model>:predict value in "
                f"allowedModelValues {list(models)}"
            )
    elif constraint == SKIP_DEFAULT_NETWORK and flag(rule.get("enforce")) is not True:
        problems.append(f"does not enforce the constraint (enforce is {shown(rule.get('enforce'))})")
    return problems


def check_org_policy(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type in LEGACY_ORG_POLICIES:
        return [
            f"{resource_type} sets an organization policy through the v1 API, which this pack cannot verify; the "
            "program's own restrictions use gcp.orgpolicy.Policy on the team project."
        ]
    if resource_type != ORG_POLICY:
        return []
    parent, name = props.get("parent"), props.get("name")
    if (text := known_str(parent)) and not text.startswith("projects/"):
        return [f"Sets an organization policy on {text}, which reaches every project under it."]
    spec = props.get("spec")
    constraint = constraint_of(props)
    where = f"Org policy {shown(name)}"
    if constraint not in {ALLOWED_MODELS, SKIP_DEFAULT_NETWORK}:
        known = "unknown at preview" if is_unknown(name) else f"{constraint or shown(name)}"
        return [
            f"{where}: constraint {known} is not one a team stack sets; only {ALLOWED_MODELS} (restricted to "
            f"Claude models) and {SKIP_DEFAULT_NETWORK} (enforced) are allowed. Build the name from the project ID."
        ]
    problems: list[str] = []
    if props.get("dryRunSpec"):
        problems.append("has a dryRunSpec, which this pack does not verify")
    if not isinstance(spec, Mapping) or has_unknown(spec):
        problems.append("has a spec that is missing or unknown at preview")
    else:
        if reset := maybe_true(spec.get("reset")):
            problems.append(f"resets the constraint to Google's default (reset is {reset})")
        if inherit := maybe_true(spec.get("inheritFromParent")):
            problems.append(
                f"inherits (merges) the parent's values, which can only add to what it allows (inheritFromParent is "
                f"{inherit})"
            )
        rules = spec.get("rules")
        if not isinstance(rules, list) or not rules:
            problems.append("has no rules")
        for rule in rules if isinstance(rules, list) else []:
            problems.extend(_rule_problems(constraint, rule, config["allowedModelValues"]))
    return [f"{where} {problem}: a team stack may only tighten {constraint}." for problem in dict.fromkeys(problems)]


ORG_POLICIES_RESTRICT_ONLY = ResourceRule(
    RuleInfo(
        name="org-policies-restrict-only",
        description="Org policies only restrict the team project: allowedModels to Claude models, "
        "skipDefaultNetworkCreation enforced.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the policy, or keep the program's own: vertexai.allowedModels with allowedValues "
        "publishers/anthropic/models/<model>:predict only, and compute.skipDefaultNetworkCreation with enforce "
        "TRUE, both on projects/<team project>. Folder and organization policies are the platform team's.",
        equivalents={
            "Checkov": "none",
            "Trivy": "none",
            "Policy Library": "none (it audits org policies, not the stacks that set them)",
        },
        config={
            "allowedModelValues": string_list(
                "Values a vertexai.allowedModels policy may allow (globs); narrow it to the models the platform "
                "approves.",
                ("publishers/anthropic/models/*:predict",),
            )
        },
        tags=("org-policy", "deny-by-default"),
    ),
    check_org_policy,
)


def check_quota_preference(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != QUOTA_PREFERENCE:
        return []
    service = props.get("service")
    if known_str(service) in config["quotaServices"]:
        return []
    return [
        f"Quota preference for {shown(service)} ({shown(props.get('quotaId'))}): a team stack sets quota caps on "
        f"{', '.join(config['quotaServices'])} only; anything else can raise a limit Google would then approve."
    ]


QUOTA_PREFERENCES_VERTEX_ONLY = ResourceRule(
    RuleInfo(
        name="quota-preferences-vertex-only",
        description="Quota preferences cap Vertex AI (aiplatform.googleapis.com) only.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the quota preference, or scope it to aiplatform.googleapis.com as the program's "
        "guardrails.quotas does. Another service needs the platform team's review (quotaServices).",
        config={"quotaServices": string_list("Services whose quotas a team stack may set.", (VERTEX,))},
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("cost", "guardrails"),
    ),
    check_quota_preference,
)


def _has_vertex_data_access_logs(resource: StackResource) -> bool:
    if resource.type != PROJECT_AUDIT_CONFIG or known_str(resource.props.get("service")) not in {VERTEX, "allServices"}:
        return False
    configs = resource.props.get("auditLogConfigs")
    return any(
        isinstance(c, Mapping) and c.get("logType") == "DATA_READ" and not c.get("exemptedMembers")
        for c in configs or []
        if isinstance(configs, list)
    )


def check_required(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    root = next((r.urn for r in resources if r.type == "pulumi:pulumi:Stack"), resources[0].urn if resources else "")
    missing = []
    if config["requireBudget"] and not any(r.type == BUDGET for r in resources):
        missing.append("a budget (guardrails.budget)")
    if config["requireAuditLogs"] and not any(_has_vertex_data_access_logs(r) for r in resources):
        missing.append("Data Access audit logs for aiplatform.googleapis.com (guardrails.auditLogs)")
    if config["requireQuotaCaps"] and not any(
        r.type == QUOTA_PREFERENCE and known_str(r.props.get("service")) == VERTEX for r in resources
    ):
        missing.append("Vertex AI quota caps (guardrails.quotas)")
    return [(root, f"The platform requires {item}, and this stack has none.") for item in missing]


def _flag_schema(description: str) -> dict[str, Any]:
    return {"type": "boolean", "default": False, "description": description}


REQUIRED_GUARDRAILS = StackRule(
    RuleInfo(
        name="required-guardrails",
        description="When the platform requires them, a stack has a budget, Vertex audit logs and quota caps.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set claude-vertex:guardrails in the stack file: budget (monthlyAmount, notify), auditLogs "
        "(true, the default) and quotas per model family.",
        config={
            "requireBudget": _flag_schema("Every stack must have a gcp.billing.Budget."),
            "requireAuditLogs": _flag_schema("Every stack must log Vertex AI Data Access (DATA_READ), no exemptions."),
            "requireQuotaCaps": _flag_schema("Every stack must set at least one Vertex AI quota preference."),
        },
        equivalents={
            "Checkov": "none",
            "Trivy": "none",
            "Policy Library": "GCPIAMAuditLogConstraintV1 (audit logs only)",
        },
        tags=("cost", "audit", "guardrails"),
    ),
    check_required,
)
