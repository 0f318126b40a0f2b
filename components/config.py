"""Typed, validated stack configuration: the one module that knows the config keys.

Every rule lives here so that a bad `Pulumi.<team>.yaml` is refused before a single resource is
registered, with one line that names the key, the bad value and what is allowed. `ConfigError`
subclasses `pulumi.RunError`, which the Pulumi language host prints without a traceback; the offline
preview catches it and exits 2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi
from pulumi.runtime.config import CONFIG, get_config, get_config_env

NAMESPACE = "claude-vertex"
TOP_LEVEL_KEYS = ("team", "project", "vertex", "access", "ci")

PREDICT = "aiplatform.endpoints.predict"
COMPUTE_TOKENS = "aiplatform.endpoints.computeTokens"
ALLOWED_PERMISSIONS = (PREDICT, COMPUTE_TOKENS)
DEFAULT_PERMISSIONS = ALLOWED_PERMISSIONS

RESERVED_LABELS = ("team", "managed-by")
PUBLIC_PRINCIPALS = ("allUsers", "allAuthenticatedUsers")
DEFAULT_GITLAB_ISSUER = "https://gitlab.com"

TEAM_RE = re.compile(r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")
PROJECT_ID_RE = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
PROJECT_NAME_RE = re.compile(r"^[A-Za-z0-9'\" !-]{4,30}$")
BILLING_RE = re.compile(r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$")
NUMERIC_ID_RE = re.compile(r"^[0-9]{1,20}$")
LABEL_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE_RE = re.compile(r"^[a-z0-9_-]{0,63}$")
REGION_RE = re.compile(r"^(global|us|eu|[a-z]+(-[a-z]+)+[0-9]+)$")
MODEL_KEY_RE = re.compile(r"^CLAUDE_[A-Z0-9]+(_[A-Z0-9]+)*$")
MODEL_ID_RE = re.compile(r"^claude-[a-z0-9]+(-[a-z0-9]+)*(@[0-9]{8})?$")
SERVICE_ACCOUNT_ID_RE = re.compile(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")
ROLE_ID_RE = re.compile(r"^[A-Za-z0-9_.]{3,64}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DOMAIN_RE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
PRINCIPAL_RE = re.compile(r"^principal(Set)?://iam\.googleapis\.com/\S+$")
GITHUB_REPO_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
GITLAB_PROJECT_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$")
HTTPS_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$")
POOL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,30}[a-z0-9]$")

MEMBER_RULE = (
    "user:EMAIL, group:EMAIL, serviceAccount:EMAIL, domain:DOMAIN, principal://... or principalSet://... "
    "(never allUsers / allAuthenticatedUsers)"
)


class ConfigError(pulumi.RunError):
    """A stack config value that cannot be deployed; its message is the whole, one-line explanation."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"invalid config {NAMESPACE}:{key}: {_show(value)} — {allowed}")


