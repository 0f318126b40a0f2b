"""tools/recreate.py: destroy, then up again with the same stack, without a 409.

What a platform engineer notices: the commands undelete exactly the pool and the providers the stack had,
the import file adopts the retained project, pool and providers under the names and parents the program
declares (so the next `pulumi up` matches them instead of creating duplicates), and a project that was
deleted with the stack is called out instead of imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Rendered, config_with
from tests.fixture_stacks import PAYMENTS
from tools import recreate
from tools.preview import load_rendering
from tools.recreate import IMPORT_FLAGS, main, recreate_plan

PROVIDERS_UNDELETE = ("gcloud", "iam", "workload-identity-pools", "providers", "undelete")
CI = {"github": {"repositories": ["acme/payments-app"]}, "gitlab": {"projects": ["acme/payments"]}}


@pytest.fixture
def with_ci(render_config: Callable[..., Rendered]) -> Rendered:
    return render_config(config_with(ci=CI))


def test_the_pool_is_undeleted_before_each_of_its_providers(with_ci: Rendered) -> None:
    plan = recreate_plan(with_ci.rendering)
    where = ["--location=global", "--project=claude-payments-dev"]
    assert plan.undelete == [
        ["gcloud", "iam", "workload-identity-pools", "undelete", "claude-payments", *where],
        [*PROVIDERS_UNDELETE, "github", "--workload-identity-pool=claude-payments", *where],
        [*PROVIDERS_UNDELETE, "gitlab", "--workload-identity-pool=claude-payments", *where],
    ]


def test_the_import_file_adopts_survivors_under_the_programs_own_names_and_parents(with_ci: Rendered) -> None:
    entries = recreate_plan(with_ci.rendering).import_file["resources"]
    by_name = {e["name"]: e for e in entries}
    imported = {(e["type"], e["logicalName"]): e["id"] for e in entries if "id" in e}
    pool = "projects/claude-payments-dev/locations/global/workloadIdentityPools/claude-payments"
    assert imported == {
        ("gcp:organizations/project:Project", "payments-project"): "claude-payments-dev",
        ("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "payments-ci-pool"): pool,
        (
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
            "payments-ci-github",
        ): f"{pool}/providers/github",
        (
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
            "payments-ci-gitlab",
        ): f"{pool}/providers/gitlab",
    }
    # Each imported resource's URN (type, name, parent chain) equals the one the program registers.
    urns = {r["urn"].replace("::pulumi:pulumi:Stack$", "::") for r in with_ci.resources}
    for entry in entries:
        chain, node = [], entry
        while node is not None:
            chain.append(node)
            node = by_name.get(node.get("parent", ""))
        types = "$".join(n["type"] for n in reversed(chain))
        # (The root stack's own type may lead the chain: the import parents top-level entries to it too.)
        assert f"urn:pulumi:test::claude-vertex::{types}::{entry['logicalName']}" in urns, entry
        assert ("id" in entry) != entry.get("component", False)
    assert [e for e in entries if e.get("component")] == [
        {"type": "claude-vertex:index:ClaudeVertexTeam", "name": "r0", "logicalName": "payments", "component": True},
        {
            "type": "claude-vertex:index:TeamProject",
            "name": "r1",
            "logicalName": "payments-project",
            "component": True,
            "parent": "r0",
        },
        {
            "type": "claude-vertex:index:CiIdentity",
            "name": "r3",
            "logicalName": "payments-ci",
            "component": True,
            "parent": "r0",
        },
    ]


def test_without_ci_only_the_project_is_adopted(render_config: Callable[..., Rendered]) -> None:
    plan = recreate_plan(render_config(config_with()).rendering)
    assert plan.undelete == []
    assert [e["type"] for e in plan.import_file["resources"] if "id" in e] == ["gcp:organizations/project:Project"]


def test_a_project_deleted_with_the_stack_is_called_out_not_imported(render_config: Callable[..., Rendered]) -> None:
    project = {
        "id": "claude-scratch",
        "billingAccount": "012345-6789AB-CDEF01",
        "folderId": "123456789012",
        "deletionProtection": False,
    }
    plan = recreate_plan(render_config(config_with(project=project)).rendering)
    assert plan.import_file["resources"] == []
    assert plan.notes == [
        "Project claude-scratch was deleted with the stack (deletionProtection: false); its ID can never be used "
        "again: set project.id to a new ID."
    ]


def test_an_adopted_project_is_neither_imported_nor_undeleted(render_config: Callable[..., Rendered]) -> None:
    plan = recreate_plan(render_config(config_with(project={"id": "shared-ml-prod", "create": False})).rendering)
    assert plan.import_file["resources"] == [] and plan.undelete == [] and plan.notes == []


@pytest.mark.slow
def test_the_cli_writes_the_import_file_and_prints_the_path_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command reads Pulumi.<stack>.yaml beside the program and takes no other stack file: the suite's own
    # stack (CI identity included) is read in its place, so this holds without the repository's examples.
    monkeypatch.setattr(recreate, "load_rendering", lambda stack, _file: load_rendering(stack, PAYMENTS))
    out = tmp_path / "import.json"
    assert main(["--stack", "payments", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    steps = [line for line in printed.splitlines() if not line.startswith("#")]
    assert steps[0].startswith("gcloud iam workload-identity-pools undelete claude-payments ")
    assert steps[-2] == f"pulumi import --stack payments --file {out} {' '.join(IMPORT_FLAGS)}"
    assert steps[-1] == "pulumi up --stack payments --refresh --policy-pack policies"
    assert {e["logicalName"] for e in json.loads(out.read_text())["resources"]} >= {
        "payments-project",
        "payments-ci-pool",
    }


def test_the_cli_refuses_a_stack_name_that_is_not_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "../etc/passwd"]) == 2
    assert "letters, digits" in capsys.readouterr().err
