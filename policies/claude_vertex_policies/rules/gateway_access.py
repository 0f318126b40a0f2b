"""Who reaches Vertex AI around a gateway: the gateway's own account, and nobody else in the teams behind it.

The gateway calls Vertex AI in each team's project as its own service account. That account holds exactly the
team's minimal role (`projects/<team project>/roles/claudeVertex<Team>`, defined and judged in the team's own stack:
`predict` and, by default, `computeTokens`), granted in the team's project, never a predefined role
(`roles/aiplatform.user`, which Anthropic's walk-through grants, carries hundreds of permissions) and never in the
gateway's own project, where no team's budget, quota caps or audit logs stand. A gateway stack grants nothing else
on any project.

A developer who also holds the team's role directly calls Vertex with their own credentials, past the gateway's
per-group models, spend caps and attribution. So the platform can name the team stacks that are behind the gateway
(`teamsBehindGateway`, by the stack name the engine sends), and on those stacks a grant to a person (a user, a
group, a whole domain, or workforce identities) is refused, whether it is the team's role on the project or the
right to act as one of the team's service accounts. Service accounts and keyless CI keep their direct access (the
gateway has no service-token flow).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claude_vertex_gcp.members import parse_member
from claude_vertex_gcp.names import CUSTOM_ROLE_NAME, TEAM_ROLE_PREFIX
from claude_vertex_gcp.resource_types import PROJECT as PROJECT_TYPE
from pulumi_policy import EnforcementLevel, Severity

from ..grants import PROJECT, Grant, grants_of
from ..values import is_unknown, known_str, shown
from .base import EngineStack, RuleInfo, StackResource, StackRule, matches_any, string_list
from .gateway_stack import is_gateway_stack
from .own_project import OwnProject, own_account_problem, own_accounts, own_project
from .stack import dependencies

ROOT_STACK = "pulumi:pulumi:Stack"


def _home_projects(resources: Sequence[StackResource], own: OwnProject) -> set[str]:
    """The projects the gateway itself runs in: its own project, and any project a non-grant resource names."""
    home = set(own.ids | own.numbers)
    for resource in resources:
        project = known_str(resource.props.get("project"))
        if project is not None and grants_of(resource.type, resource.props).iam is None:
            home.add(project)
    return home


def _role_problem(grant: Grant, role_ids: Sequence[str]) -> str | None:
    if is_unknown(grant.role):
        return "its role is unknown at preview (a team's role is named from config, never computed)"
    custom = CUSTOM_ROLE_NAME.match(grant.role)
    if grant.role == "roles/aiplatform.user":
        return "it grants roles/aiplatform.user, hundreds of Vertex AI permissions beyond calling a model"
    if custom is None or custom.group("parent") != "projects":
        return f"it grants {grant.role or '<no role>'}, not a team's custom role"
    if grant.target is not None and custom.group("owner") != grant.target:
        return f"it grants {grant.role}, a custom role of another project than the one it is granted in"
    if not matches_any(custom.group("role"), role_ids):
        return f"it grants {grant.role}, whose ID is not a team's role ID ({', '.join(role_ids)})"
    return None


def _project_problem(
    resource: StackResource, home: set[str], own: OwnProject, index: Mapping[str, StackResource]
) -> str | None:
    project = resource.props.get("project")
    if is_unknown(project):
        sources = dependencies(resource, ("project",), index)
        if any(d.urn in own.urns or d.type == PROJECT_TYPE for d in sources):
            return "it is granted in the gateway's own project"
        return "its project is unknown at preview (a team's project is named from config, never computed)"
    text = known_str(project)
    if text is None:
        return "it names no project (the provider's default project, which the pack cannot see)"
    if text in home:
        return f"it is granted in {text}, the gateway's own project, where no team's budget or caps stand"
    return None


def check_gateway_grants(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    if not is_gateway_stack(resources):
        return []
    index = {r.urn: r for r in resources}
    own = own_project(resources)
    accounts = own_accounts(resources, own)
    home = _home_projects(resources, own)
    findings = []
    for resource in resources:
        grants = [g for g in grants_of(resource.type, resource.props).grants if g.scope == PROJECT]
        for grant in grants:
            who = own_account_problem(grant.member, grant.shape, resource, accounts, index)
            role = _role_problem(grant, config["teamRoleIds"])
            where = _project_problem(resource, home, own, index)
            problems = [p for p in (who and f"it goes to {who}", role, where) if p]
            if problems:
                findings.append(
                    (
                        resource.urn,
                        f"Gateway stack grants {shown(grant.role)} to {shown(grant.member)}, but "
                        f"{'; '.join(problems)}. A gateway's only project grants are a team's minimal role, in "
                        "that team's project, to the gateway's own account.",
                    )
                )
    return list(dict.fromkeys(findings))


GATEWAY_ACCOUNT_MINIMAL_ROLE = StackRule(
    RuleInfo(
        name="gateway-account-minimal-role",
        description="In a gateway stack, project grants are only a team's custom role, in that team's project, to "
        "the gateway's own account.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Grant the gateway's account projects/<team project>/roles/<the team's roleId> in each team "
        "project it serves (the gateway component does, from the team stacks' config), never roles/aiplatform.user "
        "and never in the gateway's own project. A team whose role ID was changed from claudeVertex<Team> goes in "
        "teamRoleIds.",
        config={
            "teamRoleIds": string_list(
                "Custom role IDs (globs) a gateway's account may hold in a team's project: the teams' minimal roles.",
                (f"{TEAM_ROLE_PREFIX}*",),
            )
        },
        equivalents={
            "Checkov": "none (CKV_GCP_41 / CKV_GCP_49 judge service-account user and token-creator roles only)",
            "Trivy": "AVD-GCP-0007 no-privileged-service-accounts (owner/editor only)",
            "Policy Library": "GCPIAMAllowBanRolesConstraintV1 (mode: allow), per member",
        },
        tags=("gateway", "iam", "least-privilege", "graph"),
    ),
    check_gateway_grants,
)


def _human(member: str) -> str | None:
    """What kind of person (or people) a member is; None for service accounts, pools' workloads and the unknown."""
    if is_unknown(member):
        return None
    parsed = parse_member(member)
    if parsed.kind in {"user", "group", "domain"}:
        return {"user": "a person", "group": "a group of people", "domain": "everyone in a domain"}[parsed.kind]
    federated = parsed.federated
    if federated is not None and federated.workforce:
        return "workforce (corporate IdP) identities"
    return None


