"""`claude-vertex:access`: the minimal role, who holds it, and the team's service accounts."""

from __future__ import annotations

from typing import Any

from claude_vertex_gcp.iam import CLAUDE_CODE_PERMISSIONS, PREDICT, TOKEN_CREATOR
from claude_vertex_gcp.names import SERVICE_ACCOUNT_ID, service_account_email, team_role_id
from pydantic import ValidationInfo, field_validator, model_validator

from claude_vertex.config.base import MISSING, Flag, Refusal, Section, Text, key, refuse_duplicates
from claude_vertex.config.members import MEMBER_RULE, parse_member, workforce_pool
from claude_vertex.config.project import team_of

DEFAULT_PERMISSIONS = CLAUDE_CODE_PERMISSIONS
MAX_PRINCIPALS = 1500
"""An IAM allow policy holds at most 1,500 principals (the project's, and each service account's own)."""
SERVICE_ACCOUNT_ID_PATTERN = rf"^{SERVICE_ACCOUNT_ID}$"
SERVICE_ACCOUNT_ID_RULE = (
    "service account IDs are 6-30 characters: lowercase letters, digits, hyphens, [a-z]([-a-z0-9]*[a-z0-9])"
)


def default_role_id(team: str) -> str:
    """`claudeVertex` + the team in CamelCase: stable, readable in the console, and valid as a role ID."""
    return team_role_id(team)


def check_members(key_path: str, values: tuple[Any, ...]) -> tuple[str, ...]:
    """Every member parsed into a specific principal; duplicates (also up to case) refused."""
    parsed = [parse_member(f"{key_path}[{i}]", v) for i, v in enumerate(values)]
    seen: dict[str, int] = {}
    for index, member in enumerate(parsed):
        if member.canonical in seen:
            raise Refusal(
                f"{key_path}[{index}]",
                member.raw,
                "duplicate entry; each value may appear once (case is not significant in e-mail addresses)",
            )
        seen[member.canonical] = index
    return tuple(m.raw for m in parsed)


def _byte_limit(value: str, limit: int, what: str) -> str:
    if len(value.encode("utf-8")) > limit:
        raise Refusal("", value, f"{what}: at most {limit} bytes (GCP's limit), got {len(value.encode('utf-8'))}")
    return value


