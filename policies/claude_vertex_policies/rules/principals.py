"""Who may be a member of any grant, on any resource type.

The member checks are exposed as `member_problem_*` functions so the stack rule that resolves
preview-time unknown members can apply exactly the same judgement to the value it recovers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from claude_vertex_gcp.members import (
    COMPUTE_DEFAULT_ACCOUNT_SUFFIX,
    Member,
    is_default_service_account,
    is_public,
    parse_member,
)
from claude_vertex_gcp.names import email_of_service_account
from pulumi_policy import EnforcementLevel, Severity

from ..grants import FOLDER, ORGANIZATION, PROJECT, SERVICE_ACCOUNT, Grant, grants_of
from ..values import is_unknown
from .base import ResourceRule, RuleInfo, all_of, matches_any, string_list
from .notifications import personal_recipient, recipient_outside_domains

PERSONAL_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "gmx.net",
    "mail.com",
    "zoho.com",
    "yandex.com",
)


def member_problem_unrecognised(member: str) -> str | None:
    """Why the canonical parser refuses the member (deny by default), or None for a known principal."""
    parsed = parse_member(member)
    return f"{member!r}, which {parsed.problem}" if parsed.problem else None


def member_problem_public(member: str) -> str | None:
    parsed = parse_member(member)
    if not is_public(parsed):
        return None
    who = "anyone on the internet" if parsed.kind == "allUsers" else "anyone with any Google account"
    return f"{member}, i.e. {who}"


def member_problem_default_sa(member: str) -> str | None:
    parsed = parse_member(member)
    if not is_default_service_account(parsed):
        return None
    which = "Compute Engine" if parsed.value.lower().endswith(COMPUTE_DEFAULT_ACCOUNT_SUFFIX) else "App Engine"
    return (
        f"{member}, the {which} default service account that every workload without its own account runs as "
        "(and that holds Editor on its project by default)"
    )


ALLOW_LISTS = ("allowedMemberDomains", "allowedWorkforcePools", "allowedServiceAccountProjects")


def _grant_project(grant: Grant) -> str | None:
    """The project a grant is made in: the project itself, or the project of the account it is on."""
    if grant.target is None:
        return None
    if grant.scope == PROJECT:
        return grant.target
    if grant.scope == SERVICE_ACCOUNT:
        account = parse_member(f"serviceAccount:{email_of_service_account(grant.target)}")
        return account.account_project
    return None


def member_problem_allowed(grant: Grant, config: Mapping[str, Any]) -> str | None:
    """Outside the configured allow-lists; once any list is set, a kind with an empty list is refused."""
    if not any(config[name] for name in ALLOW_LISTS):
        return None
    member = grant.member
    parsed = parse_member(member)
    if parsed.problem is not None or is_public(parsed) or is_default_service_account(parsed):
        return None  # refused by known-principals-only, no-public-principals or no-default-service-account-members
    if parsed.kind in {"user", "group", "domain"}:
        allowed = config["allowedMemberDomains"]
        if parsed.domain in {d.lower() for d in allowed}:
            return None
        return f"{member}, which is outside allowedMemberDomains {sorted(allowed)}"
    federated = parsed.federated
    if federated is not None and federated.workforce:
        allowed = config["allowedWorkforcePools"]
        if matches_any(federated.pool, allowed):
            return None
        return (
            f"{member}, a principal of workforce pool {federated.pool}, which is outside allowedWorkforcePools "
            f"{sorted(allowed)}"
        )
    project = parsed.account_project
    if project is None:
        return None  # a workload identity principal: held to the stack's own pools by the workload identity rules
    home = _grant_project(grant)
    if home is None or project == home or matches_any(project, config["allowedServiceAccountProjects"]):
        return None  # the grant's own project is known at `pulumi up`, when this rule sees it
    allowed = config["allowedServiceAccountProjects"]
    return (
        f"{member}, a service account of project {project} (the grant is in {home}), which is outside "
        f"allowedServiceAccountProjects {sorted(allowed)}"
    )


def check_allowed(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if not any(config[name] for name in ALLOW_LISTS):
        return []
    messages = recipient_outside_domains(resource_type, props, config)
    for grant in grants_of(resource_type, props).grants:
        if is_unknown(grant.member):
            continue  # an account of this stack (grant-members-verified), or a pool of it (federated rules)
        why = member_problem_allowed(grant, config)
        if why:
            messages.append(f"Grants {grant.role or '<no role>'} on {grant.where} to {why}.")
    return list(dict.fromkeys(messages))


def _member_rule(problem: Any) -> Any:
    """A resource check reporting every grant whose member `problem` objects to."""

    def check(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
        messages = []
        for grant in grants_of(resource_type, props).grants:
            if is_unknown(grant.member):
                continue  # resolved later by the stack rule grant-members-verified
            why = problem(grant.member, config)
            if why:
                messages.append(f"Grants {grant.role or '<no role>'} on {grant.where} to {why}.")
        return list(dict.fromkeys(messages))

    return check


NO_PUBLIC_PRINCIPALS = ResourceRule(
    RuleInfo(
        name="no-public-principals",
        description="No grant on any resource, service accounts included, goes to allUsers or allAuthenticatedUsers.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove allUsers / allAuthenticatedUsers and grant named groups (group:team@example.com) "
        "or the stack's service accounts instead.",
        equivalents={
            "Checkov": "CKV_GCP_113 (google_iam_policy), CKV_GCP_112 (KMS), CKV_GCP_28 (storage)",
            "Trivy": "AVD-GCP-0001 no-public-access (storage only)",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (mode: denylist, members allUsers, "
            "allAuthenticatedUsers)",
        },
        tags=("iam", "public-access"),
    ),
    _member_rule(lambda member, _config: member_problem_public(member)),
)

KNOWN_PRINCIPALS_ONLY = ResourceRule(
    RuleInfo(
        name="known-principals-only",
        description="Every member of every grant parses into a known, specific principal; anything else is refused.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Write members exactly as IAM spells them: user:, group:, serviceAccount: (a user-managed "
        "account name@project.iam.gserviceaccount.com), domain:, principal://.../subject/<id> or "
        "principalSet://.../attribute.<name>/<value> or .../group/<id> of one workload identity or workforce pool.",
        equivalents={
            "Checkov": "none (members are matched as strings)",
            "Trivy": "none",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (mode: allowlist, member patterns)",
        },
        tags=("iam", "identity", "deny-by-default"),
    ),
    _member_rule(lambda member, _config: member_problem_unrecognised(member)),
)

NO_DEFAULT_SERVICE_ACCOUNTS = ResourceRule(
    RuleInfo(
        name="no-default-service-account-members",
        description="No grant goes to the Compute Engine or App Engine default service account.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Create a dedicated service account in the stack (access.serviceAccounts) and grant that "
        "one; workloads should run as it instead of the default account.",
        equivalents={
            "Checkov": "CKV_GCP_46 (project), CKV_GCP_48 (folder), CKV_GCP_47 (organization)",
            "Trivy": "AVD-GCP-0006 (project), AVD-GCP-0004 (folder), AVD-GCP-0008 (organization)",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (mode: denylist, "
            "serviceAccount:*-compute@developer.gserviceaccount.com)",
        },
        tags=("iam", "service-account"),
    ),
    _member_rule(lambda member, _config: member_problem_default_sa(member)),
)


def _personal(member: str, config: Mapping[str, Any]) -> str | None:
    parsed = parse_member(member)
    if parsed.kind in {"user", "group", "domain"} and parsed.domain in {d.lower() for d in config["personalDomains"]}:
        return f"{member}, an account in the personal email domain {parsed.domain}, outside the company's control"
    return None


NO_PERSONAL_ACCOUNTS = ResourceRule(
    RuleInfo(
        name="no-personal-email-members",
        description="Members and e-mail notification recipients are not personal email accounts (gmail.com, "
        "outlook.com, ...).",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Grant the person's company account or, better, a company group they belong to, and send "
        "notices (guardrails.budget.notify) to company addresses. Personal accounts survive offboarding and are "
        "not covered by the company's 2-step verification policy.",
        config={"personalDomains": string_list("Email domains treated as personal.", PERSONAL_DOMAINS)},
        equivalents={
            "Trivy": "AVD-GCP-0069 not-proper-email-account",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 sample iam_restrict_gmail (denylist user:*@gmail.com)",
            "Checkov": "none",
        },
        tags=("iam", "identity"),
    ),
    all_of(_member_rule(_personal), personal_recipient),
)

MEMBERS_IN_ALLOWED_DOMAINS = ResourceRule(
    RuleInfo(
        name="members-in-allowed-domains",
        description="When member allow-lists are set, every member and e-mail recipient is on one: its domain, "
        "workforce pool or service account project.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Use accounts and notification addresses from the company's own Cloud Identity / Workspace "
        "domains, principals of the company's workforce pools, and service accounts of the grant's own project; or "
        "add the partner domain, pool or project to the list after review. Once any list is set, a kind whose list "
        "is empty is refused. Workload identity principals are governed by the workload identity rules, not these "
        "lists.",
        config={
            "allowedMemberDomains": string_list(
                "Domains user:, group: and domain: members must belong to (exact).", ()
            ),
            "allowedWorkforcePools": string_list("Workforce pool IDs (or globs) whose principals may be members.", ()),
            "allowedServiceAccountProjects": string_list(
                "Project IDs (or globs) whose service accounts may be members of grants made in another project.",
                (),
            ),
        },
        equivalents={
            "Policy Library": "GCPIAMAllowedPolicyMemberDomainsConstraintV2",
            "Checkov": "none",
            "Trivy": "none",
        },
        tags=("iam", "identity"),
    ),
    check_allowed,
)


def _individual(member: Member) -> bool:
    """A person: a `user:`, or one identity of a workforce pool (a corporate IdP's user)."""
    federated = member.federated
    return member.kind == "user" or (federated is not None and federated.workforce and federated.selector == "subject")


def check_user_grants(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    messages = []
    for grant in grants_of(resource_type, props).grants:
        broad = grant.scope in {PROJECT, FOLDER, ORGANIZATION}
        if broad and not is_unknown(grant.member) and _individual(parse_member(grant.member)):
            messages.append(
                f"Grants {grant.role or '<no role>'} on {grant.where} directly to {grant.member}; access granted "
                "to individuals is missed when people change teams or leave."
            )
    return messages


GROUPS_NOT_USERS = ResourceRule(
    RuleInfo(
        name="grants-to-groups-not-users",
        description="Project, folder and organization grants go to groups, not to individual users (Google or "
        "workforce).",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Grant the team's group (group:team@example.com) and manage who is in it in Cloud Identity / "
        "Workspace, where joiners and leavers are already handled.",
        equivalents={
            "Trivy": "AVD-GCP-0003 no-user-granted-permissions",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (denylist user:*)",
            "Checkov": "none",
        },
        tags=("iam", "identity"),
    ),
    check_user_grants,
)


def member_problems(member: str) -> Iterable[str]:
    """The config-free mandatory member problems, for a member recovered from the stack graph (always an
    account, so the domain rules, which only judge user:, group: and domain: members, do not apply)."""
    for problem in (
        member_problem_unrecognised(member),
        member_problem_public(member),
        member_problem_default_sa(member),
    ):
        if problem:
            yield problem
