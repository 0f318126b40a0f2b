"""`claude-vertex:guardrails.telemetry`: Claude Code's own OpenTelemetry export to the platform's collector."""

from __future__ import annotations

from pydantic import field_validator

from claude_vertex.config.base import Refusal, Section, Text, key

OTLP_PROTOCOLS = ("grpc", "http/protobuf", "http/json")
"""The values Claude Code (the OpenTelemetry SDK) accepts in OTEL_EXPORTER_OTLP_PROTOCOL."""
# No user:password@ part: an endpoint is not a place for credentials.
OTLP_ENDPOINT = r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?$"


class TelemetryConfig(Section):
    """Claude Code's own OpenTelemetry export (metrics and events) to the platform's collector."""

    otlp_endpoint: Text = key(
        allowed="an http(s) URL such as https://otel.example.com:4318, without credentials or query",
        doc="`OTEL_EXPORTER_OTLP_ENDPOINT`: the platform's OpenTelemetry Collector.",
        pattern=OTLP_ENDPOINT,
    )
    protocol: Text = key(
        "http/protobuf",
        allowed=" | ".join(OTLP_PROTOCOLS),
        doc="`OTEL_EXPORTER_OTLP_PROTOCOL`: " + ", ".join(OTLP_PROTOCOLS) + ".",
    )

    @field_validator("protocol")
    @classmethod
    def _protocol(cls, value: str) -> str:
        if value not in OTLP_PROTOCOLS:
            raise Refusal("", value, " | ".join(OTLP_PROTOCOLS))
        return value
