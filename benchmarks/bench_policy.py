"""How fast is the policy pack over the analyzer protocol, and what does it add to the offline preview?

    .venv/bin/python benchmarks/bench_policy.py [--resources 1000] [--repeat 5]

Generates a synthetic stack in the exact record shape `tools.preview` captures (one project, its
services, the custom role, service accounts with their project grants and impersonators, a workload
identity pool with GitHub and GitLab providers and per-repository grants, plus the components),
starts the pack as the engine does, and times `Analyze` for every resource and one `AnalyzeStack`.
"Rules evaluated" counts every (resource policy x resource) pair plus every stack policy run: the
work the engine asks of the pack. Prints markdown tables; the numbers go in policies/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

from tools.analyzer import DEFAULT_PACK_DIR, UNKNOWN, PolicyPackServer, run_policy_pack  # noqa: E402

PROJECT, STACK, PROJECT_ID = "claude-vertex", "bench", "claude-bench-dev"
ROLE = f"projects/{PROJECT_ID}/roles/claudeVertexBench"
POOL = "projects/123456789012/locations/global/workloadIdentityPools/claude-bench"


class StackBuilder:
    """Records in the preview's shape, with the parent/dependency edges the program gives them."""

    def __init__(self, preview: bool) -> None:
        self.preview = preview
        self.records: list[dict[str, Any]] = []
        self.root = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"

    def out(self, value: str) -> str:
        """A resource output: unknown during a real preview of a new stack."""
        return UNKNOWN if self.preview else value

    def add(
        self, type_: str, name: str, inputs: dict[str, Any], parent: dict | None = None, **deps: list[dict]
    ) -> dict:
        chain = f"{parent['urn'].split('::')[2]}${type_}" if parent else type_
        prop_deps = {k: [d["urn"] for d in v] for k, v in deps.items()}
        record = {
            "urn": f"urn:pulumi:{STACK}::{PROJECT}::{chain}::{name}",
            "type": type_,
            "name": name,
            "parent": parent["urn"] if parent else self.root,
            "dependencies": sorted({u for v in prop_deps.values() for u in v}),
            "propertyDependencies": prop_deps,
            "protect": False,
            "inputs": inputs,
        }
        self.records.append(record)
        return record


