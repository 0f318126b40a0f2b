"""Graph checks of what a stack owns: its service accounts, its pools' providers, the projects its team may use.

A grant on a service account is only as safe as the account: token-creator on the deployer's account,
or on another team's, is an escalation whatever the member. A principalSet is only as specific as the
provider that maps and pins its attribute, and a pool is only this stack's if its full name says so
(`projects/<number>/locations/global/workloadIdentityPools/<id>`: a pool of the same ID in another project is
another pool). A project is only the team's if the platform says so. None of these can be judged on one
resource; each follows the stack's dependency graph. What the stack owns is told once, in `own_project.py`.

A gateway stack acts in its own project and grants in the projects of the teams it serves, so its
`team-projects-allowed` entry (keyed by its stack name, like a team's) lists both; nothing is inferred from the
teams' entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from claude_vertex_gcp import resource_types as gcp_types
from claude_vertex_gcp.members import parse_member
from claude_vertex_gcp.names import email_of_service_account, workload_pool_name
from pulumi_policy import EnforcementLevel, Severity

from ..grants import MEMBER, SERVICE_ACCOUNT, Grant, grants_of
from ..pinning import CLAIMS, assess
from ..values import flag, is_unknown, known_str, shown
from .base import EngineStack, ResourceRule, RuleInfo, StackResource, StackRule, matches_any
from .own_project import OwnProject, adopts_existing_account, own_accounts, own_project
from .stack import dependencies
from .workload_identity import spoofed_mappings

# Deletion policies under which neither `pulumi destroy` nor a replacement deletes the account in GCP.
_KEEPS_ACCOUNT = frozenset({"ABANDON", "PREVENT"})


def check_account_grants(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    index = {r.urn: r for r in resources}
    accounts = own_accounts(resources, own_project(resources))
    findings = []
    for resource in resources:
        found = grants_of(resource.type, resource.props)
        if found.iam is None or found.iam.scope != SERVICE_ACCOUNT:
            continue
        target = resource.props.get("serviceAccountId")
        if is_unknown(target):
            sources = [
                d for d in dependencies(resource, ("serviceAccountId",), index) if d.type == gcp_types.SERVICE_ACCOUNT
            ]
            if any(d.urn in accounts.urns for d in sources):
                continue
            reasons = [f"{d.name} {accounts.foreign[d.urn]}" for d in sources if d.urn in accounts.foreign]
            why = (
                f"is unknown at preview and comes from an account that is not this stack's own ({'; '.join(reasons)})"
                if reasons
                else "is unknown at preview and does not come from a service account of this stack"
            )
        elif (text := known_str(target)) and email_of_service_account(text) in accounts.emails:
            continue
        else:
            why = f"({shown(target)}) is not a service account this stack creates in its own project"
        roles = ", ".join(dict.fromkeys(shown(g.role) for g in found.grants)) or "a role"
        findings.append(
            (
                resource.urn,
                f"Grants {roles} on a service account that {why}: acting as another team's or the deployer's "
                "account is an escalation whatever the member.",
            )
        )
    return findings


SERVICE_ACCOUNT_GRANTS_ON_OWN_ACCOUNTS = StackRule(
    RuleInfo(
        name="service-account-grants-on-own-accounts",
        description="Grants on a service account target an account this stack creates in its own project.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Grant on an account this stack creates in its own project (service_account_id=<account>.name), "
        "without createIgnoreAlreadyExists. Access to another team's or the deployer's account is the platform "
        "team's decision, made in its own stack.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none (single-asset evaluation)"},
        tags=("iam", "service-account", "graph"),
    ),
    check_account_grants,
)


def check_account_adoption(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    """An account this resource adopts is someone else's: it must survive the stack and stay enabled."""
    if resource_type != gcp_types.SERVICE_ACCOUNT:
        return []
    account = StackResource(urn="", type=resource_type, name="", props=props)
    if not adopts_existing_account(account):
        return []
    who = f"{shown(props.get('accountId'))} in project {shown(props.get('project'))}"
    messages = []
    policy = known_str(props.get("deletionPolicy"))
    if policy is None or policy.upper() not in _KEEPS_ACCOUNT:
        messages.append(
            f"Adopts the existing service account {who} (createIgnoreAlreadyExists) with deletionPolicy "
            f"{shown(props.get('deletionPolicy')) if 'deletionPolicy' in props else 'DELETE (the default)'}: "
            "`pulumi destroy`, or a replacement, deletes an account this stack did not create, and everything "
            "that runs as it stops."
        )
    disabled = props.get("disabled")
    if disabled is not None and flag(disabled) is not False:
        messages.append(
            f"Adopts the existing service account {who} (createIgnoreAlreadyExists) and sets disabled to "
            f"{shown(disabled)}: an account this stack did not create would be switched off."
        )
    return messages


FOREIGN_ACCOUNTS_UNTOUCHED = ResourceRule(
    RuleInfo(
        name="foreign-accounts-untouched",
        description="A service account resource never adopts an existing account that its destroy would delete or "
        "that it would disable.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove createIgnoreAlreadyExists and let the stack create its own account "
        "(access.serviceAccounts). An account someone else made stays theirs: grant on it from the platform "
        "team's stack, never adopt it.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("iam", "service-account", "deny-by-default"),
    ),
    check_account_adoption,
)


