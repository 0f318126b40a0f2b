"""The gateway's TLS certificate: does it verify against the trust store Claude Code would use, name the host, and
stay valid for a while? And what is it (issuer, names, expiry, fingerprint), even when it does not verify?

Trust is the system store (what Python's `ssl` loads by default), plus `NODE_EXTRA_CA_CERTS` (Claude Code adds that
file to its own store), plus the doctor's `--ca-file`. A certificate that does not verify is described from a second
handshake that trusts exactly the certificate the gateway presented (partial chain, no time check, no name check):
the standard library reads a certificate's fields only after a verified handshake, and that one is verified by
construction. The fingerprint is the SHA-256 of the leaf certificate, the value Claude Code pins at `/login`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from claude_vertex_doctor.clock import UTC
from claude_vertex_doctor.deadline import bounded
from claude_vertex_doctor.gateway_network import NETWORK_FIX
from claude_vertex_doctor.gateway_url import GatewayUrl
from claude_vertex_doctor.inputs import InputError
from claude_vertex_doctor.report import Report

CHECK_ID = "gateway.tls"
EXPIRY_WARNING_DAYS = 7
HTTP_LOOPBACK_PIN = "http-loopback"
"""What Claude Code pins for a gateway reached over plain http on loopback, in place of a fingerprint."""
NO_CHECK_TIME = 0x200000
"""OpenSSL's X509_V_FLAG_NO_CHECK_TIME (Python's ssl.VerifyFlags has no name for it)."""
EXPIRED, NOT_YET_VALID, HOSTNAME_MISMATCH = 10, 9, 62
UNKNOWN_ISSUER = frozenset({2, 18, 19, 20, 21})  # OpenSSL X509_V_ERR_*: no trusted issuer for the chain
MAX_NAMES = 8
CA_FIX = (
    "install your company's CA certificate in the system trust store (ask IT), or name its file in "
    "NODE_EXTRA_CA_CERTS for Claude Code and in --ca-file for the doctor"
)


@dataclass(frozen=True)
class Trust:
    context: ssl.SSLContext
    description: str


def trust(ca_file: Path | None, environ: Mapping[str, str]) -> Trust:
    """The verifying context; InputError for a --ca-file that is not a readable PEM file."""
    context = ssl.create_default_context()
    parts = ["the system trust store"]
    extra = environ.get("NODE_EXTRA_CA_CERTS")
    if extra:
        try:
            context.load_verify_locations(cafile=extra)
            parts.append(f"NODE_EXTRA_CA_CERTS={extra}")
        except (OSError, ssl.SSLError):
            parts.append(f"not NODE_EXTRA_CA_CERTS={extra} (unreadable, so Claude Code cannot use it either)")
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=os.fspath(ca_file))
        except FileNotFoundError:
            raise InputError(f"--ca-file {ca_file}: no such file") from None
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise InputError(f"--ca-file {ca_file}: not a PEM file of CA certificates ({type(exc).__name__})") from None
        parts.append(f"--ca-file {ca_file}")
    return Trust(context, ", ".join(parts))


@dataclass(frozen=True)
class Certificate:
    names: tuple[str, ...]
    issuer: str
    not_after: dt.datetime
    fingerprint: str

    def summary(self) -> str:
        shown = ", ".join(self.names[:MAX_NAMES]) + (", ..." if len(self.names) > MAX_NAMES else "")
        return f"for {shown or 'no name'}, issued by {self.issuer}"

    @property
    def expiry(self) -> str:
        return f"{self.not_after:%Y-%m-%d %H:%M} UTC"


def _text(value: object, limit: int = 100) -> str:
    return "".join(c if c.isprintable() else "?" for c in str(value))[:limit]


def _read(info: Mapping[str, object], der: bytes) -> Certificate:
    """The fields of a certificate as `getpeercert()` gives them after a verified handshake."""
    names = tuple(_text(v) for kind, v in info.get("subjectAltName", ()) if kind in ("DNS", "IP Address"))  # type: ignore[misc]
    issuer_fields = {k: v for rdn in info.get("issuer", ()) for k, v in rdn}  # type: ignore[misc]
    issuer = ", ".join(
        f"{label}={_text(issuer_fields[key])}"
        for key, label in (("commonName", "CN"), ("organizationName", "O"))
        if key in issuer_fields
    )
    seconds = ssl.cert_time_to_seconds(str(info["notAfter"]))
    not_after = dt.datetime.fromtimestamp(seconds, tz=UTC)
    return Certificate(names, issuer or "an unnamed issuer", not_after, hashlib.sha256(der).hexdigest())


def _handshake(url: GatewayUrl, address: str, context: ssl.SSLContext, timeout: float) -> tuple[dict, bytes]:
    """One TLS handshake with the gateway at `address`, bounded in wall-clock time; (fields, DER) of its leaf."""
    with (
        socket.create_connection((address, url.port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=url.host, do_handshake_on_connect=False) as tls,
    ):
        with bounded(tls, timeout) as deadline:
            try:
                tls.do_handshake()
            except ssl.SSLCertVerificationError:
                raise
            except (OSError, ValueError) as exc:
                if deadline.expired or isinstance(exc, TimeoutError):
                    raise TimeoutError(timeout) from None
                raise exc
        return tls.getpeercert() or {}, tls.getpeercert(binary_form=True) or b""


def _describe(url: GatewayUrl, address: str, timeout: float) -> Certificate | None:
    """The presented certificate's fields, when it did not verify: trust it alone, ignore time and name."""
    try:
        anonymous = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        anonymous.check_hostname = False
        anonymous.verify_mode = ssl.CERT_NONE
        _, der = _handshake(url, address, anonymous, timeout)
        itself = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        itself.check_hostname = False
        itself.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | NO_CHECK_TIME
        itself.load_verify_locations(cadata=der)
        info, der = _handshake(url, address, itself, timeout)
        return _read(info, der)
    except (OSError, ssl.SSLError, ValueError, KeyError):
        return None


