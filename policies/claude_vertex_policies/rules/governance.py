"""The audit trail, the organization's rules and the spend guardrails: tightened by a team stack, never loosened.

The program writes its own guardrails: Data Access audit logs for Vertex AI with no exemptions, an org
policy restricting `vertexai.allowedModels` to the pinned Claude models, `compute.skipDefaultNetworkCreation`
enforced, quota caps on Vertex AI, a budget. Those pass. The same resource types can also switch a
control off (an exempted member whose Claude calls are never logged, an org policy that allows every
value, a quota preference raising another service's limit): those are refused, and so is every
constraint or level this pack does not know.

`required-guardrails` asks its guardrails of a stack that spends Claude in its project: every team stack. A gateway
stack that defines no team role spends nothing in its own project (its account holds the teams' roles in the teams'
projects, under the teams' guardrails), so it is not asked for them (`gateway_stack.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claude_vertex_gcp.iam import DATA_READ
from claude_vertex_gcp.org_policy import ALLOWED_MODELS, MODEL_VALUE, POLICY_NAME, SKIP_DEFAULT_NETWORK
from claude_vertex_gcp.resource_types import (
    BUDGET,
    FOLDER_AUDIT_CONFIG,
    LEGACY_ORG_POLICIES,
    ORG_POLICY,
    ORGANIZATION_AUDIT_CONFIG,
    PROJECT_AUDIT_CONFIG,
    QUOTA_PREFERENCE,
)
from claude_vertex_gcp.services import ALL_SERVICES, AUDITED_SERVICES, QUOTA_SERVICES, VERTEX_AI
from pulumi_policy import EnforcementLevel, Severity

from ..values import flag, has_unknown, is_unknown, known_str, maybe_true, shown
from .base import EngineStack, ResourceRule, RuleInfo, StackResource, StackRule, matches_any, string_list
from .gateway_stack import defines_team_role, is_gateway_stack
from .own_project import OwnProject, own_project
from .stack import dependencies

HIERARCHY_AUDIT_CONFIGS = frozenset({FOLDER_AUDIT_CONFIG, ORGANIZATION_AUDIT_CONFIG})


def check_audit_config(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type in HIERARCHY_AUDIT_CONFIGS:
        level = "folder" if resource_type == FOLDER_AUDIT_CONFIG else "organization"
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


def _log_types(configs: Any) -> set[str] | None:
    """The log types an audit config turns on; None when they cannot be read (unknown at preview, not a list)."""
    if has_unknown(configs) or not isinstance(configs, list):
        return None
    return {t for c in configs if isinstance(c, Mapping) and isinstance(t := c.get("logType"), str)}


def check_data_access_kept(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != PROJECT_AUDIT_CONFIG:
        return []
    service = shown(props.get("service"))
    types = _log_types(props.get("auditLogConfigs"))
    if types is None or DATA_READ in types:
        return []  # unknown at preview: no-audit-log-exemptions already refuses it
    scope = "every service of the project" if service == ALL_SERVICES else service
    return [
        f"Audit config for {service} logs {', '.join(sorted(types)) or 'nothing'} without {DATA_READ}: an "
        f"IAMAuditConfig replaces the project's audit configuration for {scope}, so Data Access logging set there "
        "(for Vertex AI, the record of who called which model) would be switched off."
    ]


AUDIT_CONFIGS_KEEP_DATA_ACCESS = ResourceRule(
    RuleInfo(
        name="audit-configs-keep-data-access",
        description="Project audit configs log DATA_READ: an audit config replaces the project's for its service, "
        "so one without it switches Data Access logs off.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Keep DATA_READ in auditLogConfigs (the program's own Vertex AI config logs it), or remove the "
        "audit config and leave the project's audit configuration to the platform team.",
        equivalents={
            "Checkov": "none",
            "Trivy": "none",
            "Policy Library": "GCPIAMAuditLogConstraintV1 (log_types: DATA_READ)",
        },
        tags=("audit", "deny-by-default"),
    ),
    check_data_access_kept,
)


def constraint_of(props: Mapping[str, Any]) -> str | None:
    """`vertexai.allowedModels` from `projects/<p>/policies/vertexai.allowedModels`, or None when unknown."""
    name = known_str(props.get("name"))
    match = POLICY_NAME.match(name or "")
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
        description=f"Quota preferences cap Vertex AI ({VERTEX_AI}) only.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=f"Remove the quota preference, or scope it to {VERTEX_AI} as the program's "
        "guardrails.quotas does. Another service needs the platform team's review (quotaServices).",
        config={"quotaServices": string_list("Services whose quotas a team stack may set.", QUOTA_SERVICES)},
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("cost", "guardrails"),
    ),
    check_quota_preference,
)


def _quota_target_problem(quota: StackResource, own: OwnProject, index: Mapping[str, StackResource]) -> str | None:
    parent = quota.props.get("parent")
    text = known_str(parent)
    if text is not None and not text.startswith("projects/"):
        return f"is set on {text}, which reaches every project under it"
    if own.holds(quota, "parent", index):
        return None
    return f"is set on {shown(parent)}, not on this stack's own project ({own.describe()})"


def _audit_target_problem(audit: StackResource, own: OwnProject, index: Mapping[str, StackResource]) -> str | None:
    if own.holds(audit, "project", index):
        return None
    project = audit.props.get("project")
    where = shown(project) if project is not None else "the provider's default project, which the pack cannot see"
    return f"is set on {where}, not on this stack's own project ({own.describe()})"


def check_targets(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    index = {r.urn: r for r in resources}
    own = own_project(resources)
    findings = []
    for resource in resources:
        if resource.type == QUOTA_PREFERENCE:
            what, problem = "Quota preference", _quota_target_problem(resource, own, index)
            why = "a team stack caps (or asks to raise) limits of its own project only"
        elif resource.type == PROJECT_AUDIT_CONFIG:
            what = f"Audit config for {shown(resource.props.get('service'))}"
            problem = _audit_target_problem(resource, own, index)
            why = "another project's audit trail is not the team's to change"
        else:
            continue
        if problem is not None:
            if own.problem is not None:
                problem = f"cannot be tied to this stack's own project: {own.problem}"
            findings.append((resource.urn, f"{what} {problem}; {why}."))
    return findings


GUARDRAILS_ON_OWN_PROJECT = StackRule(
    RuleInfo(
        name="guardrails-on-own-project",
        description="Quota preferences and project audit configs act on the stack's own project only.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set quota preferences with parent projects/<the team project> and audit configs with project "
        "<the team project>, as guardrails.quotas and guardrails.auditLogs do. Another project's quotas and audit "
        "trail belong to its own stack or to the platform team.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none (single-asset evaluation)"},
        tags=("cost", "audit", "graph"),
    ),
    check_targets,
)


def _budget_problems(budget: StackResource, own: OwnProject, index: Mapping[str, StackResource]) -> list[str]:
    """Why a budget is not a real guardrail on the own project: scope, amount, and who hears of it."""
    props = budget.props
    problems = []
    flt = props.get("budgetFilter")
    flt = flt if isinstance(flt, Mapping) else {}
    projects = flt.get("projects")
    if is_unknown(projects) or (isinstance(projects, list) and any(is_unknown(p) for p in projects)):
        if not any(d.urn in own.urns for d in dependencies(budget, ("budgetFilter",), index)):
            problems.append("its projects are unknown at preview and do not come from this stack's own project")
    elif not isinstance(projects, list) or not projects:
        problems.append("its filter names no project, so it watches the whole billing account")
    elif not all(own.names(p) for p in projects):
        problems.append(
            f"its filter names {', '.join(map(shown, projects))}, not only this stack's own project "
            f"(by number: {', '.join(sorted(own.numbers)) or 'not known to this stack'})"
        )
    narrowed = [key for key in _NARROWING_FILTERS if flt.get(key)]
    if narrowed:
        problems.append(
            f"its filter narrows it by {', '.join(narrowed)}, so part of the project's spend is not counted"
        )
    amount = props.get("amount")
    specified = amount.get("specifiedAmount") if isinstance(amount, Mapping) else None
    if not isinstance(specified, Mapping) or not _positive(specified):
        problems.append("it has no positive specifiedAmount (last period's spend is not a limit)")
    rules = props.get("thresholdRules")
    if not isinstance(rules, list) or not rules:
        problems.append("it has no threshold rule, so it never alerts")
    updates = props.get("allUpdatesRule")
    updates = updates if isinstance(updates, Mapping) else {}
    channels = updates.get("monitoringNotificationChannels")
    disable = updates.get("disableDefaultIamRecipients")
    default_recipients = disable is None or flag(disable) is False  # unknown or unreadable: assume disabled
    if not channels and not default_recipients:
        problems.append(
            "it notifies nobody: no notification channel, and the billing account's default recipients are disabled"
        )
    return problems


_NARROWING_FILTERS = ("services", "labels", "subaccounts", "resourceAncestors")


def _positive(specified: Mapping[str, Any]) -> bool:
    """A money amount above zero; unknown or unreadable is not (units travel as a string, nanos as a number)."""
    try:
        units, nanos = (float(_amount_part(specified.get(key))) for key in ("units", "nanos"))
    except (TypeError, ValueError):
        return False
    return units > 0 or (units == 0 and nanos > 0)


def _amount_part(value: Any) -> float | str:
    if value is None:
        return 0.0
    if isinstance(value, bool) or is_unknown(value):
        raise ValueError(value)
    return value


def _audit_logs_problems(audit: StackResource, own: OwnProject, index: Mapping[str, StackResource]) -> list[str]:
    problems = []
    if known_str(audit.props.get("service")) not in {*AUDITED_SERVICES, ALL_SERVICES}:
        problems.append(f"it is for {shown(audit.props.get('service'))}")
    configs = audit.props.get("auditLogConfigs")
    if not any(
        isinstance(c, Mapping) and c.get("logType") == DATA_READ and not c.get("exemptedMembers")
        for c in (configs if isinstance(configs, list) else [])
    ):
        problems.append("it does not log DATA_READ for everyone")
    if _audit_target_problem(audit, own, index) is not None:
        problems.append("it is not on this stack's own project")
    return problems


def _quota_problems(quota: StackResource, own: OwnProject, index: Mapping[str, StackResource]) -> list[str]:
    problems = []
    if known_str(quota.props.get("service")) not in QUOTA_SERVICES:
        problems.append(f"it is for {shown(quota.props.get('service'))}")
    if _quota_target_problem(quota, own, index) is not None:
        problems.append("it is not on this stack's own project")
    return problems


_REQUIRED: tuple[tuple[str, str, str, Any], ...] = (
    ("requireBudget", BUDGET, "a budget (guardrails.budget) on its own project", _budget_problems),
    (
        "requireAuditLogs",
        PROJECT_AUDIT_CONFIG,
        f"Data Access audit logs for {VERTEX_AI} (guardrails.auditLogs) on its own project",
        _audit_logs_problems,
    ),
    (
        "requireQuotaCaps",
        QUOTA_PREFERENCE,
        "Vertex AI quota caps (guardrails.quotas) on its own project",
        _quota_problems,
    ),
)


def check_required(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    """A gateway stack that defines no team role has no spend of its own to guard: Claude is spent, and capped, in
    the teams' projects, by the teams' stacks; one that defines a role is a team stack too, and is held to it."""
    if is_gateway_stack(resources) and not defines_team_role(resources):
        return []
    root = next((r.urn for r in resources if r.type == "pulumi:pulumi:Stack"), resources[0].urn if resources else "")
    index = {r.urn: r for r in resources}
    own = own_project(resources)
    findings = []
    for setting, type_token, what, problems_of in _REQUIRED:
        if not config[setting]:
            continue
        candidates = [r for r in resources if r.type == type_token]
        verdicts = {r.name: problems_of(r, own, index) for r in candidates}
        if any(not problems for problems in verdicts.values()):
            continue
        if own.problem is not None:
            why = f"; its own project cannot be told: {own.problem}"
        elif verdicts:
            why = "; " + "; ".join(f"{name} does not count: {', '.join(p)}" for name, p in verdicts.items())
        else:
            why = ", and this stack has none"
        findings.append((root, f"The platform requires {what}{why}."))
    return findings


def _flag_schema(description: str) -> dict[str, Any]:
    return {"type": "boolean", "default": False, "description": description}


REQUIRED_GUARDRAILS = StackRule(
    RuleInfo(
        name="required-guardrails",
        description="When the platform requires them, a stack has a real budget, Vertex audit logs and quota caps, "
        "each on its own project (a gateway without a team role excepted).",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set claude-vertex:guardrails in the stack file: budget (monthlyAmount, notify), auditLogs "
        "(true, the default) and quotas per model family. A budget counts when its filter names only the stack's "
        "own project (by number), it has a positive amount and a threshold, and someone hears of it (a "
        "notification channel, or the billing account's default recipients left on).",
        config={
            "requireBudget": _flag_schema(
                "Every stack must have a gcp.billing.Budget on its own project, with a positive amount, a threshold "
                "and a recipient."
            ),
            "requireAuditLogs": _flag_schema(
                "Every stack must log Vertex AI Data Access (DATA_READ), no exemptions, on its own project."
            ),
            "requireQuotaCaps": _flag_schema(
                "Every stack must set at least one Vertex AI quota preference on its own project."
            ),
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
