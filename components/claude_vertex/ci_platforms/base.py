"""What every CI platform module declares, and the limits GCP enforces on a workload identity provider.

A platform is one frozen value: who issues its OIDC tokens, which claim names a repository exactly (the
pin), which claims are mapped, how `google.subject` is mapped to a value that always fits, where its
allowed values live in the stack config, and how its ready-to-paste snippet is rendered. The component
(`claude_vertex/resources/ci_identity.py`) and the outputs only iterate over platforms; adding one is one module.

GCP checks these limits only when the provider is created, long after a preview said yes: description at
most 256 characters, attribute condition at most 4,096, `google.subject` at most 127 bytes (IAM docs,
"Workload identity federation: attribute mappings"; the REST reference for
`projects.locations.workloadIdentityPools.providers`). The values made here are checked against them
before any resource is declared, so the preview refuses what the apply would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from claude_vertex_gcp.ci_oidc import CiTokens

DESCRIPTION_MAX_CHARS = 256
CONDITION_MAX_CHARS = 4096
SUBJECT_MAX_BYTES = 127
DISPLAY_NAME_MAX_CHARS = 32


class ProviderLimitError(ValueError):
    """A provider value GCP would refuse at apply time; one line naming the key, the value and the limit."""


def cel_string(value: str) -> str:
    """A CEL single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class CiPlatform:
    """One CI platform's OIDC provider and snippet.

    `tokens` are the platform's facts (issuer, pinned claim), shared with the policy pack. `subject_claims` are
    numeric IDs the platform assigns (never names a user picks), joined with ':' after the platform's id: bounded,
    unique per job, and unspoofable, where the platform's `sub` is a path plus a branch name of any length.
    """

    tokens: CiTokens
    issuer_field: str | None  # config attribute that overrides the issuer (self-managed instances), if any
    allowed_field: str  # config attribute holding the exact values of the pinned claim
    allowed_key: str  # its stack-file key, for messages
    noun: str  # what one allowed value is ("repository")
    nouns: str  # and several ("repositories")
    mapped_claims: tuple[str, ...]
    subject_claims: tuple[str, ...]
    subject_id_max_digits: int  # the longest numeric ID each subject claim carries
    output_key: str  # stack output holding the snippet
    render_snippet: Callable[..., str]

    @property
    def id(self) -> str:
        """Provider ID, resource-name part, `ci.<id>` config section."""
        return self.tokens.id

    @property
    def display_name(self) -> str:
        return self.tokens.product

    @property
    def default_issuer(self) -> str:
        return self.tokens.issuer

    @property
    def pinned_claim(self) -> str:
        return self.tokens.pinned_claim

    @property
    def config_key(self) -> str:
        return f"ci.{self.id}.{self.allowed_key}"

    def subject_mapping(self) -> str:
        """`'github:' + assertion.repository_id + ':' + assertion.run_id`: at most `subject_max_bytes()`."""
        return f"{cel_string(self.id + ':')} + " + " + ':' + ".join(f"assertion.{c}" for c in self.subject_claims)

    def subject_max_bytes(self) -> int:
        claims = len(self.subject_claims)
        return len(self.id) + 1 + claims * self.subject_id_max_digits + (claims - 1)

    def attribute_mapping(self) -> dict[str, str]:
        return {"google.subject": self.subject_mapping()} | {
            f"attribute.{claim}": f"assertion.{claim}" for claim in self.mapped_claims
        }

    def condition(self, allowed: Sequence[str]) -> str:
        """Exact values of the pinned claim only: no prefixes, no owner-wide match, nothing a fork satisfies."""
        return f"assertion.{self.pinned_claim} in [" + ", ".join(cel_string(v) for v in allowed) + "]"

    def description(self, team: str, allowed: Sequence[str]) -> str:
        """Bounded whatever the list: the values themselves are in the condition, not repeated here."""
        count = len(allowed)
        noun = self.noun if count == 1 else self.nouns
        return (
            f"{self.display_name} OIDC for team {team}: admits only the {count} {noun} listed in "
            f"{self.config_key}. Managed by claude-vertex."
        )

    def limit_problem(self, allowed: Sequence[str]) -> str | None:
        """The condition GCP would refuse at apply time, as one line; None when it fits.

        The other limits hold by construction (tests/test_ci_platforms.py): the description counts the
        values instead of listing them, the subject is built from numeric IDs, the display name is fixed.
        """
        condition = self.condition(allowed)
        if len(condition) > CONDITION_MAX_CHARS:
            return (
                f"{len(allowed)} {self.nouns} make an attribute condition of {len(condition)} characters; GCP "
                f"allows at most {CONDITION_MAX_CHARS}: list fewer (split them over two teams)"
            )
        return None

    def selection(self, ci_config: object) -> tuple[str, tuple[str, ...]] | None:
        """(issuer, allowed values) when the stack's CI section asks for this platform, else None."""
        section = getattr(ci_config, self.id, None)
        if section is None:
            return None
        issuer = getattr(section, self.issuer_field) if self.issuer_field else self.default_issuer
        return str(issuer).rstrip("/"), tuple(getattr(section, self.allowed_field))


def provider_args(platform: CiPlatform, team: str, allowed: Sequence[str]) -> Mapping[str, object]:
    """The provider's inputs that GCP limits, checked first: ProviderLimitError instead of an apply-time 400."""
    problem = platform.limit_problem(allowed)
    if problem is not None:
        raise ProviderLimitError(f"{platform.config_key}: {problem}")
    return {
        "display_name": platform.display_name,
        "description": platform.description(team, allowed),
        "attribute_mapping": platform.attribute_mapping(),
        "attribute_condition": platform.condition(allowed),
    }
