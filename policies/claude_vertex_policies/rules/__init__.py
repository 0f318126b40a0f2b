"""The rule catalogue, in the order the README documents it; rule names are the ids."""

from __future__ import annotations

from . import (
    authoritative,
    custom_roles,
    design,
    governance,
    impersonation,
    keys,
    model_garden,
    notifications,
    ownership,
    principals,
    project,
    readiness_gate,
    resource_types,
    roles,
    stack,
    tags,
    workload_identity,
)
from .base import EngineStack, ResourceRule, Rule, RuleInfo, StackResource, StackRule

RULES: tuple[Rule, ...] = (
    resource_types.RULE,
    resource_types.PROVIDER_SETTINGS_ALLOWED,
    readiness_gate.READINESS_GATE_PINNED,
    custom_roles.RULE,
    roles.NO_BASIC_ROLES,
    roles.PROJECT_GRANTS_USE_CUSTOM_ROLES,
    design.RULE,
    principals.KNOWN_PRINCIPALS_ONLY,
    principals.NO_PUBLIC_PRINCIPALS,
    principals.NO_DEFAULT_SERVICE_ACCOUNTS,
    impersonation.IMPERSONATION_ON_ACCOUNTS_ONLY,
    impersonation.NO_DOMAIN_WIDE_IMPERSONATION,
    keys.RULE,
    ownership.FOREIGN_ACCOUNTS_UNTOUCHED,
    authoritative.NO_AUTHORITATIVE_IAM,
    authoritative.NO_ORG_OR_FOLDER_GRANTS,
    workload_identity.WORKLOAD_IDENTITY_PROVIDER_PINNED,
    workload_identity.WORKLOAD_IDENTITY_INPUTS_KNOWN,
    workload_identity.NO_POOL_WIDE_PRINCIPALS,
    principals.NO_PERSONAL_ACCOUNTS,
    principals.MEMBERS_IN_ALLOWED_DOMAINS,
    principals.GROUPS_NOT_USERS,
    project.PROJECT_HARDENING,
    project.ALLOWED_SERVICES_ONLY,
    project.NO_DEFAULT_NETWORK,
    tags.NO_RESOURCE_MANAGER_TAGS,
    model_garden.MODEL_GARDEN_CLAUDE_ONLY,
    notifications.NOTIFICATIONS_STAY_IN_ORGANIZATION,
    governance.NO_AUDIT_EXEMPTIONS,
    governance.AUDIT_CONFIGS_KEEP_DATA_ACCESS,
    governance.ORG_POLICIES_RESTRICT_ONLY,
    governance.QUOTA_PREFERENCES_VERTEX_ONLY,
    stack.CUSTOM_ROLE_BINDINGS_IN_STACK,
    stack.GRANT_MEMBERS_VERIFIED,
    ownership.SERVICE_ACCOUNT_GRANTS_ON_OWN_ACCOUNTS,
    ownership.FEDERATED_GRANTS_PINNED,
    ownership.TEAM_PROJECTS_ALLOWED,
    governance.GUARDRAILS_ON_OWN_PROJECT,
    governance.REQUIRED_GUARDRAILS,
)

RULES_BY_NAME: dict[str, Rule] = {rule.info.name: rule for rule in RULES}

__all__ = ["RULES", "RULES_BY_NAME", "EngineStack", "ResourceRule", "Rule", "RuleInfo", "StackResource", "StackRule"]
