"""Every IAM grant a resource makes, whatever the resource type.

The GCP provider has some 470 IAM resource types (`gcp:<module>/<thing>IamMember|IamBinding|IamPolicy`)
with the same three shapes: one `member`, a `members` list, or an authoritative `policyData` JSON
document. Reducing all of them to `Grant(role, member, scope)` lets each rule be written once and
still see grants hidden inside an `IAMPolicy`'s JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .values import UNKNOWN, is_unknown, known_str

# Scopes that matter for who-can-do-what: a grant on a project covers every resource in it, one on a
# folder or organization covers every project below, one on a service account covers that account only.
PROJECT, FOLDER, ORGANIZATION, SERVICE_ACCOUNT, RESOURCE = (
    "project",
    "folder",
    "organization",
    "service account",
    "resource",
)
_SCOPE_BY_MODULE = {
    "projects": PROJECT,
    "folder": FOLDER,
    "organizations": ORGANIZATION,
    "serviceaccount": SERVICE_ACCOUNT,
}
_TARGET_INPUT = {PROJECT: "project", FOLDER: "folder", ORGANIZATION: "orgId", SERVICE_ACCOUNT: "serviceAccountId"}

MEMBER, BINDING, POLICY = "member", "binding", "policy"


@dataclass(frozen=True)
class IamType:
    """What an IAM resource type grants: its scope and shape (`member`, `binding` or `policy`)."""

    scope: str
    shape: str


def iam_type(type_token: str) -> IamType | None:
    """Classify a `gcp:` type token as an IAM grant resource, or None if it grants nothing."""
    if not type_token.startswith("gcp:"):
        return None
    module_and_name, _, name = type_token[len("gcp:") :].rpartition(":")
    module = module_and_name.split("/", 1)[0]
    lowered = name.lower()
    for suffix, shape in (("iammember", MEMBER), ("iambinding", BINDING), ("iampolicy", POLICY)):
        if lowered.endswith(suffix):
            return IamType(_SCOPE_BY_MODULE.get(module, RESOURCE), shape)
    return None


@dataclass(frozen=True)
class Grant:
    """One (role, member) pair; either may be the unknown sentinel during preview."""

    role: str
    member: str
    scope: str
    shape: str
    target: str | None = None
    conditional: bool = False

    @property
    def where(self) -> str:
        """`project 'acme-dev'` for messages; the target is omitted when unknown."""
        return f"{self.scope} '{self.target}'" if self.target else self.scope


@dataclass(frozen=True)
class GrantSet:
    """The grants of one resource, plus what could not be read (e.g. policyData that is not JSON)."""

    iam: IamType | None
    grants: tuple[Grant, ...] = ()
    errors: tuple[str, ...] = ()
    unknown_policy: bool = False


def grants_of(type_token: str, props: dict[str, Any]) -> GrantSet:
    """All grants a resource makes; an empty set for non-IAM resources."""
    kind = iam_type(type_token)
    if kind is None:
        return GrantSet(None)
    target_input = _TARGET_INPUT.get(kind.scope)
    target = known_str(props.get(target_input)) if target_input else None
    if kind.shape == POLICY:
        return _policy_grants(kind, props.get("policyData"), target)
    role = props.get("role")
    role = role if isinstance(role, str) else UNKNOWN if is_unknown(role) else ""
    conditional = bool(props.get("condition"))
    if kind.shape == MEMBER:
        member = props.get("member")
        members = [member] if isinstance(member, str) else []
    else:
        raw = props.get("members")
        members = [UNKNOWN] if is_unknown(raw) else [m for m in raw or [] if isinstance(m, str)]
    grants = tuple(Grant(role, m, kind.scope, kind.shape, target, conditional) for m in members)
    return GrantSet(kind, grants)


def _policy_grants(kind: IamType, policy_data: Any, target: str | None) -> GrantSet:
    """Bindings inside an authoritative policy document (`{"bindings": [{"role", "members"}]}`)."""
    if policy_data is None or is_unknown(policy_data):
        return GrantSet(kind, unknown_policy=is_unknown(policy_data))
    try:
        document = json.loads(policy_data) if isinstance(policy_data, str) else policy_data
    except json.JSONDecodeError as error:
        return GrantSet(
            kind, errors=(f"policyData is not valid JSON ({error.msg}), so its bindings cannot be checked",)
        )
    if not isinstance(document, dict):
        return GrantSet(kind, errors=("policyData is not a JSON object with a `bindings` list",))
    grants: list[Grant] = []
    for binding in document.get("bindings") or []:
        if not isinstance(binding, dict):
            continue
        role = binding.get("role") if isinstance(binding.get("role"), str) else ""
        conditional = bool(binding.get("condition"))
        for member in binding.get("members") or []:
            if isinstance(member, str):
                grants.append(Grant(role, member, kind.scope, POLICY, target, conditional))
    return GrantSet(kind, tuple(grants))
