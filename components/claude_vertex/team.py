"""`ClaudeVertexTeam`: one team's Claude Code on Vertex AI, the package's one public component.

The facade of the data flow: args (or a stack file's config) -> validated config -> the plan (pins, regions,
quota caps: worked out once, as of one date, `claude_vertex.plan`) -> the resources -> the outputs Claude Code
and the team read. The plan is handed down here; no resource or rendering works any of it out again.

Served to other languages by the plugin (`components/__main__.py`, `claude_vertex/plugin.py`), whose schema the
SDK's analyzer reads from this module's annotations without evaluating strings: no `from __future__ import
annotations` here, outputs are plain values, and the only parameter the analyzer reads is `args`.
"""

from typing import Any

import pulumi
from claude_vertex_gcp.services import CI_SERVICES, VERTEX_AI

from claude_vertex.args import ClaudeVertexTeamArgs
from claude_vertex.config import ConfigError, StackConfig, parse_config
from claude_vertex.outputs import ci_outputs, developer_env, stack_outputs
from claude_vertex.resources.access import VertexAccess, permission_check_resource
from claude_vertex.resources.ci_identity import CiIdentity
from claude_vertex.resources.guardrails import Guardrails, guardrail_outputs
from claude_vertex.resources.model_access import ModelAccess
from claude_vertex.resources.project import TeamProject

TYPE_TOKEN = "claude-vertex:index:ClaudeVertexTeam"

# Before the package, the repository's program registered these components at the root of the stack; the
# same names under the team component are the same resources (each child follows its parent's alias).
_ROOT_ALIAS = pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)])


class ClaudeVertexTeam(pulumi.ComponentResource):
    """One team's Claude Code on Google Vertex AI: a dedicated or adopted project with the Vertex AI API, a minimal
    custom role granted without authoritative IAM, every Claude Code model alias pinned, budget, quota caps, audit
    logs and usage view, keyless CI identity, and the exact environment Claude Code reads."""

    team: pulumi.Output[str]
    """The team's short name (`team` input)."""
    project_id: pulumi.Output[str]
    """The team's GCP project ID."""
    project_number: pulumi.Output[str | None]
    """The project number, when this component created the project (an adopted one's is not read)."""
    role_name: pulumi.Output[str]
    """The custom role's full name, `projects/<id>/roles/<roleId>`."""
    service_account_emails: pulumi.Output[dict[str, str]]
    """Each team service account's email, by account ID."""
    models: pulumi.Output[dict[str, dict[str, Any]]]
    """Every Claude Code model alias (and `primary`): the pinned model, its region and 1M context."""
    env: pulumi.Output[dict[str, str]]
    """The environment variables Claude Code reads."""
    dotenv: pulumi.Output[str]
    """`env` as a `.env` file."""
    shell_exports: pulumi.Output[str]
    """`env` as shell `export` lines (with the unsets Claude Code needs)."""
    claude_settings: pulumi.Output[dict[str, Any]]
    """`env` as a Claude Code `settings.json` object."""
    gcloud_auth: pulumi.Output[dict[str, Any]]
    """How a developer signs in with gcloud: as themselves, impersonating a team account, or as a workforce user."""
    guardrails: pulumi.Output[dict[str, Any]]
    """What is budgeted and capped, and whether audit logs and the usage view are on."""
    dashboard_url: pulumi.Output[str | None]
    """The usage dashboard, when `guardrails.usage` is on."""
    managed_settings: pulumi.Output[dict[str, Any] | None]
    """A Claude Code managed-settings object with the telemetry settings and every alias pin, when
    `guardrails.telemetry` is set."""
    notes: pulumi.Output[list[str]]
    """What a developer should know about the environment (precedence, pins, the doctor)."""
    ci_provider_names: pulumi.Output[dict[str, str] | None]
    """The workload identity providers' full names, by CI platform, when `ci` is set."""
    ci_service_account_email: pulumi.Output[str | None]
    """The CI service account's email, when `ci` is set."""
    ci_github_workflow: pulumi.Output[str | None]
    """A ready-to-paste GitHub Actions job for the team's own repositories, when `ci.github` is set."""
    ci_gitlab_job: pulumi.Output[str | None]
    """A ready-to-paste GitLab CI job for the team's own projects, when `ci.gitlab` is set."""

    def __init__(self, name: str, args: ClaudeVertexTeamArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Validated before anything registers: a bad input fails the construction, never half a team.
        try:
            config = parse_config(dict(args))
        except ConfigError as error:
            raise input_error(name, error) from None
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._build(config)

    @classmethod
    def from_config(
        cls, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> "ClaudeVertexTeam":
        """The team from a config already validated (a stack file's, read by `load_stack_config`)."""
        team = cls.__new__(cls)
        pulumi.ComponentResource.__init__(team, TYPE_TOKEN, name, None, opts)
        team._build(config)
        return team

    def _build(self, config: StackConfig) -> None:
        plan = config.plan
        for warning in plan.warnings:
            pulumi.log.warn(warning, resource=self)
        child = pulumi.ResourceOptions(parent=self).merge(_ROOT_ALIAS)
        project = TeamProject(
            config.team,
            config.project,
            extra_services=CI_SERVICES if config.ci else (),
            skip_default_network_policy=config.project.default_network_policy == "project",
            opts=child,
        )
        vertex_api = project.services[VERTEX_AI]
        access = VertexAccess(
            config.team,
            config.access,
            project_id=project.project_id,
            iam_project_id=project.iam_project_id,
            vertex_api=vertex_api,
            permission_resource=permission_check_resource(
                config.project.id, config.project.create, config.project.folder_id
            ),
            opts=child,
        )
        ModelAccess(
            config.team,
            plan.models,
            project_id=project.project_id,
            vertex_api=vertex_api,
            enable=config.vertex.enable_models,
            restrict=config.vertex.restrict_models,
            opts=child,
        )
        env = developer_env(config, plan, project.project_id)
        outputs = stack_outputs(
            config,
            plan,
            env,
            project.project_id,
            project.project_number,
            access.role_name,
            access.service_account_emails,
        )
        guardrails = Guardrails(
            config.team,
            config.guardrails,
            project=config.project,
            caps=plan.quota_caps,
            project_id=project.project_id,
            project_number=project.project_number,
            vertex_api=vertex_api,
            opts=child,
        )
        outputs.update(guardrail_outputs(config.guardrails, guardrails.dashboard_url, env))
        if config.ci is not None:
            ci = CiIdentity(
                config.team, config.ci, project.project_id, project.iam_project_id, access.role_name, opts=child
            )
            outputs.update(ci_outputs(ci.provider_names, ci.service_account_email, env))

        self.outputs: dict[str, Any] = outputs
        """Every output by its camelCase name, only those this team has: what the stack program exports."""
        for output_name in OUTPUT_NAMES:
            setattr(self, _attribute(output_name), pulumi.Output.from_input(outputs.get(output_name)))
        self.register_outputs(outputs)


def input_error(name: str, error: ConfigError) -> ConfigError:
    """A config error as a bad input of the team `name`: one line naming the component and the input."""
    return ConfigError(error.key, error.value, error.allowed, subject=f"ClaudeVertexTeam {name!r} input {error.key}")


def _attribute(output_name: str) -> str:
    """`projectId` -> `project_id`: the Python name of a camelCase output."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in output_name)


OUTPUT_NAMES: tuple[str, ...] = tuple(
    "".join(part if i == 0 else part.title() for i, part in enumerate(name.split("_")))
    for name in ClaudeVertexTeam.__annotations__
)
"""The outputs the class declares, by their camelCase (wire) names."""
