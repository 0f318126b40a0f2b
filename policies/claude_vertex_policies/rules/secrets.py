"""The gateway's credentials: out of the Pulumi state, and readable by the stack's own accounts only.

The gateway holds the OIDC client secret, its session JWT secret, the database password and the admin keys. The
stack creates the Secret Manager secrets that hold them and who may read each, never their values: a value in a
resource's inputs is in the state file, its backups and every `pulumi stack export`, encrypted or not. So
`no-credentials-in-state` refuses the inputs that carry one (a database user's or root password, a certificate's
private key, a Cloud Run environment variable named like a credential with a plain value); the one secret version
the stack writes, the gateway's config, must hold `${VAR}` / `${file:/abs}` references in every credential field
(`secret-versions-hold-references-only`); and `secrets-read-by-own-accounts` keeps every secret readable by an
account of this stack only, on a secret of this stack only, with nothing project-wide.

A Pulumi secret reaches the pack as the engine's secret marker; the SDK unwraps it before a rule runs, and
`values.revealed` does the same for any other driver, so a marked value is judged like any other and a marker
without a value is refused, never skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claude_vertex_gcp.iam import SECRET_MANAGER_ROLES
from claude_vertex_gcp.resource_types import (
    CERTIFICATE,
    CLOUD_RUN_JOB,
    CLOUD_RUN_SERVICE,
    SECRET,
    SECRET_VERSION,
    SQL_INSTANCE,
    SQL_USER,
)
from pulumi_policy import EnforcementLevel, Severity

from .. import gateway_config
from ..grants import FOLDER, ORGANIZATION, PROJECT, grants_of
from ..values import UNREADABLE_SECRET, is_unknown, known_str, labelled, maybe_true, revealed, shown
from .base import EngineStack, ResourceRule, RuleInfo, StackResource, StackRule, matches_any
from .own_project import own_account_problem, own_accounts, own_project
from .stack import dependencies

SECRET_MODULE = "gcp:secretmanager/"
"""Every IAM type of the Secret Manager module (secret, regional secret) guards reading a secret's values."""
_CREDENTIAL_INPUTS = {
    SQL_USER: ("password", "passwordWo"),
    SQL_INSTANCE: ("rootPassword", "rootPasswordWo"),
    CERTIFICATE: ("selfManaged",),
}
"""Inputs that carry a credential value: the database user's and root password, a certificate's own private key."""


def _env_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Cloud Run environment variables named like a credential (`JWT_SECRET`) with a plain `value`."""
    template = props.get("template")
    if resource_type == CLOUD_RUN_JOB:
        template = template.get("template") if isinstance(template, Mapping) else None
    containers = template.get("containers") if isinstance(template, Mapping) else None
    problems = []
    for container in containers if isinstance(containers, list) else []:
        envs = container.get("envs") if isinstance(container, Mapping) else None
        for env in envs if isinstance(envs, list) else []:
            name = env.get("name") if isinstance(env, Mapping) else None
            if isinstance(name, str) and gateway_config.CREDENTIAL_KEY.search(name) and env.get("value") is not None:
                problems.append(f"environment variable {name} is given a value instead of a secretKeyRef")
    return problems


def check_credentials_in_state(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    problems = [f"{key} is set" for key in _CREDENTIAL_INPUTS.get(resource_type, ()) if props.get(key) is not None]
    if resource_type in {CLOUD_RUN_SERVICE, CLOUD_RUN_JOB}:
        problems += _env_problems(resource_type, props)
    kind = resource_type.rsplit(":", 1)[-1]
    return [
        f"{labelled(kind, props)}: {problem}, so the credential is in the stack's state (and every export "
        "and backup of it); create it outside Pulumi and reference it from Secret Manager."
        for problem in problems
    ]


NO_CREDENTIALS_IN_STATE = ResourceRule(
    RuleInfo(
        name="no-credentials-in-state",
        description="No credential in a resource's inputs: no database or root password, no certificate private "
        "key, no credential-named plain environment variable.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Create the value outside Pulumi (the gateway's `make gateway-secrets` adds secret versions from "
        "the deployer's machine), read it from Secret Manager (a Cloud Run env's valueSource.secretKeyRef), let "
        "Certificate Manager issue the certificate (managed), and set the database user's password outside state.",
        equivalents={
            "Checkov": "CKV_SECRET_* (hard-coded secrets in code, by pattern)",
            "Trivy": "none (its secret scanner reads files, not stack inputs)",
            "Policy Library": "none",
        },
        tags=("gateway", "credentials", "secrets"),
    ),
    check_credentials_in_state,
)


def _config_problems(props: Mapping[str, Any]) -> list[str]:
    if props.get("secretDataWo") is not None:
        return ["it is given secretDataWo, a value the pack cannot see that Pulumi keeps in the state"]
    if base64 := maybe_true(props.get("isSecretDataBase64")):
        return [f"its secretData is base64 (isSecretDataBase64 is {base64}), which the pack does not decode"]
    data = revealed(props.get("secretData"))
    if data is None:
        return ["it holds no secretData"]
    if data is UNREADABLE_SECRET:
        return ["its secretData is a secret whose value the engine did not send, so it cannot be checked"]
    if is_unknown(data):
        return ["its secretData is unknown until apply, so its credentials cannot be checked in the preview"]
    if not isinstance(data, str):
        return ["its secretData is not text"]
    try:
        document = gateway_config.parse(data)
    except gateway_config.GatewayConfigError as error:
        return [f"its secretData is not a gateway.yaml the pack can read: {error}"]
    return gateway_config.credential_problems(document)


def check_secret_versions(resource_type: str, props: dict[str, Any], config: Mapping[str, Any]) -> list[str]:
    if resource_type != SECRET_VERSION:
        return []
    problems = _config_problems(props)
    if not problems:
        return []
    return [
        f"Secret version of {shown(revealed(props.get('secret')))}: {'; '.join(problems)}. The stack writes one "
        "secret version, the gateway's config, and every credential in it is a reference the gateway resolves at "
        "boot; the values themselves are added outside Pulumi."
    ]


SECRET_VERSIONS_HOLD_REFERENCES_ONLY = ResourceRule(
    RuleInfo(
        name="secret-versions-hold-references-only",
        description="A secret version holds a gateway.yaml the pack can read, whose every credential field is a "
        "${VAR} or ${file:/abs} reference.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Render the gateway's config with ${VAR} references for jwt_secret, client_secret, the database "
        "password and the admin keys (the gateway component does), and add the values as versions of their own "
        "secrets outside Pulumi (`make gateway-secrets`).",
        equivalents={
            "Checkov": "none (CKV_SECRET_* scan code for hard-coded secrets by pattern)",
            "Trivy": "none",
            "Policy Library": "none",
        },
        tags=("gateway", "credentials", "secrets", "deny-by-default"),
    ),
    check_secret_versions,
)


def _named_secret(reference: str, project: str | None) -> tuple[str | None, str]:
    """(project, secret ID) of `projects/<p>/secrets/<id>`, `<p>/<id>` or a bare `<id>` (in `project`)."""
    parts = reference.split("/")
    if len(parts) == 4 and parts[0] == "projects" and parts[2] == "secrets":
        return parts[1], parts[3]
    if len(parts) == 2:
        return parts[0], parts[1]
    return project, reference


def _own_secrets(resources: Sequence[StackResource]) -> tuple[set[tuple[str | None, str]], set[str]]:
    """The (project, secret ID) pairs the stack's secrets are known by (ID, number), and their URNs."""
    keys: set[tuple[str | None, str]] = set()
    urns = set()
    for secret in (r for r in resources if r.type == SECRET):
        urns.add(secret.urn)
        secret_id, project = known_str(secret.props.get("secretId")), known_str(secret.props.get("project"))
        if secret_id:
            keys.add((project, secret_id))
        for output in ("id", "name"):
            if (text := known_str(secret.props.get(output))) and text.startswith("projects/"):
                keys.add(_named_secret(text, None))
    return keys, urns


