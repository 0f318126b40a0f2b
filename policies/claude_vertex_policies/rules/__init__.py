"""The rule catalogue, in the order the README documents it; rule names are the ids."""

from __future__ import annotations

from . import (
    authoritative,
    custom_roles,
    design,
    governance,
    impersonation,
    keys,
    ownership,
    principals,
    project,
    resource_types,
    roles,
    stack,
    workload_identity,
)
from .base import RegistrationRule, ResourceRule, Rule, RuleInfo, StackResource, StackRule

RULES: tuple[Rule, ...] = (
    resource_types.RULE,
    resource_types.PROVIDER_SETTINGS_ALLOWED,
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
    authoritative.NO_AUTHORITATIVE_IAM,
    authoritative.NO_ORG_OR_FOLDER_GRANTS,
    workload_identity.WORKLOAD_IDENTITY_PROVIDER_PINNED,
    workload_identity.NO_POOL_WIDE_PRINCIPALS,
    principals.NO_PERSONAL_ACCOUNTS,
    principals.MEMBERS_IN_ALLOWED_DOMAINS,
    principals.GROUPS_NOT_USERS,
    project.PROJECT_HARDENING,
    project.ALLOWED_SERVICES_ONLY,
    governance.NO_AUDIT_EXEMPTIONS,
    governance.ORG_POLICIES_RESTRICT_ONLY,
    governance.QUOTA_PREFERENCES_VERTEX_ONLY,
    stack.CUSTOM_ROLE_BINDINGS_IN_STACK,
    stack.GRANT_MEMBERS_VERIFIED,
    ownership.SERVICE_ACCOUNT_GRANTS_ON_OWN_ACCOUNTS,
    ownership.FEDERATED_GRANTS_PINNED,
    ownership.TEAM_PROJECTS_ALLOWED,
    governance.REQUIRED_GUARDRAILS,
)

RULES_BY_NAME: dict[str, Rule] = {rule.info.name: rule for rule in RULES}

__all__ = [
    "RULES",
    "RULES_BY_NAME",
    "RegistrationRule",
    "ResourceRule",
    "Rule",
    "RuleInfo",
    "StackResource",
    "StackRule",
]