def find_config_error(err: BaseException) -> ConfigError | None:
    """The ConfigError behind an exception, even one raised inside an Output's apply and re-wrapped."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, ConfigError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _show(value: Any) -> str:
    """Render a bad value on one line, as the user would have typed it."""
    if value is _MISSING:
        return "(missing)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


_MISSING = object()
T = TypeVar("T")


@dataclass(frozen=True)
class ProjectConfig:
    id: str
    create: bool
    name: str
    billing_account: str | None
    folder_id: str | None
    org_id: str | None
    labels: Mapping[str, str]
    deletion_protection: bool


@dataclass(frozen=True)
class VertexConfig:
    region: str
    region_overrides: Mapping[str, str]
    primary_model: str | None
    small_fast_model: str | None
    disable_prompt_caching: bool


@dataclass(frozen=True)
class ServiceAccountConfig:
    id: str
    display_name: str
    description: str
    impersonators: tuple[str, ...]


@dataclass(frozen=True)
class AccessConfig:
    permissions: tuple[str, ...]
    verify_permissions: bool
    role_id: str
    members: tuple[str, ...]
    service_accounts: tuple[ServiceAccountConfig, ...]


@dataclass(frozen=True)
class GitHubCiConfig:
    repositories: tuple[str, ...]


@dataclass(frozen=True)
class GitLabCiConfig:
    projects: tuple[str, ...]
    issuer_uri: str


@dataclass(frozen=True)
class CiConfig:
    pool_id: str
    service_account_id: str
    github: GitHubCiConfig | None
    gitlab: GitLabCiConfig | None


@dataclass(frozen=True)
class StackConfig:
    team: str
    project: ProjectConfig
    vertex: VertexConfig
    access: AccessConfig
    ci: CiConfig | None


class _Section:
    """A config object being read: tracks the dotted key path and refuses keys nobody reads (typos)."""

    def __init__(self, key: str, raw: Any, allowed_keys: tuple[str, ...]) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(key, raw, f"must be an object with keys {', '.join(allowed_keys)}")
        unknown = sorted(set(raw) - set(allowed_keys))
        if unknown:
            raise ConfigError(
                f"{key}.{unknown[0]}", raw[unknown[0]], f"unknown key; allowed keys: {', '.join(allowed_keys)}"
            )
        self.key = key
        self.raw = raw

    def path(self, name: str) -> str:
        return f"{self.key}.{name}"

    def get(self, name: str, default: Any = _MISSING) -> Any:
        value = self.raw.get(name, _MISSING)
        if value is _MISSING or value is None:
            return default
        return value

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def string(self, name: str, rule: re.Pattern[str] | None, allowed: str, default: Any = _MISSING) -> Any:
        value = self.get(name, default)
        if value is _MISSING:
            raise ConfigError(self.path(name), value, f"required; {allowed}")
        if value is default:
            return value
        return _check_string(self.path(name), value, rule, allowed)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(self.path(name), value, "must be true or false")
        return value

    def string_list(self, name: str, check: Callable[[str, Any], T], default: tuple[T, ...] = ()) -> tuple[T, ...]:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            return default
        if not isinstance(value, list):
            raise ConfigError(self.path(name), value, "must be a list")
        items = tuple(check(f"{self.path(name)}[{i}]", item) for i, item in enumerate(value))
        _refuse_duplicates(self.path(name), items)
        return items


def _check_string(key: str, value: Any, rule: re.Pattern[str] | None, allowed: str) -> str:
    # YAML turns unquoted numeric IDs into integers; an ID is still an ID.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (rule is not None and not rule.fullmatch(value)):
        raise ConfigError(key, value, allowed)
    return value


def _refuse_duplicates(key: str, items: tuple[Any, ...]) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item in seen:
            raise ConfigError(f"{key}[{i}]", item, "duplicate entry; each value may appear once")
        seen.add(item)


def check_member(key: str, value: Any) -> str:
    """An IAM principal as GCP spells it, refusing the public ones outright."""
    if isinstance(value, str) and value in PUBLIC_PRINCIPALS:
        raise ConfigError(key, value, f"public principals are never granted; allowed: {MEMBER_RULE}")
    if not isinstance(value, str):
        raise ConfigError(key, value, f"must be a string; allowed: {MEMBER_RULE}")
    kind, _, rest = value.partition(":")
    valid = (
        (kind in ("user", "group", "serviceAccount") and EMAIL_RE.fullmatch(rest) is not None)
        or (kind == "domain" and DOMAIN_RE.fullmatch(rest) is not None)
        or PRINCIPAL_RE.fullmatch(value) is not None
    )
    if not valid:
        raise ConfigError(key, value, f"allowed: {MEMBER_RULE}")
    return value


def _check_permission(key: str, value: Any) -> str:
    return _check_string(
        key,
        value,
        re.compile("|".join(re.escape(p) for p in ALLOWED_PERMISSIONS)),
        f"allowed permissions: {', '.join(ALLOWED_PERMISSIONS)}",
    )


def _check_region(key: str, value: Any) -> str:
    return _check_string(key, value, REGION_RE, "allowed: global, us, eu or a GCP region such as us-east5")


def _check_labels(key: str, raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(key, raw, "must be an object of label key to value")
    if len(raw) + len(RESERVED_LABELS) > 64:
        raise ConfigError(key, len(raw), f"at most {64 - len(RESERVED_LABELS)} labels (GCP allows 64)")
    labels: dict[str, str] = {}
    for name, value in raw.items():
        if name in RESERVED_LABELS:
            raise ConfigError(f"{key}.{name}", value, "reserved: claude-vertex sets team and managed-by itself")
        _check_string(
            f"{key}.{name}",
            name,
            LABEL_KEY_RE,
            "label keys: 1-63 lowercase letters, digits, _ or -, starting with a letter",
        )
        labels[name] = _check_string(
            f"{key}.{name}", value, LABEL_VALUE_RE, "label values: 0-63 lowercase letters, digits, _ or -"
        )
    return labels


def _parse_project(team: str, raw: Any) -> ProjectConfig:
    s = _Section(
        "project",
        raw,
        ("id", "create", "name", "billingAccount", "folderId", "orgId", "labels", "deletionProtection"),
    )
    if not s.raw:
        raise ConfigError("project", raw, "required; at least project.id")
    project_id = s.string(
        "id",
        PROJECT_ID_RE,
        "GCP project IDs are 6-30 lowercase letters, digits or hyphens, start with a letter, no trailing hyphen",
    )
    create = s.boolean("create", True)
    if not create:
        for name in ("name", "billingAccount", "folderId", "orgId", "labels", "deletionProtection"):
            if s.has(name):
                raise ConfigError(
                    s.path(name),
                    s.get(name),
                    "only applies when project.create is true; an adopted project is not modified",
                )
    default_name = f"Claude Code {team}"[:30].rstrip()
    name = s.string(
        "name",
        PROJECT_NAME_RE,
        "4-30 letters, digits, spaces, hyphens, quotes or exclamation points (GCP display-name rules)",
        default=default_name,
    )
    billing = s.string(
        "billingAccount", BILLING_RE, "a billing account ID: XXXXXX-XXXXXX-XXXXXX, upper-case hex", default=None
    )
    if create and billing is None:
        raise ConfigError(
            s.path("billingAccount"),
            _MISSING,
            "required when project.create is true (XXXXXX-XXXXXX-XXXXXX); set create: false to adopt a project",
        )
    folder_id = s.string("folderId", NUMERIC_ID_RE, 'a numeric folder ID such as "123456789012"', default=None)
    org_id = s.string("orgId", NUMERIC_ID_RE, 'a numeric organization ID such as "123456789012"', default=None)
    if folder_id is not None and org_id is not None:
        raise ConfigError(s.path("orgId"), org_id, "set at most one of project.folderId and project.orgId")
    return ProjectConfig(
        id=project_id,
        create=create,
        name=name,
        billing_account=billing,
        folder_id=folder_id,
        org_id=org_id,
        labels=_check_labels(s.path("labels"), s.get("labels", None)),
        deletion_protection=s.boolean("deletionProtection", True),
    )


def _parse_vertex(raw: Any) -> VertexConfig:
    s = _Section("vertex", raw, ("region", "regionOverrides", "primaryModel", "smallFastModel", "disablePromptCaching"))
    overrides_raw = s.get("regionOverrides", {})
    if not isinstance(overrides_raw, Mapping):
        raise ConfigError(s.path("regionOverrides"), overrides_raw, "must be an object of MODEL_KEY: region")
    overrides: dict[str, str] = {}
    for model_key, region in sorted(overrides_raw.items()):
        key = f"{s.path('regionOverrides')}.{model_key}"
        _check_string(
            key,
            model_key,
            MODEL_KEY_RE,
            "override keys are upper-case model keys such as CLAUDE_HAIKU_4_5 (-> VERTEX_REGION_CLAUDE_HAIKU_4_5)",
        )
        overrides[model_key] = _check_region(key, region)
    model_rule = "a Vertex Claude model ID such as claude-sonnet-4-5@20250929"
    return VertexConfig(
        region=s.string(
            "region", REGION_RE, "allowed: global, us, eu or a GCP region such as us-east5", default="global"
        ),
        region_overrides=overrides,
        primary_model=s.string("primaryModel", MODEL_ID_RE, model_rule, default=None),
        small_fast_model=s.string("smallFastModel", MODEL_ID_RE, model_rule, default=None),
        disable_prompt_caching=s.boolean("disablePromptCaching", False),
    )


def default_role_id(team: str) -> str:
    """`claudeVertex` + the team in CamelCase: stable, readable in the console, and valid as a role ID."""
    return "claudeVertex" + "".join(part.capitalize() for part in team.split("-"))


def _parse_service_account(key: str, raw: Any) -> ServiceAccountConfig:
    s = _Section(key, raw, ("id", "displayName", "description", "impersonators"))
    sa_id = s.string(
        "id",
        SERVICE_ACCOUNT_ID_RE,
        "service account IDs are 6-30 characters: lowercase letters, digits, hyphens, [a-z]([-a-z0-9]*[a-z0-9])",
    )
    display_name = s.get("displayName", sa_id)
    if not isinstance(display_name, str) or not 1 <= len(display_name) <= 100:
        raise ConfigError(s.path("displayName"), display_name, "a string of 1-100 characters")
    description = s.get("description", f"Claude Code on Vertex AI: {sa_id}")
    if not isinstance(description, str) or len(description) > 256:
        raise ConfigError(s.path("description"), description, "a string of at most 256 characters")
    return ServiceAccountConfig(
        id=sa_id,
        display_name=display_name,
        description=description,
        impersonators=s.string_list("impersonators", check_member),
    )


def _parse_access(team: str, raw: Any) -> AccessConfig:
    s = _Section("access", raw, ("permissions", "verifyPermissions", "roleId", "members", "serviceAccounts"))
    permissions = s.string_list("permissions", _check_permission, DEFAULT_PERMISSIONS)
    if PREDICT not in permissions:
        raise ConfigError(
            s.path("permissions"),
            list(permissions),
            f"must include {PREDICT}: Claude Code cannot call a model without it",
        )
    accounts_raw = s.get("serviceAccounts", [])
    if not isinstance(accounts_raw, list):
        raise ConfigError(s.path("serviceAccounts"), accounts_raw, "must be a list of {id, displayName, impersonators}")
    accounts = tuple(
        _parse_service_account(f"{s.path('serviceAccounts')}[{i}]", item) for i, item in enumerate(accounts_raw)
    )
    _refuse_duplicates(f"{s.path('serviceAccounts')}.id", tuple(a.id for a in accounts))
    return AccessConfig(
        permissions=permissions,
        verify_permissions=s.boolean("verifyPermissions", True),
        role_id=s.string(
            "roleId", ROLE_ID_RE, "3-64 letters, digits, underscores or periods", default=default_role_id(team)
        ),
        members=s.string_list("members", check_member),
        service_accounts=accounts,
    )


def _check_github_repo(key: str, value: Any) -> str:
    return _check_string(key, value, GITHUB_REPO_RE, "a GitHub repository as owner/name, exactly (no wildcards)")


def _check_gitlab_project(key: str, value: Any) -> str:
    return _check_string(key, value, GITLAB_PROJECT_RE, "a GitLab project path as group[/subgroup]/project")


def _parse_ci(team: str, raw: Any, access: AccessConfig) -> CiConfig | None:
    if raw is None:
        return None
    s = _Section("ci", raw, ("github", "gitlab", "poolId", "serviceAccountId"))
    github = gitlab = None
    if s.has("github"):
        g = _Section(s.path("github"), s.get("github"), ("repositories",))
        repos = g.string_list("repositories", _check_github_repo)
        if not repos:
            raise ConfigError(
                g.path("repositories"),
                g.get("repositories", _MISSING),
                "required: at least one owner/name that may use the CI identity",
            )
        github = GitHubCiConfig(repositories=repos)
    if s.has("gitlab"):
        g = _Section(s.path("gitlab"), s.get("gitlab"), ("projects", "issuerUri"))
        projects = g.string_list("projects", _check_gitlab_project)
        if not projects:
            raise ConfigError(
                g.path("projects"),
                g.get("projects", _MISSING),
                "required: at least one group/project path that may use the CI identity",
            )
        gitlab = GitLabCiConfig(
            projects=projects,
            issuer_uri=g.string(
                "issuerUri", HTTPS_URL_RE, "an https:// URL of the GitLab instance", default=DEFAULT_GITLAB_ISSUER
            ).rstrip("/"),
        )
    if github is None and gitlab is None:
        raise ConfigError("ci", raw, "needs ci.github.repositories and/or ci.gitlab.projects (or remove ci)")
    sa_id = s.string(
        "serviceAccountId",
        SERVICE_ACCOUNT_ID_RE,
        "service account IDs are 6-30 characters: lowercase letters, digits, hyphens",
        default=f"claude-ci-{team}"[:30].rstrip("-"),
    )
    if sa_id in {a.id for a in access.service_accounts}:
        raise ConfigError(s.path("serviceAccountId"), sa_id, "must differ from every access.serviceAccounts id")
    return CiConfig(
        pool_id=s.string(
            "poolId", POOL_ID_RE, "4-32 lowercase letters, digits or hyphens", default=f"claude-{team}"[:32].rstrip("-")
        ),
        service_account_id=sa_id,
        github=github,
        gitlab=gitlab,
    )


def parse_config(raw: Mapping[str, Any]) -> StackConfig:
    """Validate the whole stack config (keys without the namespace) into typed, immutable values."""
    unknown = sorted(set(raw) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError(unknown[0], raw[unknown[0]], f"unknown key; allowed keys: {', '.join(TOP_LEVEL_KEYS)}")
    team = raw.get("team", _MISSING)
    if team is _MISSING or team is None:
        raise ConfigError("team", _MISSING, "required: the team's short name, e.g. payments")
    team = _check_string(
        "team",
        team,
        TEAM_RE,
        "2-20 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen",
    )
    access = _parse_access(team, raw.get("access"))
    return StackConfig(
        team=team,
        project=_parse_project(team, raw.get("project")),
        vertex=_parse_vertex(raw.get("vertex")),
        access=access,
        ci=_parse_ci(team, raw.get("ci"), access),
    )


def load_stack_config() -> StackConfig:
    """Read every `claude-vertex:*` key the engine passed (typos included) and validate them."""
    raw = {key: _decode(key, get_config(f"{NAMESPACE}:{key}")) for key in _namespace_keys()}
    return parse_config(raw)


def _namespace_keys() -> list[str]:
    """All keys set under our namespace, whether the engine passed them in-process or via PULUMI_CONFIG."""
    prefix = f"{NAMESPACE}:"
    keys = set(CONFIG.get()) | set(get_config_env())
    return sorted(k[len(prefix) :] for k in keys if k.startswith(prefix))


def _decode(key: str, text: Any) -> Any:
    """Structured values arrive JSON-encoded strings; a plain string (team) arrives as itself."""
    if not isinstance(text, str) or key == "team":
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if key in TOP_LEVEL_KEYS:
            raise ConfigError(key, text, "must be a YAML object (structured config), not a plain string") from None
        return text