def _project_numbers(project: Any, own: OwnProject, resources: Sequence[StackResource]) -> set[str]:
    """The numbers a known project ID (or number) is known by in this stack's graph."""
    text = known_str(project)
    if text is None:
        return set()
    if text.isdigit():
        return {text}
    return {
        n
        for r in resources
        if r.type == gcp_types.PROJECT
        and known_str(r.props.get("projectId")) == text
        and (n := known_str(r.props.get("number")))
    } | (set(own.numbers) if own.ids == {text} else set())


def _pool_names(pool: StackResource, own: OwnProject, resources: Sequence[StackResource]) -> set[str]:
    """Every full name GCP gives this pool resource: its `name` output, or its project's number and its ID."""
    names = {n for n in [known_str(pool.props.get("name"))] if n}
    pool_id = known_str(pool.props.get("workloadIdentityPoolId"))
    if pool_id:
        names |= {workload_pool_name(n, pool_id) for n in _project_numbers(pool.props.get("project"), own, resources)}
    return names


def _providers_by_pool(resources: Sequence[StackResource], own: OwnProject) -> dict[str, list[StackResource]]:
    """Providers keyed by their pool's full name and by the pool resource's URN (its name is an output)."""
    index = {r.urn: r for r in resources}
    by_pool: dict[str, list[StackResource]] = {}
    for provider in (r for r in resources if r.type == gcp_types.WORKLOAD_IDENTITY_POOL_PROVIDER):
        keys: set[str] = set()
        name = known_str(provider.props.get("name"))
        if name and "/providers/" in name:
            keys.add(name.rsplit("/providers/", 1)[0])
        pool_id = known_str(provider.props.get("workloadIdentityPoolId"))
        if pool_id:
            numbers = _project_numbers(provider.props.get("project"), own, resources)
            keys |= {workload_pool_name(n, pool_id) for n in numbers}
        for pool in dependencies(provider, ("workloadIdentityPoolId",), index):
            if pool.type == gcp_types.WORKLOAD_IDENTITY_POOL:
                keys |= {pool.urn, *_pool_names(pool, own, resources)}
        for key in keys:
            by_pool.setdefault(key, []).append(provider)
    return by_pool


def _provider_problems(provider: StackResource, selector: str, attribute: str | None) -> list[str]:
    """Why this provider's tokens could match the grant's selector without being pinned; empty when they cannot.

    A provider that does not map the attribute at all issues no token carrying it, so it cannot match.
    """
    name = known_str(provider.props.get("workloadIdentityPoolProviderId")) or provider.name
    mapping = provider.props.get("attributeMapping")
    if not isinstance(mapping, Mapping):
        return [f"provider {name}'s attributeMapping cannot be read"]
    condition = provider.props.get("attributeCondition")
    condition = condition if isinstance(condition, str) else ""
    if selector == "pool":
        spoofed = [f"provider {name} maps {t} from `{s}`" for t, s, _ in spoofed_mappings(mapping, CLAIMS)]
        pinned = assess(condition, CLAIMS, mapping).pinned
        return spoofed + ([] if pinned else [f"provider {name}'s attributeCondition does not pin repositories"])
    target = "google.subject" if selector == "subject" else f"attribute.{attribute}"
    claim = "sub" if selector == "subject" else attribute
    if target not in mapping:
        return []
    if mapping[target] != f"assertion.{claim}":
        return [f"provider {name} maps {target} from `{mapping[target]}`, not from assertion.{claim}"]
    pins = claim in CLAIMS and assess(condition, {claim: CLAIMS[claim]}, mapping).pinned
    if selector == "attribute" and not pins:
        return [f"provider {name}'s attributeCondition does not pin {claim} to exact values"]
    return []


def _maps(provider: StackResource, selector: str, attribute: str | None) -> bool:
    mapping = provider.props.get("attributeMapping")
    target = "google.subject" if selector == "subject" else f"attribute.{attribute}"
    return isinstance(mapping, Mapping) and target in mapping


def _judge_grant(
    grant: Grant,
    resource: StackResource,
    index: Mapping[str, StackResource],
    by_pool: Mapping[str, list[StackResource]],
) -> tuple[str, list[str]]:
    """(who the grant goes to, what the pool's providers leave open); no problems for non-pool members."""
    if is_unknown(grant.member):
        inputs = ("member",) if grant.shape == MEMBER else ("members",)
        pools = [d for d in dependencies(resource, inputs, index) if d.type == gcp_types.WORKLOAD_IDENTITY_POOL]
        providers = [prov for pool in pools for prov in by_pool.get(pool.urn, [])]
        who = f"a principal of pool {', '.join(p.name for p in pools)} (unknown at preview)"
        return who, [p for prov in providers for p in _provider_problems(prov, "pool", None)]
    principal = parse_member(grant.member).federated
    if principal is None or principal.workforce or principal.selector not in {"subject", "attribute"}:
        return grant.member, []  # not one workload identity principal: refused by the member rules if at all
    providers = by_pool.get(principal.pool_name, [])
    if not providers:
        return grant.member, [
            f"pool {principal.pool_name} has no provider in this stack (a pool is known by its project number and "
            "ID; one of the same ID in another project is another pool), so nothing shows what it admits"
        ]
    if not any(_maps(prov, principal.selector, principal.attribute) for prov in providers):
        return grant.member, [f"no provider of pool {principal.pool_name} maps the attribute it selects"]
    return grant.member, [
        p for prov in providers for p in _provider_problems(prov, principal.selector, principal.attribute)
    ]


