"""`make gateway-secrets`: the gateway's credentials into Secret Manager and Cloud SQL, never into state or output.

Against a real HTTP server on loopback that answers as Secret Manager, Cloud SQL Admin and Google's token endpoint do
(`tests/support/fake_gateway_apis.py`), reached through the Google provider's endpoint variables, with Application
Default Credentials google-auth reads and refreshes (a workforce-identity file whose token endpoint is the fake's).
The fake starts as `pulumi up` leaves the suite's gateway stack (tests/stacks/gateway/), read off the real program
rendered under the mocks: the secrets it creates (none with a version but gateway.yaml's), its database user without
a password. So the tool finds what it needs only where the program puts it. Every run asserts that no secret value
(generated, given, held by the fake, or the credentials' own), nor any part of one, appears in what the tool printed.
"""

from __future__ import annotations

import copy
import io
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import google_crc32c
import pytest
import yaml
from claude_vertex.render.gateway import (
    ADMIN_WRITE_KEY,
    DATABASE_PASSWORD,
    GATEWAY_SECRETS,
    JWT_SECRET,
    OIDC_CLIENT_SECRET,
    GatewaySecret,
)
from claude_vertex_gcp import resource_types as types

from tests.fixture_stacks import DEV, fixture_args
from tests.support.analyzer.marshal import is_secret
from tests.support.fake_gateway_apis import FakeGatewayApis, GoogleSide, Version, fake_gateway_apis
from tools import gateway_secrets, google_rest
from tools.gateway_apis import SECRET_MANAGER_API, SQL_ADMIN_API, SecretValue, payload
from tools.gateway_secrets import GATEWAY_MINIMUM
from tools.stack_file import ROOT, read_stack

STACKS = Path(__file__).parent / "stacks" / "gateway"
STACK_FILE = STACKS / "Pulumi.gateway.yaml"
CLIENT_SECRET = "Zx81~Qm.4vKp7Tn2Wr9Ly3Hb6Dc0Fs"
"""As an IdP issues one (Entra ID's alphabet: letters, digits, `~`, `.`, `_`, `-`)."""
GENERATED = (JWT_SECRET, DATABASE_PASSWORD, ADMIN_WRITE_KEY)


@dataclass(frozen=True)
class Program:
    """What the program registers for the suite's gateway stack, as `pulumi up` would create it."""

    project: str
    secret_ids: dict[str, str]
    """Each credential's secret, by the environment variable the gateway's Cloud Run service reads it into."""
    versions: dict[str, list[bytes]]
    """Every secret the stack creates, with the versions the stack itself writes (gateway.yaml's)."""
    instance: str
    user: str
    service: str
    region: str


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Program:
    """The real program under the mocks, in a project directory of its own (its teams' stack files beside it)."""
    from tests.support.render import render_stack

    directory = tmp_path_factory.mktemp("gateway-project")
    shutil.copy(ROOT / "Pulumi.yaml", directory)
    for stack_file in STACKS.glob("Pulumi.*.yaml"):
        shutil.copy(stack_file, directory)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        rendering = render_stack("gateway", read_stack(STACK_FILE, ROOT)[1])
    inputs: dict[str, list[dict]] = {}
    for record in rendering.resources:
        inputs.setdefault(record["type"], []).append(record["inputs"])
    [service], [user] = inputs[types.CLOUD_RUN_SERVICE], inputs[types.SQL_USER]
    [container] = service["template"]["containers"]
    versions: dict[str, list[bytes]] = {secret["secretId"]: [] for secret in inputs[types.SECRET]}
    for version in inputs[types.SECRET_VERSION]:
        data = version["secretData"]  # a Pulumi secret, as the provider marks secret_data
        versions[version["secret"].rsplit("/", 1)[1]].append((data["value"] if is_secret(data) else data).encode())
    return Program(
        project=service["project"],
        secret_ids={
            e["name"]: e["valueSource"]["secretKeyRef"]["secret"] for e in container["envs"] if "valueSource" in e
        },
        versions=versions,
        instance=user["instance"],
        user=user["name"],
        service=service["name"],
        region=service["location"],
    )