class ServiceAccountConfig(Section):
    """One service account of the team."""

    id: Text = key(
        allowed=SERVICE_ACCOUNT_ID_RULE,
        doc="6-30, `[a-z]([-a-z0-9]*[a-z0-9])`, unique.",
        pattern=SERVICE_ACCOUNT_ID_PATTERN,
    )
    display_name: Text = key(
        None, allowed="a string of 1-100 bytes", doc="Display name, at most 100 bytes.", default_text="the id"
    )
    description: Text = key(
        None,
        allowed="a string of at most 256 bytes",
        doc="Description, at most 256 bytes.",
        default_text="Claude Code on Vertex AI: <id>",
    )
    impersonators: tuple[Text, ...] = key(
        (),
        allowed=MEMBER_RULE,
        doc=f"Members that get `{TOKEN_CREATOR}` on this account only, never on the project "
        "(at most 1,500: the account's own IAM policy limit).",
        max_length=MAX_PRINCIPALS,
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = cls.given(data)
            sa_id = data.get("id")
            if isinstance(sa_id, str):
                data.setdefault("displayName", sa_id)
                data.setdefault("description", f"Claude Code on Vertex AI: {sa_id}")
        return data

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        if not value:
            raise Refusal("", value, "a string of 1-100 bytes")
        return _byte_limit(value, 100, "display names")

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return _byte_limit(value, 256, "descriptions")

    @field_validator("impersonators")
    @classmethod
    def _impersonators(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return check_members("", values)


class AccessConfig(Section):
    """Who may call Claude in the team's project: a custom role holding only the permissions below, granted with
    non-authoritative `IAMMember`s (two teams can share a project).

    GCP soft-deletes a custom role: for 7 days it can be undeleted, and its ID stays reserved for 37. The role is
    replaced delete-first, a stack re-created within 7 days gets its role back (the provider undeletes it), and
    between day 7 and day 37 a new `roleId` (for example `claudeVertexPaymentsV2`) gets past the reservation."""

    permissions: tuple[Text, ...] = key(
        DEFAULT_PERMISSIONS,
        allowed=f"allowed permissions: {', '.join(CLAUDE_CODE_PERMISSIONS)}",
        doc="The custom role's permissions. Current Claude Code needs only `aiplatform.endpoints.predict` (it counts "
        "tokens with it too); `computeTokens` is kept by default as the project brief asks, and dropped with a warning "
        "where custom roles cannot hold it. `predict` is required.",
    )
    verify_permissions: Flag = key(
        True,
        allowed="must be true or false",
        doc="Before creating the role, ask GCP which permissions custom roles may hold where the project lives "
        "(`gcp.iam.getTestablePermissions` on the adopted project, or on the folder of a new one).",
    )
    role_id: Text = key(
        None,
        allowed="3-64 letters, digits, underscores or periods",
        doc="Change it only to recover from the custom-role ID reservation (37 days after a delete).",
        pattern=r"^[A-Za-z0-9_.]{3,64}$",
        default_text="claudeVertex<Team>",
    )
    members: tuple[Text, ...] = key(
        (),
        allowed=MEMBER_RULE,
        doc="Principals granted the role on the project: `user:`, `group:`, `serviceAccount:`, `domain:`, or one "
        "subject, group or attribute value of a workforce (corporate identities) or workload identity pool. Public, "
        "default and Google-managed accounts, whole pools and organization-wide sets are refused; no duplicates, "
        "also up to case. Prefer groups.",
    )
    service_accounts: tuple[ServiceAccountConfig, ...] = key(
        (),
        allowed="a list of {id, displayName, description, impersonators}",
        doc="Accounts created in the project and granted the role (agents, automation). No keys, ever.",
    )
    workforce_provider: Text | None = key(
        None,
        allowed="a workforce pool provider ID: 4-32 lowercase letters, digits or hyphens",
        doc="The workforce pool provider developers sign in through (Okta, Entra ID, ...). Required when `members` or "
        "`impersonators` name workforce principals: the `gcloudAuth` output then carries the exact login commands "
        "(docs/corporate-identities.md).",
        pattern=r"^[a-z0-9][a-z0-9-]{2,30}[a-z0-9]$",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict):
            data = cls.given(data)
            data.setdefault("roleId", default_role_id(team_of(info)))
        return data

    @field_validator("permissions")
    @classmethod
    def _permissions(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for index, value in enumerate(values):
            if value not in CLAUDE_CODE_PERMISSIONS:
                raise Refusal(f"[{index}]", value, f"allowed permissions: {', '.join(CLAUDE_CODE_PERMISSIONS)}")
        refuse_duplicates("", values)
        if PREDICT not in values:
            raise Refusal("", list(values), f"must include {PREDICT}: Claude Code cannot call a model without it")
        return values

    @field_validator("members")
    @classmethod
    def _members(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return check_members("", values)

    @model_validator(mode="after")
    def _accounts(self) -> AccessConfig:
        refuse_duplicates("serviceAccounts.id", tuple(a.id for a in self.service_accounts))
        if self.workforce_pools() and self.workforce_provider is None:
            raise Refusal(
                "workforceProvider",
                MISSING,
                "required when workforce principals are granted: the provider ID developers sign in through",
            )
        # The project's allow policy holds the members and the stack's accounts (the CI account is checked with
        # its section); each account's own policy holds its impersonators.
        principals = len(self.members) + len(self.service_accounts)
        if principals > MAX_PRINCIPALS - 1:
            raise Refusal(
                "members",
                principals,
                f"members and serviceAccounts together at most {MAX_PRINCIPALS - 1}: the project's IAM policy holds "
                f"at most {MAX_PRINCIPALS} principals (GCP's limit) and the CI account may need one",
            )
        return self

    def workforce_pools(self) -> tuple[str, ...]:
        """The workforce pools whose principals this stack grants, in first-seen order."""
        members = (*self.members, *(m for a in self.service_accounts for m in a.impersonators))
        parsed = (parse_member("", m) for m in members)
        return tuple(dict.fromkeys(pool for m in parsed if (pool := workforce_pool(m))))

    def own_account_members(self, project_id: str) -> dict[str, str]:
        """`serviceAccount:<email>` of every account this stack creates, by account ID."""
        return {a.id: f"serviceAccount:{service_account_email(a.id, project_id)}" for a in self.service_accounts}
