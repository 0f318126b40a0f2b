"""What the stack hands out: the ids, the role, the models and the developer environment in every rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from claude_vertex.ci_platforms import BY_ID
from claude_vertex.config import StackConfig
from claude_vertex.plan import TeamPlan
from claude_vertex.render import environment
from claude_vertex.render.telemetry import telemetry_env


def developer_env(config: StackConfig, plan: TeamPlan, project_id: pulumi.Output[str]) -> pulumi.Output[dict[str, str]]:
    """The map Claude Code reads; every other rendering and the CI snippets are built from this one Output."""
    telemetry = config.guardrails.telemetry
    return project_id.apply(
        lambda pid: {
            **environment.claude_env(pid, config.vertex, plan.models),
            **telemetry_env(config.team, pid, telemetry),
        }
    )


def stack_outputs(
    config: StackConfig,
    plan: TeamPlan,
    env: pulumi.Output[dict[str, str]],
    project_id: pulumi.Output[str],
    project_number: pulumi.Output[str] | None,
    role_name: pulumi.Output[str],
    service_account_emails: Mapping[str, pulumi.Output[str]],
) -> dict[str, Any]:
    """Stack outputs by their camelCase names; nothing in them is secret."""
    emails = pulumi.Output.all(**service_account_emails) if service_account_emails else pulumi.Output.from_input({})
    provider = config.access.workforce_provider
    workforce = {pool: provider for pool in config.access.workforce_pools()} if provider else {}
    outputs: dict[str, Any] = {
        "team": config.team,
        "projectId": project_id,
        "roleName": role_name,
        "serviceAccountEmails": emails,
        "models": environment.models_output(plan.models),
        "env": env,
        "dotenv": env.apply(lambda e: environment.to_dotenv(e, config.team)),
        "shellExports": env.apply(lambda e: environment.to_shell_exports(e, config.team)),
        "claudeSettings": env.apply(environment.to_claude_settings),
        "gcloudAuth": emails.apply(lambda e: environment.gcloud_auth_commands(e, workforce)),
        "notes": [
            environment.DEVELOPERS_NOTE,
            environment.PRECEDENCE_NOTE,
            environment.MODELS_NOTE,
            environment.DOCTOR_NOTE,
        ],
    }
    if project_number is not None:
        outputs["projectNumber"] = project_number
    return outputs


def ci_outputs(
    provider_names: Mapping[str, pulumi.Output[str]],
    service_account_email: pulumi.Output[str],
    env: pulumi.Output[dict[str, str]],
) -> dict[str, Any]:
    """The CI identity's names, and the ready-to-paste jobs that use them, for the team's own pipelines."""
    outputs: dict[str, Any] = {
        "ciProviderNames": pulumi.Output.all(**provider_names),
        "ciServiceAccountEmail": service_account_email,
    }
    for platform_id, provider_name in provider_names.items():
        key, render = BY_ID[platform_id].output_key, BY_ID[platform_id].render_snippet
        outputs[key] = pulumi.Output.all(provider_name, service_account_email, env).apply(
            lambda args, render=render: render(provider_name=args[0], service_account_email=args[1], env=args[2])
        )
    return outputs
