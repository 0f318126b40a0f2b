"""Check 2 against the real google-auth code paths: each ADC kind is read from a file like the one gcloud writes,
its token fetched from the fake token endpoint the file names, its principal named, its secrets never printed."""

from __future__ import annotations

import json
from pathlib import Path

from claude_vertex_doctor.credentials import describe
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from doctor_support import DEVELOPER, PROJECT, TOKEN, stack_env
from fake_google import SERVICE_USAGE

POOL = "acme-okta"
PROVIDER = "okta-oidc"
REFRESH = "1//fake-refresh-token-for-doctor-tests-Qw3"
CLIENT_SECRET = "fake-client-secret-for-doctor-tests-9Lm"


def _write(path: Path, info: dict) -> Path:
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


def workforce_adc(tmp_path: Path, url: str, quota_project: str | None = None) -> Path:
    """What `gcloud auth application-default login --login-config=...` writes for a workforce identity."""
    info = {
        "type": "external_account_authorized_user",
        "audience": f"//iam.googleapis.com/locations/global/workforcePools/{POOL}/providers/{PROVIDER}",
        "client_id": "32555940559.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH,
        "token_url": f"{url}/token",
        "token_info_url": f"{url}/introspect",
        "universe_domain": "googleapis.com",
    }
    if quota_project:
        info["quota_project_id"] = quota_project
    return _write(tmp_path / "workforce_adc.json", info)


def service_account_key(tmp_path: Path, url: str) -> tuple[Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "ci-identities",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "claude-ci@ci-identities.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": f"{url}/token",
    }
    return _write(tmp_path / "sa.json", info), pem


def _no_secret(run, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in run.out and secret not in run.err


def test_workforce_identity_is_recognised_and_used(doctor, fake, tmp_path):
    fake.scenario.refresh_tokens.add(REFRESH)
    adc = workforce_adc(tmp_path, fake.url)
    run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(adc)})
    credentials = run.check("credentials")
    assert credentials["status"] == "ok"
    assert "workforce" in credentials["message"]
    assert f"workforcePools/{POOL}/subject/<your IdP subject>" in credentials["message"]
    assert PROVIDER in credentials["message"]


def test_workforce_principal_is_named_exactly_when_the_pool_says_it(doctor, fake, tmp_path):
    principal = f"principal://iam.googleapis.com/locations/global/workforcePools/{POOL}/subject/alice@acme.example"
    fake.scenario.refresh_tokens.add(REFRESH)
    fake.scenario.workforce_principal = principal
    adc = workforce_adc(tmp_path, fake.url)
    run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(adc)})
    assert f"workforce identity {principal}" in run.check("credentials")["message"]
    introspection = next(r for r in fake.requests if r.path == "/introspect")
    assert introspection.headers["authorization"].startswith("Basic ")  # the client authenticates, as RFC 7662
    assert run.code == 0, run.out
    assert any(r.path == "/token" for r in fake.requests)
    _no_secret(run, TOKEN, REFRESH, CLIENT_SECRET)


def test_workforce_quota_project_trap_is_named_before_claude_code_meets_it(doctor, fake, tmp_path):
    fake.scenario.refresh_tokens.add(REFRESH)
    adc = workforce_adc(tmp_path, fake.url, quota_project=PROJECT)
    run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(adc)})
    assert run.code == 1
    trap = run.check("permission.quota-project")
    assert trap["status"] == "fail"
    assert SERVICE_USAGE in trap["message"] and "--disable-quota-project" in trap["fix"]
    model = run.check("model:claude-opus-5-5")
    assert model["status"] == "fail" and "quota project" in model["message"]
    vertex = [r for r in fake.requests if "/locations/" in r.path]
    assert vertex and all(r.headers.get("x-goog-user-project") == PROJECT for r in vertex)
    _no_secret(run, TOKEN, REFRESH, CLIENT_SECRET)


def test_quota_project_with_serviceusage_is_fine(doctor, fake, tmp_path):
    fake.scenario.refresh_tokens.add(REFRESH)
    fake.scenario.grants[(DEVELOPER, "billing-proj")] = {SERVICE_USAGE}
    adc = workforce_adc(tmp_path, fake.url, quota_project="billing-proj")
    run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(adc)})
    assert run.code == 0, run.out
    assert run.check("permission.quota-project")["status"] == "ok"
    assert "quota project billing-proj" in run.check("credentials")["message"]


def test_service_account_key_is_named_and_its_key_never_printed(doctor, fake, tmp_path):
    path, pem = service_account_key(tmp_path, fake.url)
    run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(path)})
    credentials = run.check("credentials")
    assert credentials["status"] == "ok"
    assert "claude-ci@ci-identities.iam.gserviceaccount.com" in credentials["message"]
    assert run.check("credentials.project")["status"] == "warn"
    key_body = pem.splitlines()[5]
    _no_secret(run, TOKEN, key_body, "0123456789abcdef0123456789abcdef01234567")


def test_revoked_sign_in_says_to_sign_in_again(doctor, fake, tmp_path):
    adc = workforce_adc(tmp_path, fake.url)  # the fake token endpoint does not know this refresh token
    run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(adc)})
    assert run.code == 1
    credentials = run.check("credentials")
    assert credentials["status"] == "fail"
    assert "--login-config" in credentials["fix"]
    assert not any("/locations/" in r.path for r in fake.requests)
    _no_secret(run, REFRESH, CLIENT_SECRET)


def test_missing_credentials_file_is_named(doctor, fake, tmp_path):
    run = doctor(stack_env(), token=False, shell={"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "gone.json")})
    check = run.check("credentials")
    assert check["status"] == "fail" and "gone.json" in check["message"]


def test_no_adc_at_all_says_how_to_sign_in(doctor, fake):
    run = doctor(stack_env(), token=False)  # HOME is an empty directory, NO_GCE_CHECK: no metadata server
    check = run.check("credentials")
    assert check["status"] == "fail"
    assert check["fix"].startswith("gcloud auth application-default login")


def test_gcloud_well_known_file_is_found_under_cloudsdk_config(doctor, fake, tmp_path):
    fake.scenario.refresh_tokens.add(REFRESH)
    config = tmp_path / "gcloud-config"
    config.mkdir()
    workforce_adc(config, fake.url).rename(config / "application_default_credentials.json")
    run = doctor(stack_env(), token=False, shell={"CLOUDSDK_CONFIG": str(config)})
    assert run.code == 0, run.out
    assert "gcloud's well-known file" in run.check("credentials")["message"]
    _no_secret(run, TOKEN, REFRESH, CLIENT_SECRET)


def test_each_adc_kind_is_described_without_a_call():
    # google-auth sends a plain user login's refresh to Google's own token endpoint, and an impersonation to
    # Google's own IAM Credentials host, whatever the file says: these kinds are described from the file alone
    # here; the kinds above are exercised end to end against the fake endpoints their files name.
    assert describe({"type": "authorized_user", "refresh_token": REFRESH})[1].startswith("your Google user account")
    kind, principal = describe(
        {
            "type": "impersonated_service_account",
            "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/"
            "serviceAccounts/claude-dev@team-proj.iam.gserviceaccount.com:generateAccessToken",
            "source_credentials": {"type": "authorized_user", "refresh_token": REFRESH},
        }
    )
    assert principal == "service account claude-dev@team-proj.iam.gserviceaccount.com, impersonated by authorized_user"
    kind, principal = describe(
        {
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/providers/github",
        }
    )
    assert kind == "external_account (workload identity)" and "pool ci, provider github" in principal
