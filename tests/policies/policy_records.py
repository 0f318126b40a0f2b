"""Resource records in the exact shape `tools.preview` captures them, and the stacks the program emits.

A record is `{urn, type, name, parent, dependencies, propertyDependencies, protect, inputs}` with wire
(camelCase) input names. A whole team stack is never written here by hand: `program_stack()` renders the
real program (tests.support.render under the GCP mocks, either as after `pulumi up` or as during `pulumi preview`),
so a rule that breaks the real program fails its tests. The builders below are for rule fixtures.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tests.support.default_providers import default_provider_name, provider_type
from tests.support.gcp_mocks import GcpMocks
from tests.support.render import render_stack
from tools.stack_file import ROOT, read_stack

PROJECT = "claude-vertex"
STACK = "dev"

PROJECT_T = "gcp:organizations/project:Project"
SERVICE_T = "gcp:projects/service:Service"
ROLE_T = "gcp:projects/iAMCustomRole:IAMCustomRole"
ORG_ROLE_T = "gcp:organizations/iAMCustomRole:IAMCustomRole"
ACCOUNT_T = "gcp:serviceaccount/account:Account"
PROJECT_MEMBER_T = "gcp:projects/iAMMember:IAMMember"
PROJECT_BINDING_T = "gcp:projects/iAMBinding:IAMBinding"
PROJECT_POLICY_T = "gcp:projects/iAMPolicy:IAMPolicy"
SA_MEMBER_T = "gcp:serviceaccount/iAMMember:IAMMember"
SA_BINDING_T = "gcp:serviceaccount/iAMBinding:IAMBinding"
SA_POLICY_T = "gcp:serviceaccount/iAMPolicy:IAMPolicy"
ORG_MEMBER_T = "gcp:organizations/iAMMember:IAMMember"
FOLDER_MEMBER_T = "gcp:folder/iAMMember:IAMMember"
FOLDER_BINDING_T = "gcp:folder/iAMBinding:IAMBinding"
KEY_T = "gcp:serviceaccount/key:Key"
HMAC_T = "gcp:storage/hmacKey:HmacKey"
POOL_T = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool"
PROVIDER_T = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
POOL_MEMBER_T = "gcp:iam/workloadIdentityPoolIamMember:WorkloadIdentityPoolIamMember"
BUCKET_MEMBER_T = "gcp:storage/bucketIAMMember:BucketIAMMember"
STACK_T = "pulumi:pulumi:Stack"

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
POOL_NAME = "projects/123456789012/locations/global/workloadIdentityPools/claude-platform"
VERTEX_PERMISSIONS = ["aiplatform.endpoints.predict", "aiplatform.endpoints.computeTokens"]


def urn(type_: str, name: str, parent_types: Sequence[str] = ()) -> str:
    """`urn:pulumi:dev::claude-vertex::<parent types joined by $>$<type>::<name>`."""
    qualified = "$".join([*parent_types, type_])
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


def record(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    parent: dict[str, Any] | None = None,
    depends_on: Iterable[dict[str, Any]] = (),
    property_dependencies: dict[str, list[dict[str, Any]]] | None = None,
    protect: bool = False,
    outputs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One record; `parent` / `depends_on` / `property_dependencies` take other records.

    `outputs` are what GCP computes once applied (a pool's `name`, a project's `number`): `AnalyzeStack` sees them
    on top of the inputs, `Analyze` never does.
    """
    parent_types = _type_chain(parent) if parent else ()
    prop_deps = {k: [r["urn"] for r in v] for k, v in (property_dependencies or {}).items()}
    dependencies = list(dict.fromkeys([*(r["urn"] for r in depends_on), *(u for v in prop_deps.values() for u in v)]))
    return {
        "urn": urn(type_, name, parent_types),
        "type": type_,
        "name": name,
        "parent": parent["urn"] if parent else urn(STACK_T, f"{PROJECT}-{STACK}"),
        "dependencies": dependencies,
        "propertyDependencies": prop_deps,
        "protect": protect,
        "inputs": dict(inputs or {}),
        **({"outputs": {**(inputs or {}), **outputs}} if outputs is not None else {}),
    }


def _type_chain(rec: dict[str, Any]) -> tuple[str, ...]:
    qualified = rec["urn"].split("::")[2]
    return tuple(qualified.split("$"))


def stack_root() -> dict[str, Any]:
    return {
        "urn": urn(STACK_T, f"{PROJECT}-{STACK}"),
        "type": STACK_T,
        "name": f"{PROJECT}-{STACK}",
        "parent": "",
        "dependencies": [],
        "propertyDependencies": {},
        "protect": False,
        "inputs": {},
    }


