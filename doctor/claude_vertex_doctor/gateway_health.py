"""Is the gateway itself up? Its own probes, as the load balancer in front of it asks them.

From the gateway's source (2.1.331): `GET /healthz` answers 200 `ok` whenever the process serves; `GET /readyz`
answers 200 `ready` while PostgreSQL answers (after `store.readiness_grace_seconds` without it, 503 `store
unavailable`). Both are served before any sign-in and outside the gateway's IP allow-list. Anything else at those
paths is not the gateway: another service, or a proxy's page, answers at that address.
"""

from __future__ import annotations

from claude_vertex_doctor.gateway_http import Client, HttpFailure
from claude_vertex_doctor.report import Report

CHECK_ID = "gateway.health"
PROBES = (("/healthz", b"ok"), ("/readyz", b"ready"))
MAX_BODY = 4096
PLATFORM_FIX = "tell your platform team (with this line); requests through the gateway fail until it is fixed"


def check(client: Client, report: Report) -> bool:
    """Whether the gateway answers as a running gateway does (its readiness is reported either way)."""
    said: list[str] = []
    for path, expected in PROBES:
        try:
            answer = client.request("GET", path, limit=MAX_BODY)
        except HttpFailure as exc:
            report.add(CHECK_ID, "fail", f"the gateway did not answer: {exc}", PLATFORM_FIX)
            return False
        if answer.status == 200 and answer.body.strip() == expected:
            said.append(f"{path} {expected.decode()}")
            continue
        if path == "/readyz" and answer.status == 503:
            report.add(
                CHECK_ID,
                "fail",
                f"the gateway runs but is not ready (GET /readyz: 503 {answer.excerpt()}): it cannot reach its "
                "database",
                PLATFORM_FIX,
            )
            return True
        report.add(
            CHECK_ID,
            "fail",
            f"GET {path} answered {answer.status} {answer.excerpt()!r}, not the gateway's {expected.decode()!r}: "
            "something else answers at this address",
            "check the URL (the managed settings' forceLoginGatewayUrl); if it is right, " + PLATFORM_FIX,
        )
        return False
    report.add(CHECK_ID, "ok", f"the gateway answers: {', '.join(said)}")
    return True
