"""The whole stack file: every section, the checks that span sections, and reading it from the engine."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from pulumi.runtime.config import CONFIG, get_config, get_config_env
from pydantic import PrivateAttr, ValidationInfo, model_validator

from claude_vertex.config.access import AccessConfig
from claude_vertex.config.base import NAMESPACE, ConfigError, Refusal, Section, Text, key, validate_section
from claude_vertex.config.behind_gateway import BehindGatewayConfig
from claude_vertex.config.ci import CiConfig
from claude_vertex.config.clock import stack_date
from claude_vertex.config.guardrails import GuardrailsConfig
from claude_vertex.config.guardrails.budget import check_budget
from claude_vertex.config.project import ProjectConfig
from claude_vertex.config.vertex import VertexConfig
from claude_vertex.plan import TeamPlan, plan_team

TEAM_RULE = "2-20 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen"


class StackConfig(Section):
    """Everything under the `claude-vertex:` namespace of a `Pulumi.<team>.yaml`."""

    team: Text = key(
        allowed=f"required: the team's short name, e.g. payments; {TEAM_RULE}",
        doc=f"The team's short name: {TEAM_RULE}. It prefixes every resource name, labels the project "
        "(`team=<team>`) and names the custom role (`claudeVertex<Team>`).",
        pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$",
    )
    project: ProjectConfig = key(allowed="required; at least project.id", doc="The team's GCP project.")
    vertex: VertexConfig = key(
        {}, allowed="an object", doc="Vertex AI region and the pinned models.", validate_default=True
    )
    access: AccessConfig = key({}, allowed="an object", doc="The custom role and who holds it.", validate_default=True)
    ci: CiConfig | None = key(None, allowed="an object", doc="Keyless CI identity for the team's own pipelines.")
    guardrails: GuardrailsConfig = key(
        {}, allowed="an object", doc="Budget, quota caps and usage.", validate_default=True
    )

    behind_gateway: BehindGatewayConfig | None = key(
        None,
        allowed="an object with keys groups, developerMonthlyCap, failoverRegions",
        doc="The team's developers reach Claude through the platform's Claude apps gateway (docs/gateway.md): "
        "their IdP groups, each developer's monthly cap, failover regions. Unset: the team is not behind it.",
    )

    _plan: TeamPlan = PrivateAttr()

    @property
    def plan(self) -> TeamPlan:
        """Pins, regions and quota caps as of the stack's date: worked out once, while the stack was validated."""
        return self._plan

    @model_validator(mode="before")
    @classmethod
    def _absent_is_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k == "project"}
        return data

    @model_validator(mode="after")
    def _across_sections(self, info: ValidationInfo) -> StackConfig:
        context = info.context if isinstance(info.context, dict) else {}
        today = context.get("today")
        if not isinstance(today, dt.date):
            raise TypeError("StackConfig is validated by parse_config, which passes the stack's date")
        self._plan = plan_team(self.vertex, self.guardrails, today)
        if self.vertex.restrict_models and not self.project.create:
            raise Refusal(
                "vertex.restrictModels",
                True,
                "only for a project this stack creates: on an adopted project it would restrict every team's models",
            )
        own = self.access.own_account_members(self.project.id)
        for index, member in enumerate(self.access.members):
            if member.lower() in {m.lower() for m in own.values()}:
                raise Refusal(
                    f"access.members[{index}]",
                    member,
                    "is one of this stack's own service accounts, which already hold the role: remove it",
                )
        for a_index, account in enumerate(self.access.service_accounts):
            for index, member in enumerate(account.impersonators):
                if member.lower() in {m.lower() for m in own.values()}:
                    raise Refusal(
                        f"access.serviceAccounts[{a_index}].impersonators[{index}]",
                        member,
                        "a service account of this stack may not impersonate another one: grant people or groups",
                    )
        if self.ci is not None and self.ci.service_account_id in {a.id for a in self.access.service_accounts}:
            raise Refusal(
                "ci.serviceAccountId", self.ci.service_account_id, "must differ from every access.serviceAccounts id"
            )
        if self.guardrails.budget is not None:
            check_budget(self.guardrails.budget, self.project)
        if self.behind_gateway is not None:
            for index, region in enumerate(self.behind_gateway.failover_regions):
                for pin in self._plan.models.pinned:
                    if pin.entry is None or not pin.entry.serves(region):
                        raise Refusal(
                            f"behindGateway.failoverRegions[{index}]",
                            region,
                            f"must serve every pinned model; {pin.model_id} ({pin.alias}) is not served there",
                        )
        return self


def parse_config(raw: Mapping[str, Any], *, today: dt.date | None = None) -> StackConfig:
    """Validate the whole stack config (keys without the namespace) into typed, immutable values.

    `today` is the date the stack is judged on (model retirements, default pins, quota caps: the plan, worked out
    here once, `StackConfig.plan`); a library caller passes its own, and without one the clock is read here, once
    (`stack_date`).
    """
    today = today if today is not None else stack_date()
    team = raw.get("team") if isinstance(raw, Mapping) else None
    return validate_section(StackConfig, raw, {"team": team, "today": today})


def load_stack_config(*, today: dt.date | None = None) -> StackConfig:
    """Read every `claude-vertex:*` key the engine passed (typos included) and validate them as of `today`
    (by default the stack's date: `CLAUDE_VERTEX_TODAY`, else the calendar)."""
    return parse_config(read_namespace(), today=today)


def read_namespace() -> dict[str, Any]:
    """Every `claude-vertex:*` key the engine passed, without the namespace, structured values decoded."""
    return {key: _decode(key, get_config(f"{NAMESPACE}:{key}")) for key in _namespace_keys()}


def _namespace_keys() -> list[str]:
    """All keys set under our namespace, whether the engine passed them in-process or via PULUMI_CONFIG."""
    prefix = f"{NAMESPACE}:"
    keys = set(CONFIG.get()) | set(get_config_env())
    return sorted(k[len(prefix) :] for k in keys if k.startswith(prefix))


def _decode(name: str, text: Any) -> Any:
    """Structured values arrive JSON-encoded strings; a plain string (team) arrives as itself."""
    if not isinstance(text, str) or name == "team":
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if name in StackConfig.model_fields:
            raise ConfigError(name, text, "must be a YAML object (structured config), not a plain string") from None
        return text
