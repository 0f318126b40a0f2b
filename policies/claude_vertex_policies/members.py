"""IAM principal identifiers (`user:`, `serviceAccount:`, `principalSet://`, ...) parsed once.

Every member-based rule (public principals, default service accounts, domains, pool-wide federation)
reads the same parse, so `deleted:` prefixes, `?uid=` suffixes and letter case are handled in one
place instead of slightly differently in each rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PUBLIC_PRINCIPALS = frozenset({"allusers", "allauthenticatedusers"})

# The Compute Engine and App Engine default service accounts: created by Google with Editor on the
# project, shared by every workload that does not name its own account.
_DEFAULT_SA_SUFFIXES = ("-compute@developer.gserviceaccount.com", "@appspot.gserviceaccount.com")

_WIF = re.compile(
    r"^(?P<scheme>principal|principalSet)://iam\.googleapis\.com/"
    r"projects/(?P<project>[^/]+)/locations/global/workloadIdentityPools/(?P<pool>[^/]+)/(?P<rest>.*)$"
)


@dataclass(frozen=True)
class Member:
    """One IAM member: `kind` is the prefix (`user`, `group`, `serviceAccount`, `domain`,
    `allUsers`, `allAuthenticatedUsers`, `principal`, `principalSet`, or `other`)."""

    raw: str
    kind: str
    value: str

    @property
    def domain(self) -> str | None:
        """The email or Workspace domain, lower-cased; None for principals without one."""
        if self.kind == "domain":
            return self.value.lower()
        if self.kind in {"user", "group", "serviceAccount"} and "@" in self.value:
            return self.value.rsplit("@", 1)[1].lower()
        return None


def parse_member(raw: str) -> Member:
    """Split `kind:value`; `deleted:` wrappers and `?uid=` suffixes are reduced to the principal."""
    text = raw.strip()
    if text.startswith("deleted:"):
        text = text[len("deleted:") :].split("?uid=", 1)[0]
    if text.lower() in PUBLIC_PRINCIPALS:
        return Member(raw, "allUsers" if text.lower() == "allusers" else "allAuthenticatedUsers", text)
    for scheme in ("principalSet", "principal"):
        if text.startswith(scheme + "://"):
            return Member(raw, scheme, text)
    kind, sep, value = text.partition(":")
    if sep and kind in {"user", "group", "serviceAccount", "domain"}:
        return Member(raw, kind, value)
    return Member(raw, "other", text)


def is_public(member: Member) -> bool:
    """`allUsers` (anyone on the internet) or `allAuthenticatedUsers` (anyone with a Google account)."""
    return member.kind in {"allUsers", "allAuthenticatedUsers"}


def is_default_service_account(member: Member) -> bool:
    """The Compute Engine (`N-compute@developer...`) or App Engine (`P@appspot...`) default account."""
    return member.kind == "serviceAccount" and member.value.lower().endswith(_DEFAULT_SA_SUFFIXES)


@dataclass(frozen=True)
class FederatedPrincipal:
    """A workload identity pool principal: `selector` is `all` (`/*`), `attribute`, `group` or `subject`."""

    pool: str
    selector: str
    attribute: str | None = None
    value: str | None = None


def parse_federated(member: Member) -> FederatedPrincipal | None:
    """Parse `principal://` / `principalSet://` members of a workload identity pool, else None."""
    if member.kind not in {"principal", "principalSet"}:
        return None
    match = _WIF.match(member.value)
    if match is None:
        return None
    pool, rest = match.group("pool"), match.group("rest")
    if match.group("scheme") == "principal":
        kind, _, value = rest.partition("/")
        return FederatedPrincipal(pool, "subject" if kind == "subject" else kind, None, value)
    if rest in {"*", ""}:
        return FederatedPrincipal(pool, "all")
    head, _, value = rest.partition("/")
    if head.startswith("attribute."):
        return FederatedPrincipal(pool, "attribute", head[len("attribute.") :], value)
    if head == "group":
        return FederatedPrincipal(pool, "group", None, value)
    return FederatedPrincipal(pool, head, None, value)