def _secret_problem(
    resource: StackResource, own: tuple[set[tuple[str | None, str]], set[str]], index: Mapping[str, StackResource]
) -> str | None:
    keys, urns = own
    target = resource.props.get("secretId")
    if is_unknown(target):
        if any(d.urn in urns for d in dependencies(resource, ("secretId",), index)):
            return None
        return "a secret unknown at preview that is not one this stack creates"
    text = known_str(target)
    if text and _named_secret(text, known_str(resource.props.get("project"))) in keys:
        return None
    return f"secret {shown(target)}, which this stack does not create"


def check_secret_readers(
    resources: Sequence[StackResource], config: Mapping[str, Any], engine: EngineStack
) -> list[tuple[str, str]]:
    index = {r.urn: r for r in resources}
    accounts = own_accounts(resources, own_project(resources))
    secrets = _own_secrets(resources)
    findings = []
    for resource in resources:
        found = grants_of(resource.type, resource.props)
        if found.iam is None:
            continue
        if resource.type.startswith(SECRET_MODULE):
            where = _secret_problem(resource, secrets, index)
            for grant in found.grants:
                who = own_account_problem(grant.member, grant.shape, resource, accounts, index)
                problems = [p for p in (where and f"it is on {where}", who and f"it goes to {who}") if p]
                if problems:
                    findings.append(
                        (
                            resource.urn,
                            f"Grants {shown(grant.role)} on a secret, but {' and '.join(problems)}: the gateway's "
                            "credentials are read by the gateway's own accounts, and a stack grants access to its own "
                            "secrets only.",
                        )
                    )
        for grant in found.grants:
            broad = grant.scope in {PROJECT, FOLDER, ORGANIZATION}
            if broad and not is_unknown(grant.role) and matches_any(grant.role, (SECRET_MANAGER_ROLES,)):
                findings.append(
                    (
                        resource.urn,
                        f"Grants {grant.role} on {grant.where} to {shown(grant.member)}: on a {grant.scope} it "
                        "reaches every secret there, the gateway's credentials included. Grant "
                        "roles/secretmanager.secretAccessor on the one secret instead.",
                    )
                )
    return list(dict.fromkeys(findings))


SECRETS_READ_BY_OWN_ACCOUNTS = StackRule(
    RuleInfo(
        name="secrets-read-by-own-accounts",
        description="Secret grants go to a service account of this stack, on a secret of this stack; no Secret "
        "Manager role on a project, folder or organization.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Grant roles/secretmanager.secretAccessor on each secret (gcp.secretmanager.SecretIamMember with "
        "secret_id=<secret>.id) to the account that needs it (member=<account>.member), as the gateway component "
        "does; people who must rotate a value get it through the platform team, not a stack.",
        equivalents={
            "Checkov": "none",
            "Trivy": "none",
            "Policy Library": "GCPIAMAllowedBindingsConstraintV3 (allowlist per secret, single-asset only)",
        },
        tags=("gateway", "secrets", "iam", "graph"),
    ),
    check_secret_readers,
)
