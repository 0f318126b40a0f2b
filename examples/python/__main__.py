"""Two teams' Claude Code on Vertex AI from one program, each team in a project of its own.

Each `ClaudeVertexTeam` is independent: its own project, custom role, accounts, grants and guardrails, named
after its component name, so two teams never clash and neither waits for the other. The args are the
sections and keys of a `Pulumi.<team>.yaml` (docs/configuration.md), in snake_case.
"""

import pulumi
from claude_vertex import ClaudeVertexTeam, ClaudeVertexTeamArgs

payments_args: ClaudeVertexTeamArgs = {
    "team": "payments",
    "project": {
        "id": "claude-payments-prod",
        "name": "Claude Code payments",
        "billing_account": "012345-6789AB-CDEF01",
        "folder_id": "123456789012",
        "labels": {"cost-center": "cc-1234"},
    },
    "vertex": {
        "region": "global",
        "models": {"opus": "claude-opus-5-5", "sonnet": "claude-sonnet-5-5", "haiku": "claude-haiku-4-5@20251001"},
        "primary_model": "sonnet",
        "region_overrides": {"haiku": "us-east5"},
        "enable_models": True,
        "restrict_models": True,
    },
    "access": {
        "members": ["group:payments-devs@example.com"],
        "service_accounts": [
            {
                "id": "claude-agent",
                "display_name": "Claude Code agent",
                "impersonators": ["group:payments-oncall@example.com"],
            }
        ],
    },
    "ci": {
        "github": {"repositories": ["acme/payments-app"]},
        "gitlab": {"projects": ["acme/payments"]},
    },
    "guardrails": {
        "budget": {"monthly_amount": 2000, "currency": "USD", "notify": ["payments-leads@example.com"]},
        "quotas": {"opus": {"output_tokens_per_minute": 10000, "requests_per_minute": 10}},
        "telemetry": {"otlp_endpoint": "https://otel.example.com:4318", "protocol": "http/protobuf"},
    },
}

research_args: ClaudeVertexTeamArgs = {
    "team": "research",
    "project": {
        "id": "claude-research-prod",
        "billing_account": "012345-6789AB-CDEF01",
        "folder_id": "123456789012",
        "deletion_protection": True,
    },
    "vertex": {
        "region": "us-east5",
        "models": {"opus": "claude-opus-5-5", "sonnet": "claude-sonnet-5-5", "haiku": "claude-haiku-4-5@20251001"},
        "primary_model": "opus",
    },
    "access": {
        "permissions": ["aiplatform.endpoints.predict"],
        "members": ["group:research-devs@example.com"],
    },
    "guardrails": {
        "budget": {"monthly_amount": 500, "thresholds": [0.5, 1.0]},
        "quotas": {"sonnet": {"requests_per_minute": 30}},
    },
}

teams = [ClaudeVertexTeam("payments", payments_args), ClaudeVertexTeam("research", research_args)]

for name, team in zip(("payments", "research"), teams, strict=True):
    pulumi.export(f"{name}ProjectId", team.project_id)
    pulumi.export(f"{name}Dotenv", team.dotenv)
    pulumi.export(f"{name}DashboardUrl", team.dashboard_url)
pulumi.export("paymentsGithubWorkflow", teams[0].ci_github_workflow)