def synthetic_stack(size: int, *, preview: bool) -> list[dict[str, Any]]:
    """A team stack grown to `size` records by adding service accounts and CI repositories."""
    b = StackBuilder(preview)
    access = b.add("claude-vertex:index:VertexAccess", "bench-access", {})
    ci = b.add("claude-vertex:index:CiIdentity", "bench-ci", {})
    project = b.add(
        "gcp:organizations/project:Project",
        "bench-project",
        {"projectId": PROJECT_ID, "name": "Claude bench", "billingAccount": "012345-6789AB-CDEF01",
         "folderId": "123456789012", "labels": {"team": "bench", "managed-by": "pulumi"},
         "autoCreateNetwork": False, "deletionPolicy": "PREVENT"},
    )  # fmt: skip
    for service in ("aiplatform", "iam", "sts", "iamcredentials"):
        b.add("gcp:projects/service:Service", f"bench-{service}-api",
              {"project": PROJECT_ID, "service": f"{service}.googleapis.com", "disableOnDestroy": False},
              project=[project])  # fmt: skip
    role = b.add(
        "gcp:projects/iAMCustomRole:IAMCustomRole",
        "bench-role",
        {"project": PROJECT_ID, "roleId": "claudeVertexBench", "title": "Claude", "stage": "GA",
         "permissions": ["aiplatform.endpoints.predict", "aiplatform.endpoints.computeTokens"]},
        access,
        project=[project],
    )  # fmt: skip
    pool = b.add("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "bench-ci-pool",
                 {"project": PROJECT_ID, "workloadIdentityPoolId": "claude-bench"}, ci, project=[project])  # fmt: skip
    for platform_name, issuer, claim in (
        ("github", "https://token.actions.githubusercontent.com", "repository"),
        ("gitlab", "https://gitlab.com", "project_path"),
    ):
        b.add("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", f"bench-ci-{platform_name}",
              {"project": PROJECT_ID, "workloadIdentityPoolId": "claude-bench",
               "workloadIdentityPoolProviderId": platform_name, "oidc": {"issuerUri": issuer},
               "attributeMapping": {"google.subject": "assertion.sub", f"attribute.{claim}": f"assertion.{claim}"},
               "attributeCondition": f"assertion.{claim} in ['acme/app-0', 'acme/app-1', 'acme/app-2']"},
              ci, workloadIdentityPoolId=[pool])  # fmt: skip
    i = 0
    while len(b.records) < size:
        account_id = f"claude-agent-{i:04d}"
        email = f"{account_id}@{PROJECT_ID}.iam.gserviceaccount.com"
        sa = b.add("gcp:serviceaccount/account:Account", f"bench-sa-{account_id}",
                   {"project": PROJECT_ID, "accountId": account_id, "displayName": account_id}, access,
                   project=[project])  # fmt: skip
        grants: list[tuple[str, str, dict[str, Any], dict[str, list[dict]]]] = [
            ("gcp:projects/iAMMember:IAMMember", f"bench-grant-sa-{account_id}",
             {"project": PROJECT_ID, "role": b.out(ROLE), "member": b.out(f"serviceAccount:{email}")},
             {"role": [role], "member": [sa]}),
            ("gcp:serviceaccount/iAMMember:IAMMember", f"bench-sa-{account_id}-impersonator",
             {"serviceAccountId": b.out(f"projects/{PROJECT_ID}/serviceAccounts/{email}"),
              "role": "roles/iam.serviceAccountTokenCreator", "member": f"group:team-{i}@example.com"},
             {"serviceAccountId": [sa]}),
            ("gcp:serviceaccount/iAMMember:IAMMember", f"bench-ci-github-acme/app-{i}",
             {"serviceAccountId": b.out(f"projects/{PROJECT_ID}/serviceAccounts/{email}"),
              "role": "roles/iam.workloadIdentityUser",
              "member": b.out(f"principalSet://iam.googleapis.com/{POOL}/attribute.repository/acme/app-{i}")},
             {"serviceAccountId": [sa], "member": [pool]}),
        ]  # fmt: skip
        for type_, name, inputs, deps in grants:
            if len(b.records) < size:
                b.add(type_, name, inputs, ci if "ci-github" in name else access, **deps)
        i += 1
    return b.records[:size]


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def bench_protocol(records: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """Median timings of each protocol phase over `repeat` fresh pack processes."""
    phases: dict[str, list[float]] = {"start": [], "configure": [], "analyze": [], "stack": [], "stop": []}
    rules = 0
    for _ in range(repeat):
        server = PolicyPackServer(DEFAULT_PACK_DIR, project=PROJECT, stack=STACK)
        clock = time.perf_counter()
        server.start()
        phases["start"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        server.configure(None)
        info = server.info()
        phases["configure"].append(time.perf_counter() - clock)
        resource_rules = sum(p.policy_type == analyzer_pb2.POLICY_TYPE_RESOURCE for p in info.policies)
        rules = resource_rules * len(records) + len(info.policies) - resource_rules
        clock = time.perf_counter()
        violations = [v for record in records for v in server.analyze(record)]
        phases["analyze"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        violations += server.analyze_stack(records)
        phases["stack"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        server.close()
        phases["stop"].append(time.perf_counter() - clock)
        assert not [v for v in violations if v.level == "mandatory"], violations[:3]
    result = {name: statistics.median(values) for name, values in phases.items()}
    result["rules"] = rules
    return result


def bench_preview(repeat: int) -> dict[str, float]:
    """`python -m tools.preview --stack dev` in-process, with and without the policy pack."""
    from tools import preview

    def run(*extra: str) -> float:
        with quiet():
            return timed(lambda: preview.main(["--stack", "dev", *extra]))

    run("--no-policy")  # warm imports
    without = statistics.median(run("--no-policy") for _ in range(repeat))
    with_policy = statistics.median(run() for _ in range(repeat))
    return {"without": without, "with": with_policy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    print(f"Python {platform.python_version()}, {platform.machine()}, {args.resources} resources, "
          f"median of {args.repeat} runs\n")  # fmt: skip
    print("| stack values | Analyze (all resources) | AnalyzeStack | rules evaluated | rules/s | resources/s |")
    print("|---|---:|---:|---:|---:|---:|")
    startup = []
    for label, preview in (("known (mocks)", False), ("unknown outputs (real preview)", True)):
        records = synthetic_stack(args.resources, preview=preview)
        t = bench_protocol(records, args.repeat)
        startup.append(t)
        evaluated = t["analyze"] + t["stack"]
        print(f"| {label} | {t['analyze'] * 1000:.0f} ms | {t['stack'] * 1000:.0f} ms | {t['rules']:,.0f} | "
              f"{t['rules'] / evaluated:,.0f} | {len(records) / evaluated:,.0f} |")  # fmt: skip
    t = startup[0]
    print("\n| pack lifecycle | time |\n|---|---:|")
    print(f"| start (spawn, port, connect, handshake) | {t['start'] * 1000:.0f} ms |")
    print(f"| GetAnalyzerInfo + Configure | {t['configure'] * 1000:.1f} ms |")
    print(f"| stop | {t['stop'] * 1000:.0f} ms |")

    records = synthetic_stack(args.resources, preview=False)
    whole = statistics.median(
        timed(lambda: run_policy_pack(records, project=PROJECT, stack=STACK)) for _ in range(args.repeat)
    )
    preview_times = bench_preview(args.repeat)
    added = preview_times["with"] - preview_times["without"]
    print("\n| offline preview | time |\n|---|---:|")
    print(f"| `tools.preview --stack dev --no-policy` | {preview_times['without'] * 1000:.0f} ms |")
    print(f"| `tools.preview --stack dev` (with the pack) | {preview_times['with'] * 1000:.0f} ms |")
    print(f"| added by the policy pack (dev stack) | {added * 1000:.0f} ms |")
    print(f"| `run_policy_pack` on {args.resources} resources (start to stop) | {whole * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
