"""Deny by default: a team or gateway stack registers only the resource types its design uses, and the engine's own.

The other rules judge what they recognise; this one makes sure there is nothing they cannot
recognise. A `google-native:*` IAM member, a Terraform-bridged `google:*` type or a
`command:local:Command` running `gcloud ... add-iam-policy-binding --member=allUsers` is outside every
GCP rule's sight, so the only safe answer is to refuse every type nobody listed.

Provider resources are the engine's: a default provider per package the program uses, with no parent and the name
the engine gives it: `gcp`, and `claude-vertex` when a program in another language (YAML, TypeScript, Go) creates
`ClaudeVertexTeam` through the package's plugin (`pulumi package add`), where the engine registers the component
package's provider and the plugin's `Construct` registers the team's resources. That package has no provider
settings, so its provider may carry nothing but its version. A provider the
program registers itself is refused whatever its settings: the engine keeps the plugin download URL of a
provider in `__internal`, which no analyzer receives, so the pack could not tell which code runs as it. A
default provider shows that URL in its name, so a name other than the engine's plain one is refused too, with one
exception the platform names: `pulumi package add <repository>/components@<tag>` records the release's git URL, every
registration of the team carries it, and the engine names the component package's provider after it; a URL listed in
`componentSources` (the platform's own releases) is accepted there, and only there.
Dynamic resources and the engine's dynamic provider are refused by `no-dynamic-resources` whatever this list says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claude_vertex_gcp.resource_types import CLOUD_RUN_IAM_TYPES, GATEWAY_TYPES, TAG_TYPES, TEAM_TYPES
from pulumi_policy import EnforcementLevel, Severity

from ..provider_settings import default_name, is_provider_type, setting_problem
from .base import RegistrationRule, ResourceRule, RuleInfo, matches_any, string_list

COMPONENT_PACKAGE = "claude-vertex"
"""The component package: `ClaudeVertexTeam` and its children are `claude-vertex:index:*`."""
COMPONENT_PROVIDER = f"pulumi:providers:{COMPONENT_PACKAGE}"

# What the claude-vertex program registers (and nothing else): its team project, APIs, custom role,
# accounts and grants, keyless CI identity, model enablement and allow-list, spend and usage guardrails; the
# gateway's service, job, database, secrets, private network, load balancer, certificate and DNS name; the engine's
# root stack and default providers, and the program's own component resources.
ALLOWED_TYPES = (
    *TEAM_TYPES,
    *(t for t in GATEWAY_TYPES if t not in TEAM_TYPES),
    "pulumi:pulumi:Stack",
    "pulumi:providers:gcp",
    COMPONENT_PROVIDER,
    f"{COMPONENT_PACKAGE}:index:*",
)


# Refused families whose reason is known: the message says what they change, not just that no rule sees them.
WHY_REFUSED = {
    TAG_TYPES: "Tags decide which of the organization's conditional IAM grants and tag-conditioned org policies "
    "apply to a resource (no-resource-manager-tags refuses them even when allowed here); binding them is the "
    "platform team's.",
    **dict.fromkeys(
        ("gcp:cloudrunv2/*Iam*", "gcp:cloudrun/iam*"),
        "An invoker grant on Cloud Run decides who may call the service, and is how allUsers reaches one; the "
        "gateway grants none: it authenticates every request itself behind internal-only ingress "
        f"(gateway-ingress-internal), so {', '.join(CLOUD_RUN_IAM_TYPES)} and their kin are refused.",
    ),
}


def check(resource_type: str, name: str, parent: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if not matches_any(resource_type, [*config["allowedTypes"], *config["additionalTypes"]]):
        why = next(
            (reason for family, reason in WHY_REFUSED.items() if matches_any(resource_type, (family,))),
            "The other rules cannot see what it grants or runs, so it is refused until the platform team reviews it "
            "and adds it to additionalTypes.",
        )
        return [f"{resource_type} is not a resource type this pack allows in a team or gateway stack. {why}"]
    if is_provider_type(resource_type):
        sources = config["componentSources"] if resource_type == COMPONENT_PROVIDER else ()
        return _not_a_default_provider(resource_type, name, parent, props, sources) + _component_provider_settings(
            resource_type, name, props
        )
    return []


def _component_provider_settings(resource_type: str, name: str, props: dict[str, Any]) -> list[str]:
    """The component package's provider takes no settings: the engine hands it the stack's `claude-vertex:*` config,
    which means nothing to the plugin (a team's inputs are the component's, never the provider's)."""
    if resource_type != COMPONENT_PROVIDER:
        return []
    settings = sorted(key for key in props if key != "version")
    if not settings:
        return []
    named = ", ".join(f"{key} ({COMPONENT_PACKAGE}:{key} in the stack's config)" for key in settings)
    return [
        f"{resource_type} {name!r} is given {named}: the {COMPONENT_PACKAGE} package has no provider settings, so "
        f"a value there is a stack file meant for another program; pass a team's settings as ClaudeVertexTeam's inputs."
    ]


def _not_a_default_provider(
    resource_type: str, name: str, parent: str, props: dict[str, Any], sources: Sequence[str] = ()
) -> list[str]:
    """Why this provider resource is not one the engine registers by default for a program (empty if it is): no
    parent, and the engine's name for its version, with no plugin URL or one of `sources` (the platform's)."""
    version = props.get("version")
    expected = default_name(version)
    if expected is None:
        return [f"{resource_type} {name!r} has version {version!r}, which is not a version the engine runs."]
    if not parent and name in {default_name(version, source) for source in sources}:
        return []
    if parent or name != expected:
        return [
            f"{resource_type} {name!r} is not the engine's default provider (which has no parent and is named "
            f"{expected!r} for this version). A provider the program registers, or a default provider with a "
            "plugin download URL, runs code the pack cannot see: the engine keeps that URL where no policy pack "
            "receives it."
        ]
    return []


RULE = RegistrationRule(
    RuleInfo(
        name="allowed-resource-types",
        description="A team or gateway stack registers only allowlisted resource types (the program's own) and the "
        "engine's default providers; everything else is refused.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the resource, or the explicit provider (let resources use the engine's default "
        "provider). If the platform team has reviewed a type and every rule of this pack still sees what it does, "
        "add its exact type token to additionalTypes in the policy pack config.",
        config={
            "allowedTypes": string_list("Resource types the program registers (exact tokens or globs).", ALLOWED_TYPES),
            "additionalTypes": string_list(
                "More resource types the platform allows on top of allowedTypes (exact tokens or globs).", ()
            ),
            "componentSources": string_list(
                f"Where the platform's reviewed {COMPONENT_PACKAGE} releases come from, as the plugin download URL "
                f"`pulumi package add <repository>/components@<tag>` records (`git://github.com/<owner>/"
                f"{COMPONENT_PACKAGE}/components`): a YAML, TypeScript or Go program gets the component package's "
                "provider from there, and the engine names that provider after the URL.",
                (),
            ),
        },
        equivalents={
            "Checkov": "none",
            "Trivy": "none",
            "Policy Library": "none (it judges assets that exist, not the types a stack declares)",
        },
        tags=("deny-by-default", "inventory"),
    ),
    check,
)


GCP_PROVIDER = "pulumi:providers:gcp"
# Settings that only shape requests (where, how fast, which labels), each with what it may hold
# (`provider_settings.SETTING_VALUES`). Everything else is refused: credentials, access tokens and impersonation
# change *who* deploys; custom endpoints and the universe domain change *where* the deployer's token is sent; a
# plugin download URL changes *what code* runs as the provider.
PROVIDER_SETTINGS = (
    "version",
    "project",
    "region",
    "zone",
    "defaultLabels",
    "addPulumiAttributionLabel",
    "pulumiAttributionLabelAdditionStrategy",
    "batching",
    "billingProject",
    "userProjectOverride",
    "requestReason",
    "requestTimeout",
    "pollInterval",
    "scopes",
    "deletionPolicy",
    "preferGlobalEndpoints",
    "preferRegionalEndpoints",
    "googlePartnerName",
    "disableGooglePartnerName",
)


def check_provider(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != GCP_PROVIDER:
        return []
    messages = []
    refused = sorted(key for key in props if not matches_any(key, config["allowedSettings"]))
    if refused:
        named = ", ".join(f"{key} (gcp:{key} in a stack file)" for key in refused)
        messages.append(
            f"The gcp provider sets {named}: a team stack deploys as the pipeline's own identity, against Google's "
            "own endpoints, with the provider plugin the platform installed."
        )
    if "version" not in props:
        messages.append(
            "The gcp provider has no version: the engine would run whichever gcp plugin is newest on the "
            "deployer's machine."
        )
    for key in sorted(set(props) - set(refused)):
        problem = setting_problem(key, props[key])
        if problem is not None:
            messages.append(f"The gcp provider's {key} (gcp:{key} in a stack file) {problem}.")
    return messages


PROVIDER_SETTINGS_ALLOWED = ResourceRule(
    RuleInfo(
        name="gcp-provider-settings-allowed",
        description="The gcp provider sets only request-shaping settings, each to a value it may hold: no "
        "credentials, impersonation, custom endpoints or plugin URL.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the setting from the provider (and any gcp:* key other than project/region/zone from "
        "the stack file), or give it a value the rule allows: the pipeline's workload identity decides who "
        "deploys, and Google's endpoints are the only ones the deployer's token may be sent to.",
        config={
            "allowedSettings": string_list(
                "gcp provider inputs a stack may set (exact names or globs).", PROVIDER_SETTINGS
            )
        },
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("deny-by-default", "credentials"),
    ),
    check_provider,
)
