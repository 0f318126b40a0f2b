"""Typed, validated stack configuration: every key declared once, as pydantic section models.

One module per section (`project`, `vertex`, `access`, `ci`; `guardrails` one per concern: `budget`, `quotas`,
`telemetry`), like Fabric's `variables-<concern>.tf`; `stack.StackConfig` composes them. The JSON Schema of the
stack file (`schema/stack-config.schema.json`) and `docs/configuration.md` are generated from these declarations
by `tools/config_docs.py`.
"""

from claude_vertex.config.access import DEFAULT_PERMISSIONS, AccessConfig, ServiceAccountConfig, default_role_id
from claude_vertex.config.base import NAMESPACE, ConfigError, DeployTimeConfigError, find_config_error
from claude_vertex.config.ci import CiConfig, GitHubCiConfig, GitLabCiConfig
from claude_vertex.config.members import MEMBER_RULE, parse_member
from claude_vertex.config.project import ProjectConfig
from claude_vertex.config.stack import StackConfig, load_stack_config, parse_config, read_namespace
from claude_vertex.config.vertex import VertexConfig

__all__ = [
    "DEFAULT_PERMISSIONS",
    "MEMBER_RULE",
    "NAMESPACE",
    "AccessConfig",
    "CiConfig",
    "ConfigError",
    "DeployTimeConfigError",
    "GitHubCiConfig",
    "GitLabCiConfig",
    "ProjectConfig",
    "ServiceAccountConfig",
    "StackConfig",
    "VertexConfig",
    "default_role_id",
    "find_config_error",
    "load_stack_config",
    "parse_config",
    "parse_member",
    "read_namespace",
]
