"""`claude-vertex:project`: the team's project, created in the platform's folder or adopted as it is."""

from __future__ import annotations

import re
from typing import Any, Literal

from claude_vertex_gcp.names import PROJECT_ID
from pydantic import ValidationInfo, field_validator, model_validator

from claude_vertex.config.base import MISSING, Flag, Refusal, Section, Text, key

RESERVED_LABELS = ("team", "managed-by", "goog-pulumi-provisioned")
"""Labels the program (`team`, `managed-by`) and the provider (`goog-pulumi-provisioned`) set themselves."""
MAX_LABELS = 64
# GCP refuses project IDs containing these (Resource Manager's restricted strings).
RESTRICTED_PROJECT_ID_WORDS = ("google", "null", "undefined", "ssl")
PROJECT_ID_RULE = (
    "GCP project IDs are 6-30 lowercase letters, digits or hyphens, start with a letter, no trailing hyphen"
)
LABEL_KEY = r"^[a-z][a-z0-9_-]{0,62}$"
LABEL_VALUE = r"^[a-z0-9_-]{0,63}$"


def team_of(info: ValidationInfo) -> str:
    context = info.context if isinstance(info.context, dict) else {}
    team = context.get("team")
    return team if isinstance(team, str) else "team"


class ProjectConfig(Section):
    """The team's GCP project."""

    id: Text = key(
        allowed=PROJECT_ID_RULE,
        doc="GCP project ID: 6-30 characters, lowercase letters, digits, hyphens, starts with a letter, no trailing "
        "hyphen, none of the restricted words (google, null, undefined, ssl). Project IDs are global and can never be "
        "reused once deleted (30 days is only the restore window).",
        pattern=rf"^{PROJECT_ID}$",
    )
    create: Flag = key(
        True,
        allowed="must be true or false",
        doc="`true`: the stack creates the project. `false`: adopt an existing project; no Project resource is "
        "registered and the project is never changed or deleted by the stack.",
    )
    name: Text = key(
        None,
        allowed="4-30 letters, digits, spaces, hyphens, quotes or exclamation points (GCP display-name rules)",
        doc="Display name (GCP's rule: no parentheses). Only with `create: true`.",
        pattern="^[A-Za-z0-9'\" !-]{4,30}$",
        default_text="Claude Code <team>",
    )
    billing_account: Text | None = key(
        None,
        allowed="a billing account ID: XXXXXX-XXXXXX-XXXXXX, upper-case hex",
        doc="`XXXXXX-XXXXXX-XXXXXX`, upper-case hex. Required with `create: true`. The deployer needs "
        "`billing.resourceAssociations.create` on it (`roles/billing.user`).",
        pattern=r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$",
    )
    folder_id: Text | None = key(
        None,
        allowed='a numeric folder ID such as "123456789012"',
        doc='Numeric folder ID (`"123456789012"`, no `folders/` prefix). Required with `create: true`: the pipeline\'s '
        "deployer is a service account, which cannot create a project without a parent and may create projects only "
        "in the folder it was granted (the policy pack's `team-projects` rule can pin the allowed folders).",
        pattern=r"^[1-9][0-9]{0,19}$",
    )
    labels: dict[str, Text] = key(
        {},
        allowed="an object of label key to value",
        doc=f"GCP label rules: keys 1-63 of `[a-z0-9_-]` starting with a letter, values 0-63 of `[a-z0-9_-]`; at most "
        f"{MAX_LABELS - len(RESERVED_LABELS)} (GCP allows {MAX_LABELS}, the program and the provider add "
        f"{', '.join(RESERVED_LABELS)}).",
    )
    default_network_policy: Literal["project", "folder"] = key(
        "project",
        allowed='"project" (the stack sets the policy on the project) or "folder" (the platform set it on the folder)',
        doc="How the project avoids the default network without ever enabling Compute: it is created with "
        "`auto_create_network=true` under `constraints/compute.skipDefaultNetworkCreation`. `project`: the stack sets "
        "that policy on the project it creates (the deployer needs `roles/orgpolicy.policyAdmin` at the "
        "organization). `folder`: the platform enforced it once on the teams' folder (`bootstrap/deployer.sh`, "
        "`FOLDER_NETWORK_POLICY=1`) and the stack sets nothing; the policy pack then needs the platform to declare "
        "that folder (`no-default-network.foldersEnforcingSkipDefaultNetwork`). Only with `create: true`.",
    )
    deletion_protection: Flag = key(
        True,
        allowed="must be true or false",
        doc="`true`: `deletion_policy=PREVENT` in GCP and `retainOnDelete` in Pulumi, so `pulumi destroy` removes the "
        "team's role, accounts and grants but keeps the project. `false`: destroy deletes the project (restorable for "
        "30 days; its ID is never reusable).",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict):
            data = cls.given(data)
            if not data:
                raise Refusal("", data, "required; at least project.id")
            if data.get("create", True) is False:
                for name in (
                    "name",
                    "billingAccount",
                    "folderId",
                    "labels",
                    "deletionProtection",
                    "defaultNetworkPolicy",
                ):
                    if name in data:
                        raise Refusal(
                            name,
                            data[name],
                            "only applies when project.create is true; an adopted project is not modified",
                        )
            data.setdefault("name", f"Claude Code {team_of(info)}"[:30].rstrip())
        return data

    @field_validator("id")
    @classmethod
    def _no_restricted_words(cls, project_id: str) -> str:
        for word in RESTRICTED_PROJECT_ID_WORDS:
            if word in project_id:
                raise Refusal("", project_id, f"GCP refuses project IDs containing {word!r}")
        return project_id

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        if len(labels) + len(RESERVED_LABELS) > MAX_LABELS:
            raise Refusal(
                "",
                len(labels),
                f"at most {MAX_LABELS - len(RESERVED_LABELS)} labels (GCP allows {MAX_LABELS}; the program and the "
                f"provider add {', '.join(RESERVED_LABELS)})",
            )
        for name, value in labels.items():
            if name in RESERVED_LABELS:
                raise Refusal(name, value, f"reserved: claude-vertex and the provider set {', '.join(RESERVED_LABELS)}")
            if not re.match(LABEL_KEY, name):
                raise Refusal(name, name, "label keys: 1-63 lowercase letters, digits, _ or -, starting with a letter")
            if not re.match(LABEL_VALUE, value):
                raise Refusal(name, value, "label values: 0-63 lowercase letters, digits, _ or -")
        return labels

    @model_validator(mode="after")
    def _creation_needs(self) -> ProjectConfig:
        if self.create and self.billing_account is None:
            raise Refusal(
                "billingAccount",
                MISSING,
                "required when project.create is true (XXXXXX-XXXXXX-XXXXXX); set create: false to adopt a project",
            )
        if self.create and self.folder_id is None:
            raise Refusal(
                "folderId",
                MISSING,
                'required when project.create is true: a numeric folder ID such as "123456789012" (the deployer '
                "creates projects only in the folder it was granted)",
            )
        return self
