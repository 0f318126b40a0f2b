"""IAM members a stack file may name, parsed into one canonical form or refused.

The config reader refuses exactly the forms the policy pack blocks, so the program never renders a grant the
pack would stop: public principals, default and legacy Google-managed accounts, org-wide or pool-wide
principal sets, cluster-wide Kubernetes sets, prefixes in the wrong case, doubled slashes. A member that
parses is a *specific* principal: one person, one group, one service account, one Workspace domain, or one
subject / group / attribute value of a workforce or workload identity pool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.config.base import Refusal

MEMBER_RULE = (
    "user:EMAIL, group:EMAIL, serviceAccount:EMAIL, domain:DOMAIN, or one subject, group or attribute value of a "
    "workforce or workload identity pool (principal://iam.googleapis.com/..., principalSet://iam.googleapis.com/...)"
)

_EMAIL = r"[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+"
_DOMAIN = r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+"
_POOL_ID = r"[a-z0-9][a-z0-9.-]{2,61}[a-z0-9]"
_VALUE = r"[^/\s]{1,127}(?:/[^/\s]{1,127}){0,7}"
_WORKFORCE = rf"locations/global/workforcePools/(?P<pool>{_POOL_ID})"
_WORKLOAD = rf"projects/(?P<project>[0-9]{{1,20}})/locations/global/workloadIdentityPools/(?P<pool>{_POOL_ID})"

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
            rf"^principalSet://iam\.googleapis\.com/{_WORKFORCE}/attribute\.(?P<attr>[a-z_][a-z0-9_]{{0,49}})/(?P<value>{_VALUE})$"
        ),
    ),
    ("workload subject", re.compile(rf"^principal://iam\.googleapis\.com/{_WORKLOAD}/subject/(?P<value>{_VALUE})$")),
    (
        "workload attribute",
        re.compile(
            rf"^principalSet://iam\.googleapis\.com/{_WORKLOAD}/attribute\.(?P<attr>[a-z_][a-z0-9_]{{0,49}})/(?P<value>{_VALUE})$"
        ),
    ),
)

_PUBLIC = {"allusers", "allauthenticatedusers"}
# Google-created accounts shared by every workload that names none of its own (and holding Editor by default),
# and Google's own service agents, which a team stack has no business granting.
_SHARED_ACCOUNTS = (
    re.compile(r"^[0-9]+-compute@developer\.gserviceaccount\.com$", re.I),
    re.compile(r"^[a-z0-9-]+@appspot\.gserviceaccount\.com$", re.I),
    re.compile(r"^[0-9]+@cloudbuild\.gserviceaccount\.com$", re.I),
    re.compile(r"^service-[0-9]+@.*\.iam\.gserviceaccount\.com$", re.I),
    re.compile(r"^[0-9]+@cloudservices\.gserviceaccount\.com$", re.I),
)
# Attributes that select a whole cluster or namespace of Kubernetes workloads, not one workload.
_BROAD_ATTRIBUTES = re.compile(r"^(kubernetes_|namespace$|cluster)")


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


def parse_member(key: str, value: object) -> Member:
    """The member as a specific principal, or a Refusal naming what is wrong with it."""
    if not isinstance(value, str):
        raise Refusal(key, value, f"must be a string; allowed: {MEMBER_RULE}")
    if value.lower() in _PUBLIC:
        raise Refusal(key, value, f"public principals are never granted; allowed: {MEMBER_RULE}")
    prefix, sep, _ = value.partition(":")
    if (
        sep
        and prefix.lower() in ("user", "group", "serviceaccount", "domain", "principal", "principalset")
        and (prefix not in ("user", "group", "serviceAccount", "domain", "principal", "principalSet"))
    ):
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
    if re.search(r"/workforcePools/[^/]+/\*$|/workloadIdentityPools/[^/]+/\*$", value):
        raise Refusal(
            key,
            value,
            f"a whole identity pool is never granted; name one subject, group or attribute value ({MEMBER_RULE})",
        )
    for kind, pattern in _FORMS:
        match = pattern.match(value)
        if match is None:
            continue
        if kind == "serviceAccount" and any(p.match(match.group("value")) for p in _SHARED_ACCOUNTS):
            raise Refusal(
                key,
                value,
                "default, legacy and Google-managed service accounts are never granted: "
                "create a dedicated account in access.serviceAccounts",
            )
        attribute = match.groupdict().get("attr")
        if attribute is not None and _BROAD_ATTRIBUTES.match(attribute):
            raise Refusal(
                key,
                value,
                f"attribute.{attribute} selects a whole cluster or namespace of workloads; "
                f"name one subject instead ({MEMBER_RULE})",
            )
        return Member(kind, value, match.groupdict().get("pool"))
    raise Refusal(key, value, f"allowed: {MEMBER_RULE}")
