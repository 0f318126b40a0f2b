"""The gateway's Cloud Run service and job: reachable only from inside the network, run by nobody's account but
the stack's own, and running exactly the image that was reviewed.

The gateway authenticates every request itself (its own OIDC sign-in and session tokens), so its service turns
Cloud Run's IAM invoker check off (`invokerIamDisabled`) and relies on the network alone to keep strangers out:
ingress `INGRESS_TRAFFIC_INTERNAL_ONLY`, reached through the stack's internal load balancer. Google's default ingress
is `INGRESS_TRAFFIC_ALL` (the `run.app` URL answers the internet), and `INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER`
also admits Google's external load balancers, so both are refused, with or without IAP. A job has no ingress: it
is started by the deployment, never called.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from claude_vertex_gcp.members import is_public, parse_member
from claude_vertex_gcp.resource_types import CLOUD_RUN_JOB, CLOUD_RUN_SERVICE, SERVICE_ACCOUNT
from pulumi_policy import EnforcementLevel, Severity

from ..grants import grants_of
from ..values import is_unknown, known_str, labelled, maybe_true, shown
from .base import EngineStack, ResourceRule, RuleInfo, StackResource, StackRule, matches_any
from .own_project import own_accounts, own_project
from .stack import dependencies

INTERNAL_ONLY = "INGRESS_TRAFFIC_INTERNAL_ONLY"
CLOUD_RUN_MODULES = ("cloudrunv2", "cloudrun")
"""The provider's Cloud Run modules (v2, and v1's Knative-style resources): every IAM type in them guards an
invocation."""
CLOUD_RUN_ROLES = "roles/run.*"
"""Every predefined Cloud Run role: granted on a project or a folder, each reaches the gateway's service."""
IMAGE_BY_DIGEST = re.compile(r"^[^\s@]+@sha256:[0-9a-f]{64}$")
"""`<registry>/<path>@sha256:<64 hex>`: the one form that names exactly one image, whatever a tag points at later."""


