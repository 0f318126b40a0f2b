"""The IAM member grammar: any member string parsed into one canonical form, or a problem saying why it cannot be.

Deny by default: a member either parses into a known, specific principal (a user, a group, a user-managed service
account, a domain, one workload or workforce identity, or one attribute / group of a pool), or it carries a
`problem`. The policy pack refuses every member with a problem (`known-principals-only`) and the program's config
reader refuses the same ones, because both call this parser. Forms IAM itself would accept but that name "everyone
of some kind" (org-wide principalSets, GKE cluster-wide sets, Google-managed accounts shared by every build) have a
problem too: nothing a team stack grants needs them. Public principals, the default service accounts and whole pools
parse without a problem, with a kind of their own, so that each is refused by a rule that says exactly why.

The kind of a member is still recognised when its spelling is wrong (`ServiceAccount:`, `allusers`), so the public
and default-account rules keep firing on it as well.

Sources: IAM "Principal identifiers", "Service agents", workload and workforce identity federation docs.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from claude_vertex_gcp.names import (
    IAM_HOST,
    PROJECT_NUMBER,
    SERVICE_ACCOUNT_DOMAIN,
    USER_MANAGED_SERVICE_ACCOUNT,
    workforce_pool_name,
    workload_pool_name,
)

PUBLIC_PRINCIPALS = ("allUsers", "allAuthenticatedUsers")
EMAIL_KINDS = ("user", "group", "serviceAccount")
PREFIXES = (*EMAIL_KINDS, "domain")
DELETED_PREFIX = "deleted:"
URI_SCHEMES = ("principalSet", "principal")

# The Compute Engine and App Engine default service accounts: created by Google with Editor on the
# project, shared by every workload that does not name its own account.
COMPUTE_DEFAULT_ACCOUNT_SUFFIX = "-compute@developer.gserviceaccount.com"
APP_ENGINE_DEFAULT_ACCOUNT_SUFFIX = "@appspot.gserviceaccount.com"
DEFAULT_SERVICE_ACCOUNT_SUFFIXES = (COMPUTE_DEFAULT_ACCOUNT_SUFFIX, APP_ENGINE_DEFAULT_ACCOUNT_SUFFIX)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9._%+'-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")
_DOMAIN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
# Service agents: Google names them after the number of the project, folder or organization they serve
# (`service-<N>`, `service-org-<N>`, `service-folder-<N>`, logging's `p<N>-<M>`, BigQuery's `bq-<N>`), in a
# project Google owns. Google adds agents and changes their formats at any time ("Service agents", IAM docs),
# so the numbered forms are refused in any domain, and the Google-owned projects below whatever the name.
_SERVICE_AGENT_ACCOUNT = re.compile(r"^(?:service-(?:org-|folder-)?[0-9]+|[a-z][0-9]+-[0-9]+|bq-[0-9]+)$")
GOOGLE_OWNED_PROJECTS = (
    "gcp-sa-*",
    "bigquery-encryption",
    "cloud-filer",
    "cloudcomposer-accounts",
    "compute-system",
    "container-engine-robot",
    "containerregistry",
    "dataflow-service-producer-prod",
    "dataproc-accounts",
    "gcf-admin-robot",
    "gs-project-accounts",
    "serverless-robot-prod",
)
# What a pool path may name: workload identity pools (4-32 characters), workforce pools (6-63), and GKE's
# `<project>.svc.id.goog` pools, recognised only to be refused.
POOL_ID = r"[a-z0-9][a-z0-9.-]{2,61}[a-z0-9]"
_HOST = re.escape(IAM_HOST)
_WORKLOAD = re.compile(
    rf"^(?P<scheme>principal|principalSet)://{_HOST}/projects/(?P<project>{PROJECT_NUMBER})/locations/global/"
    rf"workloadIdentityPools/(?P<pool>{POOL_ID})/(?P<rest>.*)$"
)
_WORKFORCE = re.compile(
    rf"^(?P<scheme>principal|principalSet)://{_HOST}/locations/global/workforcePools/(?P<pool>{POOL_ID})/(?P<rest>.*)$"
)
_VALUE = re.compile(r"^[^/\s*]{1,127}(?:/[^/\s*]{1,127}){0,7}$")
_ATTRIBUTE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,49}$")
GKE_POOL_SUFFIX = ".svc.id.goog"


@dataclass(frozen=True)
class FederatedPrincipal:
    """A pool principal: `selector` is `all` (`/*`), `attribute`, `group` or `subject`.

    `pool` is the pool ID; `project` the number of the project a workload identity pool lives in (None for a
    workforce pool, which belongs to an organization). Two pools of one ID in two projects are two pools: compare
    `pool_name`, never `pool`.
    """

    pool: str
    selector: str
    attribute: str | None = None
    value: str | None = None
    workforce: bool = False
    project: str | None = None

    @property
    def pool_name(self) -> str:
        """`projects/<number>/locations/global/workloadIdentityPools/<id>` or `locations/global/workforcePools/<id>`."""
        if self.workforce or self.project is None:
            return workforce_pool_name(self.pool)
        return workload_pool_name(self.project, self.pool)


@dataclass(frozen=True)
class Member:
    """One IAM member in canonical form.

    `kind` is `user`, `group`, `serviceAccount`, `domain`, `allUsers`, `allAuthenticatedUsers`,
    `principal`, `principalSet`, or `other`; `value` is what follows the prefix (the whole URI for
    principals). `problem`, when set, finishes the sentence "the member ..." and makes it a violation.
    """

    raw: str
    kind: str
    value: str
    problem: str | None = None
    federated: FederatedPrincipal | None = None

    @property
    def domain(self) -> str | None:
        """The email or Workspace domain, lower-cased; None for principals without one."""
        if self.kind == "domain":
            return self.value.lower()
        if self.kind in EMAIL_KINDS and "@" in self.value:
            return self.value.rsplit("@", 1)[1].lower()
        return None

    @property
    def account_project(self) -> str | None:
        """The project ID a user-managed service account lives in (`name@<project>.iam...`), else None."""
        if self.kind != "serviceAccount":
            return None
        match = USER_MANAGED_SERVICE_ACCOUNT.match(self.value.lower())
        return match.group("project") if match else None

    @property
    def canonical(self) -> str:
        """`kind:value` with the email lower-cased: two spellings of one principal compare equal."""
        if self.kind in EMAIL_KINDS or self.kind == "domain":
            return f"{self.kind}:{self.value.lower()}"
        return self.value if self.kind in {"principal", "principalSet", "other"} else self.kind


def parse_member(raw: str) -> Member:
    """Parse any member string; never raises, never returns a member without a verdict."""
    text = raw.strip()
    deleted = text.startswith(DELETED_PREFIX)
    if deleted:
        text = text[len(DELETED_PREFIX) :].split("?uid=", 1)[0]
    member = _parse(raw, text)
    if deleted and member.problem is None:
        return _with_problem(member, "is a `deleted:` principal: it names an account that no longer exists")
    if raw != raw.strip() and member.problem is None:
        return _with_problem(member, "has leading or trailing whitespace")
    return member


def _with_problem(member: Member, problem: str) -> Member:
    return Member(member.raw, member.kind, member.value, problem, member.federated)


def _parse(raw: str, text: str) -> Member:
    lowered = text.lower()
    public = {kind.lower(): kind for kind in PUBLIC_PRINCIPALS}
    if lowered in public:
        kind = public[lowered]
        problem = None if text == kind else f"spells {kind} as `{text}`"
        return Member(raw, kind, text, problem)
    for scheme in URI_SCHEMES:
        if lowered.startswith(scheme.lower() + "://"):
            return _parse_uri(raw, scheme, text)
    prefix, sep, value = text.partition(":")
    kinds = {k.lower(): k for k in PREFIXES}
    if not sep or prefix.lower() not in kinds:
        problem = f"`{text}` is not a principal form claude-vertex recognises"
        suggestion = suggest_member(text)
        return Member(raw, "other", text, problem if suggestion is None else f"{problem} (did you mean {suggestion}?)")
    kind = kinds[prefix.lower()]
    problem = None if prefix == kind else f"uses the prefix `{prefix}:`; IAM spells it `{kind}:`"
    if kind == "domain":
        if problem is None and not _DOMAIN.match(value):
            problem = f"`{value}` is not a domain name"
        return Member(raw, kind, value, problem)
    if problem is None and not _EMAIL.match(value):
        problem = f"`{value}` is not an email address"
    if problem is None and kind == "serviceAccount":
        problem = service_account_problem(value.lower())
    return Member(raw, kind, value, problem)


def suggest_member(text: str) -> str | None:
    """The member a string without a known prefix most likely meant, in words (`user:a@b.com, or group:...`).

    An address alone gets the prefix its domain implies (`serviceAccount:` for `*.iam.gserviceaccount.com`,
    else `user:`, or `group:` for a Google group: only the directory knows which); a misspelled prefix (`usr:`,
    `groups:`) gets the closest one, whatever follows it; a domain alone gets `domain:`.
    """
    prefix, sep, value = text.partition(":")
    if sep and "@" not in prefix:
        by_fold = {kind.lower(): kind for kind in PREFIXES}
        close = difflib.get_close_matches(prefix.lower(), list(by_fold), n=1, cutoff=0.6)
        if value.lower().endswith(SERVICE_ACCOUNT_DOMAIN):
            return f"serviceAccount:{value}"
        return f"{by_fold[close[0]]}:{value}" if close else None
    if _EMAIL.match(text):
        if text.lower().endswith(SERVICE_ACCOUNT_DOMAIN):
            return f"serviceAccount:{text}"
        return f"user:{text}, or group:{text} for a Google group"
    if _DOMAIN.match(text):
        return f"domain:{text}"
    return None


def is_google_owned_project(project: str) -> bool:
    """A project Google runs its service agents in (`gcp-sa-aiplatform`, `compute-system`, ...)."""
    return any(project == p or (p.endswith("*") and project.startswith(p[:-1])) for p in GOOGLE_OWNED_PROJECTS)


def service_account_problem(email: str) -> str | None:
    """User-managed accounts (`name@project.iam.gserviceaccount.com`) only; the default accounts are
    recognised (and refused by their own rule); every other Google-managed account is refused here."""
    if email.endswith(DEFAULT_SERVICE_ACCOUNT_SUFFIXES):
        return None
    match = USER_MANAGED_SERVICE_ACCOUNT.match(email)
    if match is not None:
        if is_google_owned_project(match.group("project")) or _SERVICE_AGENT_ACCOUNT.match(match.group("account")):
            return "is a Google-managed service agent, which acts for a Google service, not for a team"
        return None
    if email.endswith("@cloudbuild.gserviceaccount.com"):
        return "is the legacy Cloud Build account, a Google-managed account every build in its project runs as"
    if GKE_POOL_SUFFIX in email:
        return "is a GKE workload identity, which no team stack grants"
    return (
        "is not a user-managed service account (name@project.iam.gserviceaccount.com): Google-managed accounts "
        "act for Google services, not for a team"
    )


def _parse_uri(raw: str, scheme: str, text: str) -> Member:
    spelled, path = text.split("://", 1)
    if spelled != scheme:
        return Member(raw, scheme, text, f"uses the scheme `{spelled}://`; IAM spells it `{scheme}://`")
    for pattern, workforce in ((_WORKLOAD, False), (_WORKFORCE, True)):
        match = pattern.match(text)
        if match:
            project = None if workforce else match.group("project")
            return _pool_member(raw, scheme, text, match.group("pool"), project, match.group("rest"))
    if "//" in path:
        return Member(raw, scheme, text, "has a doubled slash in its path (malformed paths are refused)")
    if not path.startswith(f"{IAM_HOST}/"):
        return Member(
            raw,
            scheme,
            text,
            "is not one identity or one attribute of a workload or workforce identity pool: it names principals "
            "outside a single IAM pool (organization-wide, project-wide and public principal sets are refused)",
        )
    return Member(
        raw,
        scheme,
        text,
        "is not one identity or one attribute of a workload or workforce identity pool (pools named without their "
        "project number, and malformed paths, are refused)",
    )


def _pool_member(raw: str, scheme: str, text: str, pool: str, project: str | None, rest: str) -> Member:
    workforce = project is None
    kind_of_pool = "workforce pool" if workforce else "workload identity pool"
    if not workforce and pool.endswith(GKE_POOL_SUFFIX):
        return Member(raw, scheme, text, "selects identities of a GKE cluster's pool, which no team stack grants")
    if scheme == "principalSet" and rest in {"*", ""}:
        # A whole pool: refused by the pool-wide rule, whose message says which pool.
        return Member(raw, scheme, text, None, FederatedPrincipal(pool, "all", workforce=workforce, project=project))
    head, _, value = rest.partition("/")
    if not _VALUE.match(value or ""):
        return Member(raw, scheme, text, f"has an empty, wildcard or malformed value after `{head}/`")
    if scheme == "principal":
        if head != "subject":
            return Member(raw, scheme, text, f"`principal://` selects by `subject/`, not `{head}/`")
        return Member(raw, scheme, text, None, FederatedPrincipal(pool, "subject", None, value, workforce, project))
    if head.startswith("attribute.") and _ATTRIBUTE_NAME.match(head[len("attribute.") :]):
        federated = FederatedPrincipal(pool, "attribute", head[len("attribute.") :], value, workforce, project)
        return Member(raw, scheme, text, None, federated)
    if head == "group" and workforce:
        return Member(raw, scheme, text, None, FederatedPrincipal(pool, "group", None, value, workforce, project))
    if head == "group":
        return Member(
            raw,
            scheme,
            text,
            "selects a group of a workload identity pool; CI providers assert no groups a pack can pin",
        )
    return Member(raw, scheme, text, f"selects `{head}` of {kind_of_pool} {pool}, which claude-vertex does not know")


def is_public(member: Member) -> bool:
    """`allUsers` (anyone on the internet) or `allAuthenticatedUsers` (anyone with a Google account)."""
    return member.kind in PUBLIC_PRINCIPALS


def is_default_service_account(member: Member) -> bool:
    """The Compute Engine (`N-compute@developer...`) or App Engine (`P@appspot...`) default account."""
    return member.kind == "serviceAccount" and member.value.lower().endswith(DEFAULT_SERVICE_ACCOUNT_SUFFIXES)


def parse_federated(member: Member) -> FederatedPrincipal | None:
    """The pool principal of a `principal://` / `principalSet://` member, else None."""
    return member.federated
