"""Keyless CI identity admits named repositories / projects only.

Three parts, because each alone is a hole: every input of a pool or provider that changes which tokens
Google accepts is one this pack can verify (deny by default per input: key material the stack supplies, extra
audiences, SAML, AWS or X.509 trust, trust domains and attestation rules are refused); the provider's
`attributeCondition` decides which tokens the pool accepts at all; and the principal a role is granted to
decides which of those may act. A GitHub provider without a pinning condition accepts any repository on
github.com; one with the stack's own `jwksJson` accepts whatever token the holder of that key signs; a
`workloadIdentityUser` grant to `.../workloadIdentityPools/<pool>/*` lets every identity in the pool act as the
account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_vertex_gcp.ci_oidc import PLATFORMS
from claude_vertex_gcp.members import parse_federated, parse_member
from claude_vertex_gcp.names import IAM_HOST
from claude_vertex_gcp.resource_types import WORKLOAD_IDENTITY_POOL, WORKLOAD_IDENTITY_POOL_PROVIDER
from pulumi_policy import EnforcementLevel, Severity

from ..grants import grants_of
from ..pinning import CLAIMS, PINNING_ATTRIBUTES, assess
from ..values import is_unknown, known_str, shown
from .base import ResourceRule, RuleInfo, string_list


def issuers_key(platform_id: str) -> str:
    """`githubIssuers`: the config key listing the issuers treated as that platform."""
    return f"{platform_id}Issuers"


def _claims_for(issuer: str | None, config: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    """(platform, pinning claims) for an issuer, or None if the issuer is no platform's the config trusts."""
    if not issuer:
        return "/".join(p.vendor for p in PLATFORMS), dict(CLAIMS)
    normalized = issuer.rstrip("/")
    for platform in PLATFORMS:
        if normalized in {i.rstrip("/") for i in config[issuers_key(platform.id)]}:
            return platform.vendor, dict(platform.claims)
    return None