def check_ingress(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != CLOUD_RUN_SERVICE:
        return []
    ingress = props.get("ingress")
    if known_str(ingress) == INTERNAL_ONLY:
        return []
    which = (
        "absent, which is Google's default INGRESS_TRAFFIC_ALL: the run.app URL answers the whole internet"
        if ingress is None
        else f"{shown(ingress)}: Google's external load balancers reach it too"
        if known_str(ingress) == "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
        else f"{shown(ingress)}, which is not internal-only"
    )
    what = labelled("Cloud Run service", props)
    messages = [f"{what} has ingress {which}."]
    if disabled := maybe_true(props.get("invokerIamDisabled")):
        iap = "absent" if props.get("iapEnabled") is None else shown(props.get("iapEnabled"))
        messages.append(
            f"{what} turns the IAM invoker check off (invokerIamDisabled is {disabled}) without internal-only "
            f"ingress: anyone who reaches it may call it, and IAP (iapEnabled is {iap}) does not make a public "
            "gateway private."
        )
    return messages


GATEWAY_INGRESS_INTERNAL = ResourceRule(
    RuleInfo(
        name="gateway-ingress-internal",
        description="A Cloud Run service takes internal-only ingress (INGRESS_TRAFFIC_INTERNAL_ONLY); with any "
        "other, the invoker check is never turned off.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set ingress to INGRESS_TRAFFIC_INTERNAL_ONLY (the gateway component does) and reach the "
        "service through the stack's internal Application Load Balancer; developers reach that over the company "
        "network or VPN, never the internet.",
        equivalents={
            "Checkov": "none (CKV_GCP_102 judges Cloud Run v1 invoker grants only)",
            "Trivy": "none",
            "Policy Library": "none (the org policy constraint run.allowedIngress does it for a whole folder)",
        },
        tags=("gateway", "network", "public-access"),
    ),
    check_ingress,
)


def check_public_invoker(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    module = resource_type.removeprefix("gcp:").split("/", 1)[0]
    on_cloud_run = resource_type.startswith("gcp:") and module in CLOUD_RUN_MODULES
    messages = []
    for grant in grants_of(resource_type, props).grants:
        cloud_run_role = not is_unknown(grant.role) and matches_any(grant.role, (CLOUD_RUN_ROLES,))
        if not (on_cloud_run or cloud_run_role) or is_unknown(grant.member):
            continue
        if is_public(parse_member(grant.member)):
            messages.append(
                f"Grants {shown(grant.role)} on {grant.where} to {grant.member}: anyone could invoke the Cloud Run "
                "service, the gateway included, and a gateway answers whoever reaches it with the platform's Vertex "
                "credentials behind it."
            )
    return list(dict.fromkeys(messages))


GATEWAY_NO_PUBLIC_INVOKER = ResourceRule(
    RuleInfo(
        name="gateway-no-public-invoker",
        description="No Cloud Run invoker grant (any Cloud Run IAM type, or a roles/run.* role anywhere) goes to "
        "allUsers or allAuthenticatedUsers.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the grant. The gateway needs none: its service turns the invoker check off behind "
        "internal-only ingress and signs every developer in itself.",
        equivalents={
            "Checkov": "CKV_GCP_102 (google_cloud_run_service_iam_member / _binding, v1 only)",
            "Trivy": "none",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (denylist allUsers, allAuthenticatedUsers)",
        },
        tags=("gateway", "iam", "public-access"),
    ),
    check_public_invoker,
)


def _templates(resource_type: str, props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The revision (service) or task (job) template: what runs, and as whom; None when unreadable."""
    template = props.get("template")
    if resource_type == CLOUD_RUN_JOB:
        template = template.get("template") if isinstance(template, Mapping) else None
    return template if isinstance(template, Mapping) else None


def check_image(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type not in {CLOUD_RUN_SERVICE, CLOUD_RUN_JOB}:
        return []
    what = labelled(f"Cloud Run {'job' if resource_type == CLOUD_RUN_JOB else 'service'}", props)
    template = _templates(resource_type, props)
    containers = template.get("containers") if template is not None else None
    if not isinstance(containers, list) or not containers:
        return [f"{what} has no containers the pack can read (unknown at preview, or not a list)."]
    messages = []
    for container in containers:
        image = container.get("image") if isinstance(container, Mapping) else None
        if not (isinstance(image, str) and IMAGE_BY_DIGEST.match(image)):
            messages.append(
                f"{what} runs image {shown(image)}, not one named by digest (<image>@sha256:<64 hex>): a tag can be "
                "moved to other code after review."
            )
        elif isinstance(container, Mapping) and container.get("baseImageUri") is not None:
            messages.append(
                f"{what} sets baseImageUri ({shown(container.get('baseImageUri'))}): Google then replaces the base "
                "image under the reviewed digest."
            )
    return messages


GATEWAY_IMAGE_BY_DIGEST = ResourceRule(
    RuleInfo(
        name="gateway-image-by-digest",
        description="Every container of a Cloud Run service or job runs an image named by digest "
        "(<image>@sha256:<64 hex>), with no automatic base image updates.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Reference the gateway image by digest (claude-vertex:gateway's image, as `docker buildx "
        "imagetools inspect` prints it) and leave baseImageUri unset; a new version is a reviewed change of the "
        "digest.",
        equivalents={"Checkov": "none", "Trivy": "none", "Policy Library": "none"},
        tags=("gateway", "supply-chain"),
    ),
    check_image,
)


def _runs_as(resource: StackResource, accounts: Any, index: Mapping[str, StackResource]) -> str | None:
    """Why the service or job does not run as an account of this stack; None when it does."""
    template = _templates(resource.type, resource.props)
    account = template.get("serviceAccount") if template is not None else None
    if is_unknown(account) or (template is None and is_unknown(resource.props.get("template"))):
        sources = [d for d in dependencies(resource, ("template",), index) if d.type == SERVICE_ACCOUNT]
        if sources and all(d.urn in accounts.urns for d in sources):
            return None
        foreign = [f"{d.name} {accounts.foreign[d.urn]}" for d in sources if d.urn in accounts.foreign]
        return (
            f"runs as an account unknown at preview that is not this stack's own ({'; '.join(foreign)})"
            if foreign
            else "runs as an account unknown at preview that comes from no service account of this stack"
        )
    if account is None:
        return (
            "names no serviceAccount, so it runs as the Compute Engine default service account, which holds Editor "
            "on its project by default"
        )
    if (email := known_str(account)) and email.lower() in accounts.emails:
        return None
    return f"runs as {shown(account)}, which is not a service account this stack creates in its own project"


def check_runs_as_own_account(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    index = {r.urn: r for r in resources}
    accounts = own_accounts(resources, own_project(resources))
    findings = []
    for resource in resources:
        if resource.type not in {CLOUD_RUN_SERVICE, CLOUD_RUN_JOB}:
            continue
        why = _runs_as(resource, accounts, index)
        if why is not None:
            kind = "job" if resource.type == CLOUD_RUN_JOB else "service"
            findings.append(
                (
                    resource.urn,
                    f"Cloud Run {kind} {resource.name} {why}: what it runs holds that account's every grant, and the "
                    "gateway's secrets are readable by its own accounts only.",
                )
            )
    return findings


GATEWAY_RUNS_AS_OWN_ACCOUNT = StackRule(
    RuleInfo(
        name="gateway-runs-as-own-account",
        description="A Cloud Run service or job runs as a service account this stack creates in its own project, "
        "never the default account or another stack's.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set template.serviceAccount (a job's template.template.serviceAccount) to the email of an "
        "account this stack creates (the gateway component's `<name>-gateway` and `<name>-gw-caps`).",
        equivalents={
            "Checkov": "none (CKV_GCP_30 / CKV_GCP_31 judge Compute instances' default account)",
            "Trivy": "none",
            "Policy Library": "none",
        },
        tags=("gateway", "service-account", "graph"),
    ),
    check_runs_as_own_account,
)