def as_pulumi_up_left_it(program: Program) -> GoogleSide:
    side = GoogleSide(project=program.project)
    for secret_id, written in program.versions.items():
        side.secrets[secret_id] = [
            Version(number, data, google_crc32c.value(data), in_state=True)
            for number, data in enumerate(written, start=1)
        ]
    side.sql_users[(program.instance, program.user)] = None
    return side


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Gateway:
    """The gateway stack file the tool reads, the program's view of it, and the fake Google side."""

    stack_file: Path
    program: Program
    fake: FakeGatewayApis
    capsys: pytest.CaptureFixture[str]

    @property
    def side(self) -> GoogleSide:
        return self.fake.side

    def run(self, *args: str, stdin: bytes = b"", also_secret: tuple[str, ...] = ()) -> Run:
        """The tool, in-process, with `stdin` as a pipe; no secret may appear in what it printed."""
        argv = ["--stack", "gateway", "--config-file", str(self.stack_file), *args]
        code = gateway_secrets.main(argv, stdin=io.TextIOWrapper(io.BytesIO(stdin)))
        out, err = self.capsys.readouterr()
        assert_no_secret(out + err, [*self.side.values(), *also_secret])
        return Run(code, out, err)

    def secret(self, secret: GatewaySecret) -> str:
        return self.program.secret_ids[secret.env]

    def versions(self, secret: GatewaySecret) -> list[Version]:
        return self.side.secrets[self.secret(secret)]

    def password(self) -> str | None:
        return self.side.sql_users[(self.program.instance, self.program.user)]


SHOWN_AT_MOST = 11
"""No run of this many characters and one more, out of any secret value, may appear in what the tool printed."""


def assert_no_secret(printed: str, values: list[str]) -> None:
    """Neither a secret value nor any part of it of more than `SHOWN_AT_MOST` characters was printed."""
    for value in values:
        width = min(len(value), SHOWN_AT_MOST + 1)
        for start in range(len(value) - width + 1):
            assert value[start : start + width] not in printed, "a secret value, or part of one, was printed"


def client_secret_file(tmp_path: Path, text: str = CLIENT_SECRET + "\n") -> Path:
    path = tmp_path / "client-secret"
    path.write_text(text)
    return path


def adc_file(tmp_path: Path, url: str, side: GoogleSide) -> Path:
    """What `gcloud auth application-default login --login-config=...` writes for a workforce identity."""
    info = {
        "type": "external_account_authorized_user",
        "audience": "//iam.googleapis.com/locations/global/workforcePools/acme/providers/acme-idp",
        "client_id": "32555940559.apps.googleusercontent.com",
        "client_secret": side.client_secret,
        "refresh_token": side.refresh_token,
        "token_url": f"{url}/token",
        "token_info_url": f"{url}/introspect",
        "universe_domain": "googleapis.com",
    }
    path = tmp_path / "adc.json"
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def gateway(
    program: Program, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Gateway]:
    with fake_gateway_apis(as_pulumi_up_left_it(program)) as fake:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc_file(tmp_path, fake.url, fake.side)))
        monkeypatch.setenv(SECRET_MANAGER_API.endpoint_variable, f"{fake.url}/v1/")
        monkeypatch.setenv(SQL_ADMIN_API.endpoint_variable, f"{fake.url}/sql/v1beta4/")
        monkeypatch.setattr(google_rest, "BACKOFF_SECONDS", 0)
        yield Gateway(STACK_FILE, program, fake, capsys)


def first_run(gateway: Gateway, tmp_path: Path) -> Run:
    run = gateway.run("--oidc-client-secret-file", str(client_secret_file(tmp_path)))
    assert run.code == gateway_secrets.EXIT_OK, run.err
    return run