def default_provider(package: str, inputs: dict[str, Any] | None = None, *, version: str = "") -> dict[str, Any]:
    """A provider resource as the engine registers it for a program: no parent, the engine's name for `version`."""
    settings = {**(inputs or {}), **({"version": version} if version else {})}
    return {**record(provider_type(package), default_provider_name(version), settings), "parent": ""}


def component(kind: str, name: str) -> dict[str, Any]:
    return record(f"claude-vertex:index:{kind}", name)


def project_member(name: str, role: str, member: str, project: str = "claude-platform-dev", **extra: Any) -> dict:
    return record(PROJECT_MEMBER_T, name, {"project": project, "role": role, "member": member}, **extra)


def sa_member(name: str, role: str, member: str, account: str = "claude-agent", **extra: Any) -> dict:
    sa = f"projects/claude-platform-dev/serviceAccounts/{account}@claude-platform-dev.iam.gserviceaccount.com"
    return record(SA_MEMBER_T, name, {"serviceAccountId": sa, "role": role, "member": member}, **extra)


def provider(
    name: str,
    condition: Any,
    *,
    issuer: str = GITHUB_ISSUER,
    mapping: dict | None = None,
    pool: str = POOL_NAME,
    **extra: Any,
) -> dict:
    """A provider of pool `claude-platform` as GCP names it once applied (`pool` is the pool's full name)."""
    inputs: dict[str, Any] = {
        "project": "claude-platform-dev",
        "workloadIdentityPoolId": "claude-platform",
        "workloadIdentityPoolProviderId": name,
        "attributeMapping": mapping
        if mapping is not None
        else {
            "google.subject": "assertion.sub",
            "attribute.repository": "assertion.repository",
            "attribute.repository_owner": "assertion.repository_owner",
            "attribute.project_path": "assertion.project_path",
            "attribute.ref": "assertion.ref",
        },
        "oidc": {"issuerUri": issuer},
    }
    if condition is not None:
        inputs["attributeCondition"] = condition
    return record(PROVIDER_T, name, {**inputs, **extra}, outputs={"name": f"{pool}/providers/{name}"})