def check_federated_grants(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    index = {r.urn: r for r in resources}
    by_pool = _providers_by_pool(resources, own_project(resources))
    findings = []
    for resource in resources:
        for grant in grants_of(resource.type, resource.props).grants:
            who, problems = _judge_grant(grant, resource, index, by_pool)
            findings += [
                (
                    resource.urn,
                    f"Grants {shown(grant.role)} to {who}, but {problem}: a token from another repository could "
                    "carry the granted value.",
                )
                for problem in dict.fromkeys(problems)
            ]
    return findings


FEDERATED_GRANTS_PINNED = StackRule(
    RuleInfo(
        name="federated-grants-pinned-by-provider",
        description="A grant to a pool principal selects an attribute every provider of that pool maps from its "
        "own claim and pins.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Map each pinning attribute from its own claim (attribute.repository = assertion.repository), "
        "pin that claim in every provider's attributeCondition, and grant principalSets of that attribute only.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("iam", "workload-identity", "ci", "graph"),
    ),
    check_federated_grants,
)


def _projects_touched(resource: StackResource, index: Mapping[str, StackResource]) -> Iterable[tuple[str, str]]:
    """(project, input) pairs this resource acts in; `<unknown>` when the value cannot be traced."""
    props = resource.props
    values = []
    if resource.type == gcp_types.PROJECT:
        values.append(("projectId", props.get("projectId")))
    if "project" in props:
        values.append(("project", props.get("project")))
    for key in ("parent", "name", "serviceAccountId"):
        text = known_str(props.get(key))
        if text and text.startswith("projects/"):
            values.append((key, text.split("/")[1]))
    for key, value in values:
        if is_unknown(value):
            if not any(d.type == gcp_types.PROJECT for d in dependencies(resource, (key,), index)):
                yield "<unknown>", key
        elif isinstance(value, str):
            yield value, key


def check_team_projects(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    """The team is the stack name the engine sent (one stack per team), never a label or name the stack chose."""
    projects_map, folders_map = config["teamProjects"], config["teamFolders"]
    if not projects_map and not folders_map:
        return []
    root = next((r.urn for r in resources if r.type == "pulumi:pulumi:Stack"), resources[0].urn if resources else "")
    stack = engine.name
    if stack is None:
        return [
            (
                root,
                "teamProjects/teamFolders are set but the engine did not say which stack this is (no ConfigureStack "
                "stack name), so its projects cannot be checked.",
            )
        ]
    index = {r.urn: r for r in resources}
    numbers = own_project(resources).numbers  # the created project's own number is the project itself
    findings = []
    for resource in resources:
        if projects_map:
            allowed = projects_map.get(stack)
            for project, key in _projects_touched(resource, index):
                if project in numbers or (allowed is not None and matches_any(project, allowed)):
                    continue
                why = (
                    f"not in teamProjects[{stack!r}] {sorted(allowed)}"
                    if allowed is not None
                    else f"and stack {stack!r} has no entry in teamProjects"
                )
                findings.append((resource.urn, f"Acts in project {project} ({key}), {why}."))
        if folders_map and resource.type == gcp_types.PROJECT:
            folder = resource.props.get("folderId")
            allowed_folders = folders_map.get(stack) or []
            if not (isinstance(folder, str) and not is_unknown(folder) and matches_any(folder, allowed_folders)):
                findings.append(
                    (resource.urn, f"Creates its project in folder {shown(folder)}, not in teamFolders[{stack!r}].")
                )
    return list(dict.fromkeys(findings))


def _object_of_lists(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "default": {},
        "description": description,
    }


TEAM_PROJECTS_ALLOWED = StackRule(
    RuleInfo(
        name="team-projects-allowed",
        description="When teamProjects / teamFolders are set, a stack acts only in its listed projects and folders (a "
        "gateway's: its own and its teams').",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Use a project the platform assigned to the team, or ask the platform team to add it to "
        "teamProjects (stack name -> project IDs or globs) and the folder to teamFolders (stack name -> folder "
        "IDs). One stack per team: the key is the stack name the pipeline deploys (`pulumi up --stack <name>`), "
        "not the team label or claude-vertex:team.",
        config={
            "teamProjects": _object_of_lists(
                "Stack name (one stack per team) -> project IDs (or globs) that stack may create or adopt."
            ),
            "teamFolders": _object_of_lists(
                "Stack name (one stack per team) -> folder IDs that stack may create projects in."
            ),
        },
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("tenancy", "graph"),
    ),
    check_team_projects,
)