def _refusal(url: GatewayUrl, error: ssl.SSLCertVerificationError, cert: Certificate | None) -> tuple[str, str]:
    what = f"the certificate {cert.summary()}" if cert else "the certificate"
    code = error.verify_code
    if code == EXPIRED:
        when = f" on {cert.expiry}" if cert else ""
        return f"{what}, expired{when}", "tell your platform team: the gateway's certificate must be renewed"
    if code == NOT_YET_VALID:
        return f"{what}, is not valid yet", "check your computer's clock; if it is right, tell your platform team"
    if code == HOSTNAME_MISMATCH:
        return (
            f"{what}, does not name {url.host}",
            "use the gateway's own name (the one the managed settings give); if that is what you used, tell your "
            "platform team",
        )
    if code in UNKNOWN_ISSUER:
        return f"{what}, is signed by no authority your machine trusts ({error.verify_message})", CA_FIX
    return f"{what}, does not verify ({error.verify_message})", "tell your platform team"


def check(
    url: GatewayUrl, address: str, tls_trust: Trust, timeout: float, report: Report, now: dt.datetime
) -> str | None:
    """The presented certificate's fingerprint (what Claude Code pins), if Claude Code would accept it."""
    if not url.tls:
        report.add(CHECK_ID, "ok", f"{url} is plain http on loopback: no certificate (Claude Code allows that locally)")
        return HTTP_LOOPBACK_PIN
    try:
        info, der = _handshake(url, address, tls_trust.context, timeout)
    except ssl.SSLCertVerificationError as exc:
        message, fix = _refusal(url, exc, _describe(url, address, timeout))
        report.add(CHECK_ID, "fail", f"{message}; verified against {tls_trust.description}", fix)
        return None
    except ssl.SSLError as exc:
        report.add(
            CHECK_ID,
            "fail",
            f"TLS with {url.netloc} failed ({exc.reason or type(exc).__name__}): it does not speak TLS as a gateway "
            "does",
            "check the URL's scheme and port; if they are right, tell your platform team",
        )
        return None
    except TimeoutError:
        report.add(
            CHECK_ID,
            "fail",
            f"{url.netloc} accepted a connection but completed no TLS handshake within {timeout:g} s",
            NETWORK_FIX,
        )
        return None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or _text(exc, 200)
        report.add(CHECK_ID, "fail", f"cannot reach {url.netloc} for TLS ({reason})", NETWORK_FIX)
        return None
    try:
        cert = _read(info, der)
    except (KeyError, ValueError):
        report.add(
            CHECK_ID, "fail", f"{url.host} presented a certificate without a readable expiry", "tell your platform team"
        )
        return None
    left = cert.not_after - now
    if left < dt.timedelta(days=EXPIRY_WARNING_DAYS):
        report.add(
            CHECK_ID,
            "warn",
            f"the certificate {cert.summary()}, expires on {cert.expiry}, in {max(left.days, 0)} days",
            "tell your platform team to renew it before then; Claude Code stops connecting when it expires",
        )
    else:
        report.add(
            CHECK_ID,
            "ok",
            f"the certificate {cert.summary()}, valid until {cert.expiry} ({left.days} days); verified against "
            f"{tls_trust.description}",
        )
    return cert.fingerprint