def test_the_first_run_adds_four_versions_and_sets_the_database_password(gateway: Gateway, tmp_path: Path) -> None:
    run = first_run(gateway, tmp_path)
    for secret in GATEWAY_SECRETS:
        assert [v.number for v in gateway.versions(secret)] == [1], secret.slug
    values = {secret.slug: gateway.fake.access(gateway.secret(secret)) for secret in GATEWAY_SECRETS}
    assert values[OIDC_CLIENT_SECRET.slug] == CLIENT_SECRET  # the file's line, without its line break
    assert all(len(values[s.slug]) >= GATEWAY_MINIMUM for s in GENERATED)
    assert len({values[s.slug] for s in GENERATED}) == 3
    assert gateway.password() == values[DATABASE_PASSWORD.slug]
    written_by_the_stack = {i for i, versions in gateway.program.versions.items() if versions}
    assert written_by_the_stack and written_by_the_stack.isdisjoint(gateway.program.secret_ids.values())
    assert all(len(gateway.side.secrets[i]) == 1 for i in written_by_the_stack)  # gateway.yaml's, untouched
    assert "projects/acme-claude-gateway/secrets/acme-gateway-jwt-secret: version 1 added" in run.out
    assert "Cloud SQL: user gateway of instance acme-gateway has the new password" in run.out
    assert "Next: `pulumi up` for stack gateway" in run.out
    assert run.err == ""


def test_the_password_is_set_before_its_secret_version_and_after_every_grant_is_checked(
    gateway: Gateway, tmp_path: Path
) -> None:
    first_run(gateway, tmp_path)
    calls = [r for r in gateway.fake.requests if r.path != "/token"]
    checks = [i for i, r in enumerate(calls) if r.path.endswith(":testIamPermissions")]
    [put] = [i for i, r in enumerate(calls) if r.method == "PUT"]
    [db_version] = [
        i for i, r in enumerate(calls) if r.path.endswith(f"{gateway.secret(DATABASE_PASSWORD)}:addVersion")
    ]
    assert len(checks) == 4 and max(checks) < put < db_version
    assert not any(r.path.endswith(":addVersion") for r in calls[:put])


def test_a_second_run_changes_nothing(gateway: Gateway, tmp_path: Path) -> None:
    first_run(gateway, tmp_path)
    password, writes = gateway.password(), len(gateway.fake.writes())
    run = gateway.run()
    assert run.code == gateway_secrets.EXIT_OK, run.err
    assert len(gateway.fake.writes()) == writes and gateway.password() == password
    assert all(len(gateway.versions(s)) == 1 for s in GATEWAY_SECRETS)
    assert run.out.count("version 1 is enabled; unchanged") == 4
    assert "Nothing to do" in run.out


def test_rotate_jwt_secret_adds_exactly_one_version_and_says_how_to_roll_it_out(
    gateway: Gateway, tmp_path: Path
) -> None:
    first_run(gateway, tmp_path)
    before = gateway.fake.access(gateway.secret(JWT_SECRET))
    writes = len(gateway.fake.writes())
    run = gateway.run("--rotate", JWT_SECRET.slug)
    assert run.code == gateway_secrets.EXIT_OK, run.err
    assert len(gateway.fake.writes()) == writes + 1
    assert [v.number for v in gateway.versions(JWT_SECRET)] == [1, 2]
    after = gateway.fake.access(gateway.secret(JWT_SECRET))
    assert after != before and len(after) >= GATEWAY_MINIMUM
    assert all(len(gateway.versions(s)) == 1 for s in GATEWAY_SECRETS if s is not JWT_SECRET)
    assert "version 2 added (replaces version 1)" in run.out
    assert (
        f"gcloud run services update {gateway.program.service} --project {gateway.program.project} --region "
        f"{gateway.program.region} --update-labels=gateway-secret-versions=1-2-1-1"
    ) in run.out
    assert "developers sign in again (/login)" in run.out