def check_no_humans(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    behind = config["teamsBehindGateway"]
    if not behind:
        return []
    if engine.name is None:
        root = next((r.urn for r in resources if r.type == ROOT_STACK), resources[0].urn if resources else "")
        return [
            (
                root,
                "teamsBehindGateway is set but the engine did not say which stack this is (no ConfigureStack stack "
                "name), so whether it is behind the gateway cannot be told.",
            )
        ]
    if not matches_any(engine.name, behind):
        return []
    findings = []
    for resource in resources:
        for grant in grants_of(resource.type, resource.props).grants:
            who = _human(grant.member)
            if who is not None:
                findings.append(
                    (
                        resource.urn,
                        f"Stack {engine.name!r} is behind the gateway (teamsBehindGateway), yet grants "
                        f"{shown(grant.role)} on {grant.where} to {grant.member}, {who}: a direct grant calls Vertex "
                        "AI past the gateway's model lists, spend caps and attribution. Developers sign in to the "
                        "gateway instead.",
                    )
                )
    return list(dict.fromkeys(findings))


GATEWAY_TEAMS_GRANT_NO_HUMANS = StackRule(
    RuleInfo(
        name="gateway-teams-grant-no-humans",
        description="A team stack the platform lists as behind the gateway grants nothing to people (user, group, "
        "domain, workforce identities).",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the stack's human members (access.members, and the service accounts' impersonators): "
        "developers reach Claude through the gateway. Service accounts and keyless CI keep their grants. A team "
        "that must keep direct access is taken out of teamsBehindGateway.",
        config={
            "teamsBehindGateway": string_list(
                "Stack names (as the engine names them; globs allowed) of the teams whose developers use the gateway.",
                (),
            )
        },
        equivalents={
            "Checkov": "none",
            "Trivy": "AVD-GCP-0003 no-user-granted-permissions (users only, advisory in spirit)",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (denylist user:*, group:*, domain:*)",
        },
        tags=("gateway", "iam", "identity", "graph"),
    ),
    check_no_humans,
)
