"""The CI platforms a team's keyless CI identity can admit: one module each, listed once here.

Adding a platform is one module (its issuer, claims, mapping, condition and snippet renderer, as a
`CiPlatform`) plus its tests; the component, the outputs and the docs iterate over `PLATFORMS`. The policy
pack keeps its own list of trusted issuers and pinning claims (it never imports the program);
tests/test_ci_platforms.py holds the two against each other.
"""

from __future__ import annotations

from claude_vertex.ci_platforms import github, gitlab
from claude_vertex.ci_platforms.base import CiPlatform, ProviderLimitError, provider_args

PLATFORMS: tuple[CiPlatform, ...] = (github.PLATFORM, gitlab.PLATFORM)
BY_ID = {platform.id: platform for platform in PLATFORMS}

__all__ = ["BY_ID", "PLATFORMS", "CiPlatform", "ProviderLimitError", "provider_args"]