def test_rotate_db_password_changes_the_database_first_and_waits_for_it(gateway: Gateway, tmp_path: Path) -> None:
    first_run(gateway, tmp_path)
    gateway.side.operation_polls = 2  # Cloud SQL answers PENDING, then RUNNING, then DONE
    old = gateway.password()
    run = gateway.run("--rotate", DATABASE_PASSWORD.slug)
    assert run.code == gateway_secrets.EXIT_OK, run.err
    assert gateway.password() != old
    assert gateway.password() == gateway.fake.access(gateway.secret(DATABASE_PASSWORD), "2")
    writes = gateway.fake.writes()[-2:]
    assert [w.method for w in writes] == ["PUT", "POST"]
    polls = [r for r in gateway.fake.requests if "/operations/" in r.path]
    assert len(polls) == 2
    assert "cannot open new database connections" in run.out


def test_a_403_from_secret_manager_is_one_line_naming_the_secret_and_nothing_changes(gateway: Gateway) -> None:
    gateway.side.denied.add(("secretmanager.versions.list", gateway.secret(JWT_SECRET)))
    run = gateway.run(stdin=CLIENT_SECRET.encode())
    assert run.code == gateway_secrets.EXIT_REFUSED
    assert run.err == (
        "error: Secret Manager refused to list the versions of projects/acme-claude-gateway/secrets/"
        "acme-gateway-jwt-secret: 403 PERMISSION_DENIED: Permission 'secretmanager.versions.list' denied for "
        "resource 'projects/acme-claude-gateway/secrets/acme-gateway-jwt-secret' (or it may not exist).\n"
    )
    assert gateway.fake.writes() == []


def test_a_missing_add_grant_is_found_before_the_database_is_touched(gateway: Gateway, tmp_path: Path) -> None:
    gateway.side.denied.add(("secretmanager.versions.add", gateway.secret(ADMIN_WRITE_KEY)))
    run = gateway.run("--oidc-client-secret-file", str(client_secret_file(tmp_path)), also_secret=(CLIENT_SECRET,))
    assert run.code == gateway_secrets.EXIT_REFUSED
    assert run.err.count("\n") == 1
    assert "you do not hold secretmanager.versions.add on" in run.err
    assert "projects/acme-claude-gateway/secrets/acme-gateway-admin-write-key; nothing was changed" in run.err
    assert gateway.fake.writes() == [] and gateway.password() is None


def test_a_database_refusal_adds_no_version_at_all(gateway: Gateway, tmp_path: Path) -> None:
    gateway.side.sql_users = {("another-instance", gateway.program.user): None}
    run = gateway.run("--oidc-client-secret-file", str(client_secret_file(tmp_path)), also_secret=(CLIENT_SECRET,))
    assert run.code == gateway_secrets.EXIT_REFUSED
    assert run.err == (
        "error: Cloud SQL Admin refused to set the password of projects/acme-claude-gateway/instances/acme-gateway/"
        "users/gateway: 404 NOT_FOUND: The Cloud SQL instance does not exist. (has `pulumi up` created the "
        "gateway's database and its user yet?)\n"
    )
    assert [w.method for w in gateway.fake.writes()] == ["PUT"]
    assert all(gateway.versions(s) == [] for s in GATEWAY_SECRETS)


