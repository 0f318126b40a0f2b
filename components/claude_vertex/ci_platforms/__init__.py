"""The CI platforms a team's keyless CI identity can admit: one module each, listed once here.

Adding a platform is its facts in `claude_vertex_gcp.ci_oidc` (issuer, claims: the policy pack trusts what is
declared there) plus one module here (mapping, condition and snippet renderer, as a `CiPlatform`) and its tests;
the component, the outputs and the docs iterate over `PLATFORMS`.
"""

from __future__ import annotations

from claude_vertex.ci_platforms import github, gitlab
from claude_vertex.ci_platforms.base import CiPlatform, ProviderLimitError, provider_args

PLATFORMS: tuple[CiPlatform, ...] = (github.PLATFORM, gitlab.PLATFORM)
BY_ID = {platform.id: platform for platform in PLATFORMS}

__all__ = ["BY_ID", "PLATFORMS", "CiPlatform", "ProviderLimitError", "provider_args"]
