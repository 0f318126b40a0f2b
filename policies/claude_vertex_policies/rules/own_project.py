"""What a stack owns, told once from what the engine reports: its own project, and its own service accounts.

The stack's own project is a project the stack creates (a `Project` resource: its ID, and the number GCP gave
it), or, for a stack that adopts its project (no `Project` resource), the one project its custom roles are
defined in, or, for a gateway stack that adopts its project (it defines no role), the one project its gateway
resources (service, database, secrets, network: `gateway_stack.GATEWAY_ONLY_TYPES`) name. Anything else is another
project; the teams' projects a gateway grants in are never its own. When it cannot be told (no project created, no
custom role and no gateway resource, or several projects), nothing is the stack's own: every rule that asks
refuses, deny by default.

A project number is only known from GCP's answers: the created project's `number`, or the `name` of a workload
identity pool this stack creates in its own project (GCP names pools by project number). During
`pulumi preview` of a new project neither is known; a value computed from the project resource is then judged
through the graph instead (its property dependencies name the project resource).

An own service account is one the stack creates in its own project. An `Account` with
`createIgnoreAlreadyExists` adopts whatever account already has that email, so it is never the stack's own,
whatever project it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claude_vertex_gcp.members import parse_member
from claude_vertex_gcp.names import email_of_service_account, project_of
from claude_vertex_gcp.resource_types import PROJECT, PROJECT_CUSTOM_ROLE, SERVICE_ACCOUNT, WORKLOAD_IDENTITY_POOL

from ..grants import MEMBER
from ..values import flag, is_unknown, known_str, shown
from .base import StackResource
from .gateway_stack import GATEWAY_ONLY_TYPES
from .stack import account_member, dependencies


@dataclass(frozen=True)
class OwnProject:
    """The stack's own project: IDs, numbers, the `Project` resources (URNs), or why it cannot be told."""

    ids: frozenset[str]
    numbers: frozenset[str]
    urns: frozenset[str]
    problem: str | None = None

    def describe(self) -> str:
        names = sorted(self.ids) or sorted(self.numbers)
        return ", ".join(names) if names else "a project created in this stack"

    def holds(self, resource: StackResource, key: str, index: Mapping[str, StackResource]) -> bool:
        """Does input `key` (a project ID or number, or `projects/<id or number>`) name the own project?

        Absent means the provider's default project, which the engine does not report: not the own project.
        Unknown (preview) counts only when it comes from a project resource of this stack.
        """
        value = resource.props.get(key)
        if is_unknown(value):
            return any(d.urn in self.urns for d in dependencies(resource, (key,), index))
        return self.names(value)

    def names(self, value: Any) -> bool:
        text = known_str(value)
        if text is None:
            return False
        project = project_of(text) if text.startswith("projects/") else text
        return project is not None and "/" not in project and project in self.ids | self.numbers


def own_project(resources: Sequence[StackResource]) -> OwnProject:
    """The own project of this stack, as defined in the module docstring."""
    created = [r for r in resources if r.type == PROJECT]
    if created:
        ids = {i for r in created if (i := known_str(r.props.get("projectId")))}
        numbers = {n for r in created if (n := known_str(r.props.get("number")))}
        urns = {r.urn for r in created}
        return OwnProject(frozenset(ids), frozenset(numbers | _pool_numbers(resources, ids)), frozenset(urns))
    roles = [r for r in resources if r.type == PROJECT_CUSTOM_ROLE]
    what = "its custom roles"
    if not roles:
        roles = [r for r in resources if r.type in GATEWAY_ONLY_TYPES and "project" in r.props]
        what = "its custom roles (it defines none) or its gateway resources"
    projects = {shown(r.props.get("project")) for r in roles}
    if len(projects) != 1 or not all(known_str(r.props.get("project")) for r in roles):
        found = ", ".join(sorted(projects)) or "none"
        return OwnProject(
            frozenset(),
            frozenset(),
            frozenset(),
            f"this stack creates no project, and the projects of {what} do not name exactly one it adopts "
            f"(found: {found})",
        )
    ids = set(projects)
    return OwnProject(frozenset(ids), frozenset(_pool_numbers(resources, ids)), frozenset())


def _pool_numbers(resources: Sequence[StackResource], ids: set[str]) -> set[str]:
    """Project numbers from the names GCP gave the pools this stack creates in its own projects."""
    numbers = set()
    for pool in (r for r in resources if r.type == WORKLOAD_IDENTITY_POOL and known_str(r.props.get("project")) in ids):
        name = known_str(pool.props.get("name")) or ""
        number = project_of(name.split("/locations/", 1)[0]) or ""  # projects/<number>/locations/global/...
        if number.isdigit():
            numbers.add(number)
    return numbers


def adopts_existing_account(account: StackResource) -> bool:
    """`createIgnoreAlreadyExists` set, or unreadable (the provider would then take over an existing account)."""
    value = account.props.get("createIgnoreAlreadyExists")
    return value is not None and flag(value) is not False


def foreign_reason(account: StackResource, own: OwnProject, index: Mapping[str, StackResource]) -> str | None:
    """Why an `Account` resource is not one of the stack's own accounts; None when it is."""
    if adopts_existing_account(account):
        return "adopts an existing account (createIgnoreAlreadyExists)"
    if own.problem is not None:
        return own.problem
    if not own.holds(account, "project", index):
        return f"is in project {shown(account.props.get('project'))}, not this stack's own project ({own.describe()})"
    return None


@dataclass(frozen=True)
class OwnAccounts:
    """The stack's own service accounts (emails and URNs) and, for the others, why they are not."""

    emails: frozenset[str]
    urns: frozenset[str]
    foreign: Mapping[str, str]  # URN -> reason


def own_accounts(resources: Sequence[StackResource], own: OwnProject) -> OwnAccounts:
    index = {r.urn: r for r in resources}
    emails, urns, foreign = set(), set(), {}
    for account in (r for r in resources if r.type == SERVICE_ACCOUNT):
        reason = foreign_reason(account, own, index)
        if reason is not None:
            foreign[account.urn] = reason
            continue
        urns.add(account.urn)
        if member := account_member(account):
            emails.add(member.removeprefix("serviceAccount:").lower())
    return OwnAccounts(frozenset(emails), frozenset(urns), foreign)


def own_account_problem(
    member: str, shape: str, resource: StackResource, accounts: OwnAccounts, index: Mapping[str, StackResource]
) -> str | None:
    """Why a grant's member is not one of the stack's own accounts (None when it is): a known member names one of
    their emails; one unknown at preview comes, through the graph, from own accounts only."""
    if is_unknown(member):
        inputs = ("member",) if shape == MEMBER else ("members",)
        sources = [d for d in dependencies(resource, inputs, index) if d.type == SERVICE_ACCOUNT]
        if sources and all(d.urn in accounts.urns for d in sources):
            return None
        return "a member unknown at preview that comes from no service account of this stack"
    parsed = parse_member(member)
    if parsed.kind == "serviceAccount" and email_of_service_account(parsed.value) in accounts.emails:
        return None
    return f"{member}, which is not a service account this stack creates in its own project"
