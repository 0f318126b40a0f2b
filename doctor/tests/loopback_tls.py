"""A throwaway PKI and a small server on 127.0.0.1 with canned answers, for the gateway path's network tests.

`Pki` makes a CA and issues server certificates (names, validity) with `cryptography`; `CannedServer` serves
HTTP or HTTPS with one certificate, answers each path with a `Canned` reply (status, body, or a hostile habit:
a huge body, a trickle that never ends), records every request, and can be told to stall TLS handshakes. What the
real gateway answers is proven against the real gateway (tests/gateway/test_doctor.py); this server only gives the
doctor's network face what it must survive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.timezone.utc)  # noqa: UP017 (certificates are checked by OpenSSL against the real clock)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Corp"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@dataclass
class Issued:
    cert_file: Path
    key_file: Path
    der: bytes

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest()


class Pki:
    """One CA (its PEM in `ca_file`) that issues server certificates into `directory`."""

    def __init__(self, directory: Path, name: str = "Example Corp Test CA") -> None:
        self.directory = directory
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=30))
            .not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        directory.mkdir(parents=True, exist_ok=True)
        self.ca_file = directory / f"{name.replace(' ', '-')}.pem"
        self.ca_file.write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))

    def issue(
        self,
        names: Sequence[str] = ("gateway.test", "127.0.0.1"),
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        alt: list[x509.GeneralName] = []
        for name in names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(self.ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - dt.timedelta(days=1))
            .not_valid_after(not_after or NOW + dt.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        stem = self.directory / f"server-{cert.serial_number}"
        cert_file, key_file = stem.with_suffix(".pem"), stem.with_suffix(".key")
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return Issued(cert_file, key_file, cert.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class Canned:
    """One path's answer. `huge` streams that many bytes; `trickle` sends a byte every `trickle` seconds, forever."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    huge: int = 0
    trickle: float = 0.0


GATEWAY_PROBES = {"/healthz": Canned(200, b"ok", "text/plain"), "/readyz": Canned(200, b"ready", "text/plain")}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CannedServer:
    """HTTP(S) on 127.0.0.1; `answers` maps a path to its `Canned` reply (404 for any other path)."""

    certificate: Issued | None = None
    answers: dict[str, Canned] = field(default_factory=lambda: dict(GATEWAY_PROBES))
    stall_tls: bool = False
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, host: str = "127.0.0.1") -> str:
        return f"{'https' if self.certificate else 'http'}://{host}:{self.port}"

    def __enter__(self) -> CannedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: CannedServer) -> None:
        self.owner = owner
        self.context: ssl.SSLContext | None = None
        if owner.certificate is not None:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(owner.certificate.cert_file, owner.certificate.key_file)
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Per connection, in its own thread: stall, or shake hands, then serve."""
        if self.owner.stall_tls:
            self.owner._stop.wait(30)
            return
        if self.context is not None:
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (the doctor at its limits) is expected, not an error."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        owner.requests.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        canned = owner.answers.get(self.path, Canned(404, b"not found", "text/plain"))
        self.send_response(canned.status)
        self.send_header("Content-Type", canned.content_type)
        if canned.trickle:
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            while not owner._stop.is_set():
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(canned.trickle)
            return
        size = canned.huge or len(canned.body)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if canned.huge:
            chunk = b"x" * 65536
            for _ in range(canned.huge // len(chunk)):
                self.wfile.write(chunk)
        else:
            self.wfile.write(canned.body)

    do_GET = _answer
    do_POST = _answer


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses every connection at once (bound, never listening) while the block runs."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]