def check_provider(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != WORKLOAD_IDENTITY_POOL_PROVIDER:
        return []
    name = known_str(props.get("workloadIdentityPoolProviderId")) or "provider"
    oidc = props.get("oidc")
    if not isinstance(oidc, Mapping):
        others = [kind for kind in ("aws", "saml", "x509") if props.get(kind)]
        if is_unknown(oidc):
            return []
        return [
            f"Provider {name} is a {'/'.join(others) or 'non-OIDC'} provider; this pack can only verify GitHub and "
            "GitLab OIDC providers, so it is not allowed in a team stack."
        ]
    issuer = oidc.get("issuerUri")
    platform = _claims_for(None if is_unknown(issuer) else known_str(issuer), config)
    if platform is None:
        return [
            f"Provider {name} trusts issuer {issuer!r}, which is neither a GitHub nor a GitLab issuer this policy "
            "knows (githubIssuers / gitlabIssuers)."
        ]
    mapping = props.get("attributeMapping")
    label, claims = platform
    if not isinstance(mapping, Mapping) and mapping is not None:
        return [f"Provider {name}: attributeMapping is not known at preview, so its pinning cannot be verified."]
    mapping = mapping or {}
    spoofed = spoofed_mappings(mapping, claims)
    messages = [
        f"Provider {name} ({label}) maps {target} from `{source}`, not from {own}: a token from any repository "
        f"could then carry a chosen value there (a branch named like the pinned repository, say)."
        for target, source, own in spoofed
    ]
    condition = props.get("attributeCondition")
    if is_unknown(condition):
        return messages
    verdict = assess(condition if isinstance(condition, str) else "", claims, mapping)
    if verdict.pinned:
        return messages
    pins = ", ".join(c for c in claims if c != "sub")
    return [
        *messages,
        f"Provider {name} ({label}): the attributeCondition {verdict.reason}. Any {label} repository could then "
        f"exchange its CI token for this pool's identities; pin exact values of {pins} with `==` or `in [...]`.",
    ]


def spoofed_mappings(mapping: Mapping[str, Any], claims: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(target, source, expected source) for every pinning attribute not mapped from its own claim.

    `google.subject` is not a pinning attribute: the program may build it from several numeric claims to fit
    IAM's 127-byte limit. Grants to a single subject are held to `assertion.sub` by
    `federated-grants-pinned-by-provider` instead.
    """
    spoofed = []
    for target, source in mapping.items():
        claim = target.removeprefix("attribute.")
        if target.startswith("attribute.") and (claim in claims or claim in PINNING_ATTRIBUTES):
            expected = f"assertion.{claim}"
            if not isinstance(source, str) or source.strip() != expected:
                spoofed.append((target, str(source), expected))
    return spoofed


WORKLOAD_IDENTITY_PROVIDER_PINNED = ResourceRule(
    RuleInfo(
        name="workload-identity-provider-pinned",
        description="Workload identity providers have an attributeCondition that pins identities to specific "
        "repositories or projects.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set attributeCondition to e.g. \"assertion.repository in ['acme/payments-app']\" "
        "(GitHub) or \"assertion.project_path in ['acme/payments']\" (GitLab): exact values with == or "
        "in [...], combined with && if you also restrict refs. Never use startsWith/matches, `||` with an "
        "unpinned branch, or conditions on ref/workflow alone.",
        config={
            issuers_key(platform.id): string_list(f"OIDC issuers treated as {platform.product}.", (platform.issuer,))
            for platform in PLATFORMS
        },
        equivalents={
            "Checkov": "CKV_GCP_118 (condition present), CKV_GCP_125 (GitHub sub claim)",
            "Trivy": "AVD-GCP-0068 no-conditions-workload-identity-pool-provider (condition present)",
            "Policy Library": "none",
        },
        tags=("iam", "workload-identity", "ci"),
    ),
    check_provider,
)


# Inputs whose effect on accepted tokens is known: names, where, whether it is switched off (a disabled pool or
# provider accepts nothing), what destroy does, and what the other rules verify (issuer, mapping, condition).
_NEUTRAL = ("project", "workloadIdentityPoolId", "displayName", "description", "disabled", "deletionPolicy")
ALLOWED_INPUTS: dict[str, tuple[str, ...]] = {
    WORKLOAD_IDENTITY_POOL: (*_NEUTRAL, "mode"),
    WORKLOAD_IDENTITY_POOL_PROVIDER: (
        *_NEUTRAL,
        "workloadIdentityPoolProviderId",
        "oidc",
        "attributeMapping",
        "attributeCondition",
    ),
}
OIDC_INPUTS = ("issuerUri",)
POOL_MODES = ("FEDERATION_ONLY",)  # the default: federation of outside tokens only, nothing issued by the pool
# Why each input that widens trust is refused, for the message; any other input is refused as unknown.
_WIDENS = {
    "jwksJson": "supplies the token-signing keys itself: whoever holds the private key signs tokens for any "
    "repository, and no condition can tell",
    "allowedAudiences": "accepts tokens minted for other audiences than this provider, so a token a job hands to "
    "any other service can be replayed here",
    "aws": "trusts an AWS account",
    "saml": "trusts a SAML identity provider",
    "x509": "trusts a certificate authority",
    "inlineTrustConfig": "trusts certificates of other trust domains",
    "inlineCertificateIssuanceConfig": "issues mTLS certificates to the pool's identities",
    "attestationRules": "decides which Google Cloud workloads receive an identity of the pool",
}


def check_inputs(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    allowed = ALLOWED_INPUTS.get(resource_type)
    if allowed is None:
        return []
    kind = "Provider" if resource_type == WORKLOAD_IDENTITY_POOL_PROVIDER else "Pool"
    name = known_str(
        props.get(
            "workloadIdentityPoolProviderId"
            if resource_type == WORKLOAD_IDENTITY_POOL_PROVIDER
            else "workloadIdentityPoolId"
        )
    )
    what = f"{kind} {name or '<unknown>'}"
    present = {key: value for key, value in props.items() if value is not None}
    refused = [f"{key}" for key in present if key not in allowed]
    oidc = present.get("oidc")
    if isinstance(oidc, Mapping):
        refused += [f"oidc.{key}" for key, value in oidc.items() if value is not None and key not in OIDC_INPUTS]
    unknown_effect = "is not an input whose effect on accepted tokens this pack knows"
    messages = [f"{what} sets {key}, which {_WIDENS.get(key.rsplit('.', 1)[-1], unknown_effect)}." for key in refused]
    mode = present.get("mode")
    if mode is not None and known_str(mode) not in POOL_MODES:
        messages.append(
            f"{what} sets mode {shown(mode)}: only {', '.join(POOL_MODES)} (the default) federates outside tokens "
            "without the pool issuing identities of its own."
        )
    return messages


WORKLOAD_IDENTITY_INPUTS_KNOWN = ResourceRule(
    RuleInfo(
        name="workload-identity-inputs-known",
        description="Workload identity pools and providers set only inputs whose effect on accepted tokens is "
        "verified: no keys, audiences or other trust.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the input. A provider is an OIDC issuer (oidc.issuerUri) with an attributeMapping and "
        "a pinning attributeCondition; GCP fetches the issuer's keys itself and accepts only tokens minted for the "
        "provider. Another kind of trust is the platform team's to set up, in its own stack.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("iam", "workload-identity", "ci", "deny-by-default"),
    ),
    check_inputs,
)


def check_principals(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    messages = []
    for grant in grants_of(resource_type, props).grants:
        if is_unknown(grant.member):
            continue
        principal = parse_federated(parse_member(grant.member))
        if principal is None:
            continue
        if principal.selector == "all":
            messages.append(
                f"Grants {grant.role} on {grant.where} to every identity of pool {principal.pool_name} "
                f"({grant.member}). Grant it to one repository's principalSet "
                "(.../attribute.repository/<owner>/<repo>)."
            )
        elif (
            principal.selector == "attribute"
            and not principal.workforce  # a workforce attribute is the company IdP's, not a CI platform claim
            and principal.attribute not in config["pinningAttributes"]
        ):
            messages.append(
                f"Grants {grant.role} on {grant.where} to {grant.member}: attribute.{principal.attribute} does not "
                f"identify a repository or project, so any identity of pool {principal.pool} with that value "
                "qualifies."
            )
    return messages


NO_POOL_WIDE_PRINCIPALS = ResourceRule(
    RuleInfo(
        name="no-pool-wide-federated-principals",
        description="Roles (workloadIdentityUser above all) go to one repository's or project's principals, never "
        "to a whole workload identity pool.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=f"Use principalSet://{IAM_HOST}/<pool>/attribute.repository/<owner>/<repo> (GitHub) "
        "or .../attribute.project_path/<group>/<project> (GitLab) instead of .../<pool>/*.",
        config={
            "pinningAttributes": string_list(
                "Mapped attributes a principalSet may select on.", sorted(PINNING_ATTRIBUTES)
            )
        },
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("iam", "workload-identity", "ci"),
    ),
    check_principals,
)