def test_a_version_refused_after_the_password_change_says_how_to_recover(gateway: Gateway, tmp_path: Path) -> None:
    first_run(gateway, tmp_path)
    gateway.side.unavailable["addVersion"] = 1 + google_rest.RETRIES  # every attempt answered 503
    run = gateway.run("--rotate", DATABASE_PASSWORD.slug)
    assert run.code == gateway_secrets.EXIT_REFUSED
    assert run.err.startswith(
        "error: Secret Manager refused to add a version to projects/acme-claude-gateway/secrets/"
        "acme-gateway-db-password: 503 UNAVAILABLE: The service is currently unavailable. Meanwhile the database "
        "user got a new password, which no secret holds: once the cause is fixed, run `make gateway-secrets "
        "STACK=gateway ARGS='--rotate db-password'`\n"
    )
    adds = [r for r in gateway.fake.requests if r.path.endswith("db-password:addVersion")]
    assert len(adds) == 2 + google_rest.RETRIES  # the first run's, then one attempt and its bounded retries
    run = gateway.run("--rotate", DATABASE_PASSWORD.slug)
    assert run.code == gateway_secrets.EXIT_OK, run.err
    assert gateway.password() == gateway.fake.access(gateway.secret(DATABASE_PASSWORD))


def test_a_transient_503_is_retried_and_still_adds_one_version(gateway: Gateway, tmp_path: Path) -> None:
    gateway.side.unavailable["addVersion"] = 1
    first_run(gateway, tmp_path)
    assert all(len(gateway.versions(s)) == 1 for s in GATEWAY_SECRETS)


def test_the_client_secret_from_standard_input(gateway: Gateway) -> None:
    run = gateway.run(stdin=(CLIENT_SECRET + "\n").encode())
    assert run.code == gateway_secrets.EXIT_OK, run.err
    assert gateway.fake.access(gateway.secret(OIDC_CLIENT_SECRET)) == CLIENT_SECRET


def test_the_client_secret_cannot_come_from_the_command_line(gateway: Gateway) -> None:
    """No option takes it; a would-be option is named without its value, and is not mistaken (abbreviated) for
    --oidc-client-secret-file."""
    for argv in (["--oidc-client-secret", CLIENT_SECRET], [f"--oidc-client-secret={CLIENT_SECRET}"], [CLIENT_SECRET]):
        run = gateway.run(*argv, also_secret=(CLIENT_SECRET,))
        assert run.code == gateway_secrets.EXIT_INPUT
        assert run.err.count("\n") == 1 and "never from the command line" in run.err
    assert (
        "--oidc-client-secret (not shown"
        in gateway.run("--oidc-client-secret", CLIENT_SECRET, also_secret=(CLIENT_SECRET,)).err
    )
    assert gateway.fake.requests == []
    actions = gateway_secrets.parser()._actions
    assert {option for action in actions for option in action.option_strings} == {
        "-h",
        "--help",
        "--stack",
        "--config-file",
        "--rotate",
        "--oidc-client-secret-file",
    }


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("", "is empty"),
        ("\n", "is empty"),
        ("   \n", "is empty"),
        ("Kd83.Hq1~Lz6Wm\nPb47_Rt2Xs9Vn\n", "alone on one line"),
        (" Ut4~Gy8.Jk2Mn6Bv\n", "alone on one line"),
        ("Qz8~Wx\n", "fewer than 8 characters"),
    ],
)
def test_an_unusable_client_secret_file_is_refused_before_any_call(
    gateway: Gateway, tmp_path: Path, content: str, complaint: str
) -> None:
    run = gateway.run(
        "--oidc-client-secret-file", str(client_secret_file(tmp_path, content)), also_secret=tuple(content.split())
    )
    assert run.code == gateway_secrets.EXIT_INPUT
    assert run.err.startswith("error: --oidc-client-secret-file ") and complaint in run.err
    assert run.err.count("\n") == 1
    assert gateway.fake.requests == []


def test_an_unreadable_client_secret_file_is_refused_without_showing_its_path(gateway: Gateway, tmp_path: Path) -> None:
    pasted = tmp_path / CLIENT_SECRET
    run = gateway.run("--oidc-client-secret-file", str(pasted), also_secret=(CLIENT_SECRET,))
    assert run.code == gateway_secrets.EXIT_INPUT
    assert run.err == "error: --oidc-client-secret-file: cannot read that file (No such file or directory)\n"


