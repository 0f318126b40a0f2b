"""The rule catalogue, in the order the README documents it (the issue's numbering)."""

from __future__ import annotations

from . import authoritative, custom_roles, impersonation, keys, principals, project, roles, stack, workload_identity
from .base import ResourceRule, Rule, RuleInfo, StackResource, StackRule

RULES: tuple[Rule, ...] = (
    custom_roles.RULE,  # 1
    roles.NO_BASIC_ROLES,  # 2
    roles.PROJECT_GRANTS_USE_CUSTOM_ROLES,  # 3
    principals.NO_PUBLIC_PRINCIPALS,  # 4
    principals.NO_DEFAULT_SERVICE_ACCOUNTS,  # 5
    impersonation.IMPERSONATION_ON_ACCOUNTS_ONLY,  # 6
    impersonation.NO_DOMAIN_WIDE_IMPERSONATION,  # 6 (domain:)
    keys.RULE,  # 7
    authoritative.NO_AUTHORITATIVE_IAM,  # 8
    authoritative.NO_ORG_OR_FOLDER_GRANTS,  # 9
    workload_identity.WORKLOAD_IDENTITY_PROVIDER_PINNED,  # 10
    workload_identity.NO_POOL_WIDE_PRINCIPALS,  # 10 (grants)
    principals.NO_PERSONAL_ACCOUNTS,  # 11
    principals.MEMBERS_IN_ALLOWED_DOMAINS,  # 11 (allowlist)
    principals.GROUPS_NOT_USERS,  # 11 (Trivy AVD-GCP-0003 parity)
    project.PROJECT_HARDENING,  # 12
    project.ALLOWED_SERVICES_ONLY,  # 12 (APIs)
    stack.CUSTOM_ROLE_BINDINGS_IN_STACK,  # 13
    stack.GRANT_MEMBERS_VERIFIED,  # 13 (unknown members)
)

RULES_BY_NAME: dict[str, Rule] = {rule.info.name: rule for rule in RULES}

__all__ = ["RULES", "RULES_BY_NAME", "ResourceRule", "Rule", "RuleInfo", "StackResource", "StackRule"]
