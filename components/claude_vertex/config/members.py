"""IAM members a stack file may name, parsed into one canonical form or refused.

The config reader accepts exactly the forms the policy pack accepts (`policies/claude_vertex_policies/members.py`
and its member rules at their defaults), so the program never renders a grant the pack would stop and never
refuses one it would let through: `tests/policies/test_member_parity.py` holds the two parsers against each other on a
generated corpus. Refused: public principals; every Google-managed account (the default accounts, the legacy
Cloud Build account, service agents, however Google names them); org-wide, pool-wide and cluster-wide principal
sets; pools named without their project number; workload identity attributes that do not name a repository or
project; prefixes in the wrong case; doubled slashes; wildcards; `deleted:` members; whitespace. A member that
parses is a *specific* principal: one person, one group, one user-managed service account, one Workspace domain,
or one subject / group / attribute value of a workforce pool, or one subject / repository or project attribute of
a workload identity pool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claude_vertex.config.base import Refusal

MEMBER_RULE = (
    "user:EMAIL, group:EMAIL, serviceAccount:NAME@PROJECT.iam.gserviceaccount.com, domain:DOMAIN, or one subject, "
    "group or attribute value of a workforce pool, or one subject or repository/project attribute of a workload "
    "identity pool (principal://iam.googleapis.com/..., principalSet://iam.googleapis.com/...)"
)

# The grammar, written as the pack writes it (same character classes, same lengths).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = rf"[A-Za-z0-9._%+'-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
_POOL_ID = r"[a-z0-9][a-z0-9.-]{2,61}[a-z0-9]"
_VALUE = r"[^/\s*]{1,127}(?:/[^/\s*]{1,127}){0,7}"
_ATTRIBUTE = r"[a-z_][a-z0-9_]{0,49}"
_WORKFORCE = rf"locations/global/workforcePools/(?P<pool>{_POOL_ID})"
_WORKLOAD = rf"projects/(?P<project>[0-9]{{1,20}})/locations/global/workloadIdentityPools/(?P<pool>{_POOL_ID})"
# Workload identity attributes that name a repository or project (GitHub's and GitLab's pinning claims, the
# pack's `pinningAttributes` default): any other CI claim (`ref`, `actor`, ...) is chosen by whoever runs the job.
WORKLOAD_ATTRIBUTES = (
    "namespace_id",
    "namespace_path",
    "project_id",
    "project_path",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
)

_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("user", re.compile(rf"^user:(?P<value>{_EMAIL})$")),
    ("group", re.compile(rf"^group:(?P<value>{_EMAIL})$")),
    ("serviceAccount", re.compile(rf"^serviceAccount:(?P<value>{_EMAIL})$")),
    ("domain", re.compile(rf"^domain:(?P<value>{_DOMAIN})$")),
    ("workforce subject", re.compile(rf"^principal://iam\.googleapis\.com/{_WORKFORCE}/subject/(?P<value>{_VALUE})$")),
    ("workforce group", re.compile(rf"^principalSet://iam\.googleapis\.com/{_WORKFORCE}/group/(?P<value>{_VALUE})$")),
    (
        "workforce attribute",
        re.compile(
            rf"^principalSet://iam\.googleapis\.com/{_WORKFORCE}/attribute\.(?P<attr>{_ATTRIBUTE})/(?P<value>{_VALUE})$"
        ),
    ),
    ("workload subject", re.compile(rf"^principal://iam\.googleapis\.com/{_WORKLOAD}/subject/(?P<value>{_VALUE})$")),
    (
        "workload attribute",
        re.compile(
            rf"^principalSet://iam\.googleapis\.com/{_WORKLOAD}/attribute\.(?P<attr>{_ATTRIBUTE})/(?P<value>{_VALUE})$"
        ),
    ),
)

_PUBLIC = {"allusers", "allauthenticatedusers"}
_PREFIXES = ("user", "group", "serviceAccount", "domain", "principal", "principalSet", "deleted")
# Only `name@project-id.iam.gserviceaccount.com` is an account a team made. Google's own accounts are refused
# whatever their form: the default Compute and App Engine accounts, the legacy Cloud Build account, and service
# agents, which Google names after a project, folder or organization number, in projects Google owns (and whose
# formats Google may change at any time).
_USER_MANAGED_SA = re.compile(
    r"^(?P<account>[a-z][a-z0-9-]{4,28}[a-z0-9])@(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$"
)
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


@dataclass(frozen=True)
class Member:
    """A parsed member: `kind` from the list above, `text` exactly as GCP spells it (the input)."""

    kind: str
    text: str
    pool: str | None = None

    @property
    def workforce(self) -> bool:
        return self.kind.startswith("workforce")

    @property
    def comparable(self) -> str:
        """Case-folded for the e-mail and domain forms, where GCP treats case as insignificant."""
        if self.kind in ("user", "group", "serviceAccount", "domain"):
            return self.text.lower()
        return self.text


def _google_managed(email: str) -> bool:
    match = _USER_MANAGED_SA.fullmatch(email.lower())
    if match is None:
        return True
    project = match.group("project")
    owned = any(project == p or (p.endswith("*") and project.startswith(p[:-1])) for p in GOOGLE_OWNED_PROJECTS)
    return owned or bool(_SERVICE_AGENT_ACCOUNT.match(match.group("account")))


def parse_member(key: str, value: object) -> Member:
    """The member as a specific principal, or a Refusal naming what is wrong with it."""
    if not isinstance(value, str):
        raise Refusal(key, value, f"must be a string; allowed: {MEMBER_RULE}")
    if value.lower() in _PUBLIC:
        raise Refusal(key, value, f"public principals are never granted; allowed: {MEMBER_RULE}")
    prefix, sep, _ = value.partition(":")
    if prefix == "deleted" and sep:
        raise Refusal(key, value, f"a deleted: member names an account that no longer exists; allowed: {MEMBER_RULE}")
    if sep and prefix.lower() in {p.lower() for p in _PREFIXES} and prefix not in _PREFIXES[:-1]:
        raise Refusal(key, value, f"the prefix must be spelled exactly as GCP does ({MEMBER_RULE})")
    if "//" in value.split("://", 1)[-1]:
        raise Refusal(key, value, f"doubled slash; allowed: {MEMBER_RULE}")
    if value.startswith("principalSet://") and not value.startswith("principalSet://iam.googleapis.com/"):
        raise Refusal(
            key,
            value,
            "principal sets outside a single IAM pool (e.g. every service account of an "
            f"organization) are never granted; allowed: {MEMBER_RULE}",
        )
    if re.search(r"/(?:workforcePools|workloadIdentityPools)/[^/]+/?\*?$", value):
        raise Refusal(
            key,
            value,
            f"a whole identity pool is never granted; name one subject, group or attribute value ({MEMBER_RULE})",
        )
    for kind, pattern in _FORMS:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        pool = match.groupdict().get("pool")
        if pool is not None and pool.endswith(".svc.id.goog"):
            raise Refusal(key, value, f"a GKE cluster's identity pool is never granted; allowed: {MEMBER_RULE}")
        if kind == "serviceAccount" and _google_managed(match.group("value")):
            raise Refusal(
                key,
                value,
                "Google-managed service accounts (default, legacy and service agents) are never granted: name a "
                "user-managed account NAME@PROJECT.iam.gserviceaccount.com, or create one in access.serviceAccounts",
            )
        attribute = match.groupdict().get("attr")
        if kind == "workload attribute" and attribute not in WORKLOAD_ATTRIBUTES:
            raise Refusal(
                key,
                value,
                f"attribute.{attribute} does not name a repository or project, so any identity of the pool could "
                f"carry it; use one of {', '.join(WORKLOAD_ATTRIBUTES)}, or one subject",
            )
        return Member(kind, value, pool)
    raise Refusal(key, value, f"allowed: {MEMBER_RULE}")
