"""Helpers for tests/test_real_client.py: install the real Claude Code, stand in for Vertex, run the client.

The client is the pinned `@anthropic-ai/claude-code` release from the npm registry, run offline against a
local HTTP server that answers as Vertex AI does, so the test sees the exact request paths the real client
would send to Google for each stack's environment.
"""
