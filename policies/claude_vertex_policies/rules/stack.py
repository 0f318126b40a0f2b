"""Checks that need the whole graph, not one resource.

During `pulumi preview` a grant's role is usually the custom role's `name` output and a service
account's member is its `member` output: both unknown, so the per-resource rules skip them. Here the
stack's property dependencies tell us which resource each unknown came from, so the grant can still
be judged before anything is applied. (At `pulumi up` every input is known and the per-resource rules
see the real values; these rules then only add the cross-resource check that a bound custom role is
defined, with allowed permissions, in this very stack.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from claude_vertex_gcp.iam import CLAUDE_CODE_PERMISSIONS
from claude_vertex_gcp.names import CUSTOM_ROLE_NAME, custom_role_name, service_account_email
from claude_vertex_gcp.resource_types import (
    ORGANIZATION_CUSTOM_ROLE,
    SERVICE_ACCOUNT,
    WORKLOAD_IDENTITY_POOL,
)
from pulumi_policy import EnforcementLevel, Severity

from ..grants import MEMBER, PROJECT, Grant, grants_of
from ..values import is_unknown, known_str, shown
from .base import EngineStack, RuleInfo, StackResource, StackRule, matches_any, string_list
from .custom_roles import CUSTOM_ROLE_TYPES, permission_problems, role_label
from .gateway_stack import is_gateway_stack
from .principals import member_problems


def custom_role_names(role: StackResource) -> set[str]:
    """Every full name a custom role resource is known by (its `name` output, or built from inputs)."""
    names = {n for n in [known_str(role.props.get("name"))] if n}
    role_id = known_str(role.props.get("roleId"))
    if role.type == ORGANIZATION_CUSTOM_ROLE:
        org = known_str(role.props.get("orgId"))
        if role_id and org:
            names.add(f"organizations/{org}/roles/{role_id}")
    elif role_id and (project := known_str(role.props.get("project"))):
        names.add(custom_role_name(project, role_id))
    return names


def dependencies(
    resource: StackResource, inputs: Iterable[str], index: Mapping[str, StackResource]
) -> list[StackResource]:
    """Resources an input's value came from; all dependencies when the SDK sent no per-input ones."""
    urns = [u for name in inputs for u in resource.property_dependencies.get(name, ())]
    if not any(name in resource.property_dependencies for name in inputs):
        urns = list(resource.dependencies)
    return [index[u] for u in dict.fromkeys(urns) if u in index]


def check_role_bindings(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    """In a gateway stack, a project grant of a role defined elsewhere is `gateway-account-minimal-role`'s: a team's
    role, defined (and its permissions judged) in the team's own stack, to the gateway's own account."""
    index = {r.urn: r for r in resources}
    by_name = {name: r for r in resources if r.type in CUSTOM_ROLE_TYPES for name in custom_role_names(r)}
    gateway = is_gateway_stack(resources)
    findings: list[tuple[str, str]] = []
    for resource in resources:
        roles: dict[str, list[Grant]] = {}
        for grant in grants_of(resource.type, resource.props).grants:
            roles.setdefault(grant.role, []).append(grant)
        for role, grants in roles.items():
            if not is_unknown(role) and (matches_any(role, config["allowedRoles"]) or not CUSTOM_ROLE_NAME.match(role)):
                continue
            if is_unknown(role):
                sources = [d for d in dependencies(resource, ("role",), index) if d.type in CUSTOM_ROLE_TYPES]
                if not sources:
                    continue  # not from a custom role; the per-resource rules see the value at `pulumi up`
                definition = sources[0]
            elif role in by_name:
                definition = by_name[role]
            elif gateway and all(g.scope == PROJECT for g in grants):
                continue  # a team's role granted by the gateway: gateway-account-minimal-role judges it
            else:
                findings.append(
                    (
                        resource.urn,
                        f"Binds {role}, which is not defined in this stack: its permissions cannot be reviewed here "
                        "and may change under the team. Bind the stack's own IAMCustomRole.",
                    )
                )
                continue
            problems = permission_problems(
                definition.props.get("permissions"), definition.props.get("stage"), config["allowedPermissions"]
            )
            for problem in problems:
                members = ", ".join(dict.fromkeys(shown(g.member) for g in grants))
                findings.append(
                    (
                        resource.urn,
                        f"Binds custom role {role_label(definition.props)} to {members}; that role {problem}.",
                    )
                )
    return findings


CUSTOM_ROLE_BINDINGS_IN_STACK = StackRule(
    RuleInfo(
        name="custom-role-bindings-in-stack",
        description="Every custom-role grant binds a role defined in this stack with allowed permissions (a gateway's "
        "project grants: gateway-account-minimal-role).",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Bind the IAMCustomRole this stack creates (its `name` output), and keep that role's "
        "permissions within allowedPermissions.",
        config={
            "allowedPermissions": string_list(
                "Permissions a bound custom role may hold; keep in sync with custom-role-allowed-permissions.",
                CLAUDE_CODE_PERMISSIONS,
            ),
            "allowedRoles": string_list(
                "Custom roles defined elsewhere that grants may still bind (exact names or globs).", ()
            ),
        },
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none (single-asset evaluation)"},
        tags=("iam", "custom-role", "graph"),
    ),
    check_role_bindings,
)


def account_member(account: StackResource) -> str | None:
    """`serviceAccount:<email>` for a stack service account, from its outputs or its inputs."""
    member = known_str(account.props.get("member"))
    if member:
        return member
    email = known_str(account.props.get("email"))
    account_id, project = known_str(account.props.get("accountId")), known_str(account.props.get("project"))
    if not email and account_id and project:
        email = service_account_email(account_id, project)
    return f"serviceAccount:{email}" if email else None


def check_unknown_members(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    index = {r.urn: r for r in resources}
    findings: list[tuple[str, str]] = []
    for resource in resources:
        found = grants_of(resource.type, resource.props)
        for grant in found.grants:
            if not is_unknown(grant.member):
                continue
            inputs = ("member",) if found.iam is not None and found.iam.shape == MEMBER else ("members",)
            sources = dependencies(resource, inputs, index)
            accounts = [s for s in sources if s.type == SERVICE_ACCOUNT]
            if accounts:
                for account in accounts:
                    member = account_member(account)
                    for problem in member_problems(member) if member else ():
                        findings.append((resource.urn, f"Grants {grant.role} to {problem}."))
            elif not any(s.type == WORKLOAD_IDENTITY_POOL for s in sources):
                origin = ", ".join(sorted({s.type for s in sources})) or "no resource in this stack"
                findings.append(
                    (
                        resource.urn,
                        f"The member of this {shown(grant.role)} grant is unknown during preview and comes from "
                        f"{origin}, so it cannot be verified before it is applied. Derive members from config, a "
                        "service account or a workload identity pool of this stack.",
                    )
                )
    return list(dict.fromkeys(findings))


GRANT_MEMBERS_VERIFIED = StackRule(
    RuleInfo(
        name="grant-members-verified",
        description="Grants whose member is unknown at preview are re-checked through the resource it comes from.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Build members from config values, a service account of this stack (`account.member`), or a "
        "workload identity pool of this stack, so they can be verified in the pull request's preview.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("iam", "graph", "preview"),
    ),
    check_unknown_members,
)