def program_stack(
    *,
    team: str = "platform",
    project_id: str = "claude-platform-dev",
    members: Sequence[str] = ("group:platform-devs@example.com",),
    accounts: Sequence[tuple[str, Sequence[str]]] = (("claude-agent", ("group:platform-devs@example.com",)),),
    github: Sequence[str] = (),
    gitlab: Sequence[str] = (),
    gitlab_issuer: str | None = None,
    deletion_protection: bool = True,
    create: bool = True,
    gcp: dict[str, Any] | None = None,
    preview: bool = False,
    project: dict[str, Any] | None = None,
    vertex: dict[str, Any] | None = None,
    guardrails: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """What the engine sends the policy pack for this team stack, the real program rendered under the GCP mocks.

    `preview=True` is a real `pulumi preview` of a new stack: every computed output (the role's `name`, an
    account's `member`, the pool's `name` ...) is unknown, and only the property dependencies say where it
    comes from. The records are plain dicts (fixtures may derive bad variants from them): the root stack first
    as the engine has it, then every registration, the engine's default providers (`pulumi:providers:gcp`,
    `pulumi:providers:pulumi-python`) included, each custom resource with its `provider`. `gcp` is stack config
    under the `gcp:` namespace (`{"project": "p"}` is `gcp:project: p`), which the gcp provider gets as inputs.
    `project` adds project keys (`defaultNetworkPolicy`, ...); `vertex` and `guardrails` are those sections of the
    stack file; `create=False` adopts the project instead.
    """
    arguments = json.dumps(
        {
            "team": team,
            "project_id": project_id,
            "members": list(members),
            "accounts": [[name, list(who)] for name, who in accounts],
            "github": list(github),
            "gitlab": list(gitlab),
            "gitlab_issuer": gitlab_issuer,
            "deletion_protection": deletion_protection,
            "create": create,
            "gcp": gcp,
            "preview": preview,
            "project": project,
            "vertex": vertex,
            "guardrails": guardrails,
        },
        sort_keys=True,
    )
    # The case table asks for the same few stacks again and again (87 asks, 25 stacks): each is rendered once per
    # process, and every caller gets its own copy, free to derive a bad variant from.
    return copy.deepcopy(_rendered_program_stack(arguments))


@functools.cache
def _rendered_program_stack(arguments: str) -> list[dict[str, Any]]:
    """`program_stack`'s rendering, keyed by its arguments as JSON (hashable, and equal for equal arguments)."""
    return _render_program_stack(**json.loads(arguments))


def _render_program_stack(
    *,
    team: str,
    project_id: str,
    members: Sequence[str],
    accounts: Sequence[Sequence[Any]],
    github: Sequence[str],
    gitlab: Sequence[str],
    gitlab_issuer: str | None,
    deletion_protection: bool,
    create: bool,
    gcp: dict[str, Any] | None,
    preview: bool,
    project: dict[str, Any] | None,
    vertex: dict[str, Any] | None,
    guardrails: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    ci: dict[str, Any] = {}
    if github:
        ci["github"] = {"repositories": list(github)}
    if gitlab:
        ci["gitlab"] = {"projects": list(gitlab), **({"issuerUri": gitlab_issuer} if gitlab_issuer else {})}
    config: dict[str, Any] = {
        "claude-vertex:team": team,
        "claude-vertex:project": {"id": project_id, "create": False}
        if not create
        else {
            "id": project_id,
            "billingAccount": "012345-6789AB-CDEF01",
            "folderId": "123456789012",
            "deletionProtection": deletion_protection,
            **(project or {}),
        },
        "claude-vertex:access": {
            "members": list(members),
            "serviceAccounts": [{"id": sa, "impersonators": list(who)} for sa, who in accounts],
        },
        **({"claude-vertex:ci": ci} if ci else {}),
        **({"claude-vertex:vertex": vertex} if vertex else {}),
        **({"claude-vertex:guardrails": guardrails} if guardrails is not None else {}),
        **{f"gcp:{key}": value for key, value in (gcp or {}).items()},
    }
    rendering = render_stack(STACK, config, mocks=GcpMocks(preview=preview), project=PROJECT)
    return [dict(r) for r in rendering.analyzed]


def with_inputs(records: Iterable[dict[str, Any]], name: str, /, **inputs: Any) -> list[dict[str, Any]]:
    """The records with one resource's inputs changed: a program edited to do what the rule must catch.

    `name` is positional-only, so an input called `name` (an org policy's, say) can be changed too."""
    changed = []
    for rec in records:
        if rec["name"] == name:
            rec = {**rec, "inputs": {**rec["inputs"], **inputs}}
            if rec.get("outputs") is not None:  # as applied: the provider's state carries the inputs
                rec["outputs"] = {**rec["outputs"], **inputs}
        changed.append(rec)
    return changed


def with_grant(records: list[dict[str, Any]], member: str, *, like: str) -> list[dict[str, Any]]:
    """The records plus one more grant, shaped exactly like the grant named `like`, for `member`."""
    template = named(records, like)
    prefix = like.rsplit("-grant-", 1)[0]
    name = f"{prefix}-grant-{member}"
    extra = {
        **template,
        "name": name,
        "urn": template["urn"].rsplit("::", 1)[0] + f"::{name}",
        "inputs": {**template["inputs"], "member": member},
    }
    if template.get("outputs") is not None:
        extra["outputs"] = {**template["outputs"], "member": member}
    return [*records, extra]


def named(records: Iterable[dict[str, Any]], name: str) -> dict[str, Any]:
    """The record with this logical name (tests read better with names than URNs)."""
    matches = [r for r in records if r["name"] == name]
    assert len(matches) == 1, f"{len(matches)} records named {name!r}"
    return matches[0]


GATEWAY_STACKS = Path(__file__).resolve().parents[1] / "stacks" / "gateway"
"""The suite's gateway stack and the two team stacks it serves (tests/stacks/gateway/)."""
GATEWAY_STACK = "gateway"


def gateway_program_stack(*, preview: bool = False, **changes: Any) -> list[dict[str, Any]]:
    """What the engine sends the policy pack for the suite's gateway stack: the real program under the GCP mocks.

    As under `pulumi up`, the program runs in a project directory holding the gateway's stack file and its teams'
    (it reads their config from there). `changes` replace keys of `claude-vertex:gateway` (None removes one).
    `preview=True` is a `pulumi preview` of a new stack, as in `program_stack`. Each rendering is made once, and its
    records are shared: rules never change what they judge, and the builders here (`with_inputs`, ...) copy a record
    before they change it.
    """
    return list(_gateway_rendering(preview, json.dumps(changes, sort_keys=True)))


@functools.cache
def _gateway_rendering(preview: bool, changes: str) -> tuple[dict[str, Any], ...]:
    config = read_stack(GATEWAY_STACKS / f"Pulumi.{GATEWAY_STACK}.yaml", ROOT)[1]
    for key, value in json.loads(changes).items():
        if value is None:
            config["claude-vertex:gateway"].pop(key, None)
        else:
            config["claude-vertex:gateway"][key] = value
    with tempfile.TemporaryDirectory() as directory, contextlib.chdir(directory):
        shutil.copy(ROOT / "Pulumi.yaml", directory)
        for stack_file in GATEWAY_STACKS.glob("Pulumi.*.yaml"):
            shutil.copy(stack_file, directory)
        rendering = render_stack(GATEWAY_STACK, config, mocks=GcpMocks(preview=preview), project=PROJECT)
    return tuple(dict(r) for r in rendering.analyzed)