def test_an_empty_standard_input_is_refused_and_nothing_changes(gateway: Gateway) -> None:
    run = gateway.run()
    assert run.code == gateway_secrets.EXIT_INPUT
    assert run.err.startswith("error: standard input is empty: give the client secret the IdP issued")
    assert gateway.fake.writes() == []


def test_a_client_secret_file_for_a_secret_that_has_one_needs_rotate(gateway: Gateway, tmp_path: Path) -> None:
    first_run(gateway, tmp_path)
    run = gateway.run("--oidc-client-secret-file", str(client_secret_file(tmp_path, "Qe5.Vn8~Rt1Yp4Ku7Ij0Ol3Zg\n")))
    assert run.code == gateway_secrets.EXIT_INPUT
    assert "already has version 1: add --rotate oidc-client-secret to replace it" in run.err
    run = gateway.run(
        "--rotate",
        OIDC_CLIENT_SECRET.slug,
        "--oidc-client-secret-file",
        str(client_secret_file(tmp_path, "Qe5.Vn8~Rt1Yp4Ku7Ij0Ol3Zg\n")),
    )
    assert run.code == gateway_secrets.EXIT_OK, run.err
    assert gateway.fake.access(gateway.secret(OIDC_CLIENT_SECRET)) == "Qe5.Vn8~Rt1Yp4Ku7Ij0Ol3Zg"


def test_a_team_stack_is_refused(gateway: Gateway) -> None:
    code = gateway_secrets.main(fixture_args(DEV))
    err = gateway.capsys.readouterr().err
    assert code == gateway_secrets.EXIT_INPUT
    assert err == "error: stack dev is not a gateway stack (it has no claude-vertex:gateway)\n"


def test_an_invalid_gateway_stack_is_the_config_reader_s_one_line(gateway: Gateway, tmp_path: Path) -> None:
    config = copy.deepcopy(read_stack(STACK_FILE, ROOT)[1])
    config["claude-vertex:gateway"]["region"] = "Europe West"
    gateway.stack_file = tmp_path / "Pulumi.gateway.yaml"
    gateway.stack_file.write_text(yaml.safe_dump({"config": config}))
    run = gateway.run()
    assert run.code == gateway_secrets.EXIT_INPUT
    assert run.err.startswith('error: invalid config claude-vertex:gateway.region: "Europe West" — required: a Cloud')
    assert run.err.count("\n") == 1


