"""Bring a destroyed team back with the same stack: the exact undelete commands and `pulumi import` file.

After `pulumi destroy`, three things outlive the stack in GCP and make a plain `pulumi up` fail with 409:
the project (kept by deletion protection), and the workload identity pool and each provider (soft-deleted
for 30 days, their IDs held; the Google provider never undeletes them). This renders the real program for
the stack offline, exactly as the preview does, and derives from it what to run:

    python -m tools.recreate --stack payments          # prints the steps, writes recreate-payments.json

so the resource names, parents and IDs in the import file are the program's own, never typed by hand.
The custom role needs nothing within 7 days of its deletion (the provider undeletes it); between 7 and 37
days its ID is held and `access.roleId` must change. Service accounts can be re-created under the same ID.
docs/team-lifecycle.md walks the whole path.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claude_vertex_gcp.names import provider_name, workload_pool_import_id
from claude_vertex_gcp.resource_types import PROJECT, WORKLOAD_IDENTITY_POOL, WORKLOAD_IDENTITY_POOL_PROVIDER

from tests.support.render import Rendering
from tools.preview import ConfigInvalid, load_rendering

# Unprotected like everything the program declares; the program's code is the declaration, not generated code.
IMPORT_FLAGS = ("--protect=false", "--generate-code=false", "--yes")
STACK_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@dataclass(frozen=True)
class Plan:
    """What to run, in order, and the import file's content."""

    undelete: list[list[str]]
    import_file: dict[str, Any]
    notes: list[str]


def _pool_id(inputs: dict[str, Any]) -> str:
    return workload_pool_import_id(inputs["project"], inputs["workloadIdentityPoolId"])


def _import_id(record: dict[str, Any]) -> str:
    """The ID `pulumi import` takes for each type (pulumi-gcp's documented import formats)."""
    inputs = record["inputs"]
    if record["type"] == PROJECT:
        return str(inputs["projectId"])
    if record["type"] == WORKLOAD_IDENTITY_POOL:
        return _pool_id(inputs)
    return provider_name(_pool_id(inputs), inputs["workloadIdentityPoolProviderId"])


def recreate_plan(rendering: Rendering) -> Plan:
    """Undelete commands for the pool and each provider, and an import file for everything that survived."""
    by_urn = {r["urn"]: r for r in rendering.resources}
    survivors = [
        r
        for r in rendering.resources
        if (r["type"] == PROJECT and r["retainOnDelete"])
        or r["type"] in (WORKLOAD_IDENTITY_POOL, WORKLOAD_IDENTITY_POOL_PROVIDER)
    ]
    entries: dict[str, dict[str, Any]] = {}

    def entry_for(urn: str) -> str | None:
        """The import-file name of a resource (and of its component ancestors, created empty by the import)."""
        record = by_urn.get(urn)
        if record is None:  # the root stack
            return None
        if urn not in entries:
            parent = entry_for(record["parent"])
            entry: dict[str, Any] = {"type": record["type"], "name": f"r{len(entries)}", "logicalName": record["name"]}
            if record in survivors:
                entry["id"] = _import_id(record)
            else:
                entry["component"] = True
            if parent is not None:
                entry["parent"] = parent
            entries[urn] = entry
        return entries[urn]["name"]

    for record in survivors:
        entry_for(record["urn"])

    undelete: list[list[str]] = []
    for record in [r for r in survivors if r["type"] == WORKLOAD_IDENTITY_POOL] + [
        r for r in survivors if r["type"] == WORKLOAD_IDENTITY_POOL_PROVIDER
    ]:
        inputs = record["inputs"]
        where = ["--location=global", f"--project={inputs['project']}"]
        if record["type"] == WORKLOAD_IDENTITY_POOL:
            undelete.append(["gcloud", "iam", "workload-identity-pools", "undelete", inputs["workloadIdentityPoolId"]])
        else:
            provider = inputs["workloadIdentityPoolProviderId"]
            pool = f"--workload-identity-pool={inputs['workloadIdentityPoolId']}"
            undelete.append(["gcloud", "iam", "workload-identity-pools", "providers", "undelete", provider, pool])
        undelete[-1] += where

    notes = []
    for record in rendering.resources:
        if record["type"] == PROJECT and not record["retainOnDelete"]:
            notes.append(
                f"Project {record['inputs']['projectId']} was deleted with the stack (deletionProtection: false); "
                "its ID can never be used again: set project.id to a new ID."
            )
    return Plan(undelete=undelete, import_file={"resources": list(entries.values())}, notes=notes)


def format_steps(stack: str, plan: Plan, import_path: str) -> str:
    """The whole path, as commands to paste, in order."""
    lines = [f"# Re-create team stack {stack} after `pulumi destroy` (docs/team-lifecycle.md)."]
    lines += [f"# NOTE: {note}" for note in plan.notes]
    if plan.undelete:
        lines.append("# 1. Undelete the soft-deleted workload identity pool, then each of its providers:")
        lines += [shlex.join(command) for command in plan.undelete]
    lines.append("# 2. Adopt what survived the destroy into the (empty) stack, under the program's own names:")
    lines.append(shlex.join(["pulumi", "import", "--stack", stack, "--file", import_path, *IMPORT_FLAGS]))
    lines.append("# 3. Create the rest (and reconcile what was imported):")
    lines.append(shlex.join(["pulumi", "up", "--stack", stack, "--refresh", "--policy-pack", "policies"]))
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.recreate", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="the stack (team) to re-create: Pulumi.<stack>.yaml")
    parser.add_argument("--out", help="where to write the import file (default: recreate-<stack>.json)")
    args = parser.parse_args(argv)
    stack = args.stack
    if not stack or not set(stack) <= STACK_NAME_CHARS:
        print(f"--stack {stack!r}: letters, digits, '.', '_' and '-' only", file=sys.stderr)
        return 2
    try:
        rendering = load_rendering(stack, None)
    except ConfigInvalid as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    plan = recreate_plan(rendering)
    out = args.out or f"recreate-{stack}.json"
    Path(out).write_text(json.dumps(plan.import_file, indent=2) + "\n")
    sys.stdout.write(format_steps(stack, plan, out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
