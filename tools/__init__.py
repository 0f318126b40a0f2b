"""Offline tooling: mocks, rendering, preview, helpers for pipelines."""