@pytest.mark.parametrize(
    "endpoint",
    ["http://secretmanager.corp.example/v1/", "https://secretmanager.googleapis.com", "ftp://127.0.0.1/v1/"],
)
def test_an_endpoint_that_would_expose_the_token_or_is_not_a_base_path_is_refused(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    monkeypatch.setenv(SECRET_MANAGER_API.endpoint_variable, endpoint)
    run = gateway.run(stdin=CLIENT_SECRET.encode(), also_secret=(CLIENT_SECRET,))
    assert run.code == gateway_secrets.EXIT_INPUT
    assert run.err.startswith(f"error: GOOGLE_SECRET_MANAGER_CUSTOM_ENDPOINT is {endpoint!r}; allowed: an https")
    assert gateway.fake.requests == []


def test_no_credentials_is_one_line_with_the_fix(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    run = gateway.run(stdin=CLIENT_SECRET.encode(), also_secret=(CLIENT_SECRET,))
    assert run.code == gateway_secrets.EXIT_INPUT
    assert run.err.startswith("error: no usable Application Default Credentials (")
    assert run.err.rstrip().endswith(
        "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)"
    )


def test_credentials_the_token_endpoint_refuses_are_one_line(gateway: Gateway) -> None:
    revoked = gateway.side.refresh_token  # the one the ADC file holds
    gateway.side.refresh_token = "1//04Hs8Kd2Lq6Zt1Xw9Vm3Pr7Nb"
    run = gateway.run(stdin=CLIENT_SECRET.encode(), also_secret=(CLIENT_SECRET, revoked))
    assert run.code == gateway_secrets.EXIT_REFUSED
    assert run.err.startswith("error: Application Default Credentials: google-auth could not get an access token (")
    assert run.err.count("\n") == 1 and gateway.fake.writes() == []


def test_the_payload_carries_the_crc32c_secret_manager_checks() -> None:
    """RFC 3720's check value: CRC32C("123456789") is 0xE3069283."""
    assert payload(SecretValue("123456789")) == {"data": "MTIzNDU2Nzg5", "dataCrc32c": str(0xE3069283)}


def test_a_secret_value_never_prints_itself() -> None:
    value = SecretValue("do-not-show-me-0123456789")
    shown = f"{value} {value!r} {value:>40} {[value]} {value!s}"
    assert "do-not-show-me" not in shown and value.reveal() == "do-not-show-me-0123456789"


@pytest.mark.slow
def test_the_command_as_make_runs_it_with_the_client_secret_piped(gateway: Gateway) -> None:
    """`python -m tools.gateway_secrets` in its own process, the client secret on a pipe, as from a password manager."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.gateway_secrets",
            "--stack",
            "gateway",
            "--config-file",
            str(gateway.stack_file),
        ],
        cwd=ROOT,
        input=CLIENT_SECRET + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert_no_secret(result.stdout + result.stderr, [*gateway.side.values(), CLIENT_SECRET])
    assert gateway.fake.access(gateway.secret(OIDC_CLIENT_SECRET)) == CLIENT_SECRET
    assert gateway.password() == gateway.fake.access(gateway.secret(DATABASE_PASSWORD))


@pytest.mark.slow
def test_at_a_terminal_the_client_secret_is_asked_for_and_not_echoed(gateway: Gateway) -> None:
    """The tool in a pseudo-terminal of its own: the prompt names the client, what is typed is not shown."""
    argv = [sys.executable, "-m", "tools.gateway_secrets", "--stack", "gateway", "--config-file"]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: becomes the tool, its controlling terminal the pseudo-terminal
        try:
            os.chdir(ROOT)
            os.execv(sys.executable, [*argv, str(gateway.stack_file)])
        finally:
            os._exit(127)
    shown = _read_terminal(terminal, until=b"(input not shown): ")
    os.write(terminal, CLIENT_SECRET.encode() + b"\n")
    shown += _read_terminal(terminal, until=None)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    text = shown.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "OAuth client secret the IdP issued for client claude-gateway (input not shown): " in text
    assert_no_secret(text, [*gateway.side.values(), CLIENT_SECRET])
    assert gateway.fake.access(gateway.secret(OIDC_CLIENT_SECRET)) == CLIENT_SECRET


def _read_terminal(terminal: int, until: bytes | None, seconds: float = 30) -> bytes:
    """What the terminal shows, up to `until` (or to the child's exit), within `seconds`."""
    seen, deadline = b"", time.monotonic() + seconds
    while until is None or until not in seen:
        ready, _, _ = select.select([terminal], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            raise AssertionError(f"the terminal showed no {until!r} in {seconds} s: {seen!r}")
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # EIO: the child has exited and closed the terminal
            chunk = b""
        if not chunk:
            break
        seen += chunk
    return seen


def test_make_gateway_secrets_runs_the_tool_with_the_stack_and_args() -> None:
    makefile = (ROOT / "Makefile").read_text()
    block = makefile.split("\ngateway-secrets: venv\n", 1)
    assert len(block) == 2, "no gateway-secrets target"
    assert block[0].rsplit("\n\n", 1)[1].startswith("## ")
    assert block[1].splitlines()[0] == "\t$(BIN)/python -m tools.gateway_secrets --stack $(STACK) $(ARGS)"
    assert "gateway-secrets" in makefile.split(".PHONY:", 1)[1].splitlines()[0]
