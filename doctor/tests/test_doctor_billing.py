"""The doctor never sends a request Vertex would bill: only token counting and empty-body probes."""

from __future__ import annotations

import anthropic
import pytest
from doctor_support import DEVELOPER, PROJECT, TOKEN, stack_env
from fake_google import VERTEX_RE


def _scenarios(fake):
    s = fake.scenario
    yield "all good", lambda: None
    yield "no grant", lambda: s.grants.__setitem__((DEVELOPER, PROJECT), set())
    yield "not enabled", lambda: s.enabled.clear()
    yield "org policy", lambda: setattr(s, "allowed_models", set())
    yield (
        "quota",
        lambda: (
            s.quota_base_model.update({("claude-opus-5-5", "global"): "anthropic-claude-opus"})
            or (s.quota.update({("claude-opus-5-5", "global"): "zero"}))
        ),
    )


def test_no_scenario_makes_the_doctor_send_a_billable_request(doctor, fake):
    for name, arrange in _scenarios(fake):
        arrange()
        doctor(stack_env(VERTEX_REGION_CLAUDE_HAIKU_4_5="us-east5"))
        vertex = [r for r in fake.requests if VERTEX_RE.match(r.path)]
        assert vertex, name
        for request in vertex:
            model = VERTEX_RE.match(request.path)["model"]
            assert request.path.endswith(":rawPredict"), (name, request.path)  # never streamRawPredict
            if model == "count-tokens":
                assert set(request.body) <= {"model", "messages", "anthropic_version"}, (name, request.body)
            else:
                assert not request.body.get("messages"), (name, request.body)
        assert fake.billable() == [], name


def test_the_billing_check_would_catch_a_generation_request(fake):
    """The assertion above can fail: a real generation request through the same SDK is caught."""
    client = anthropic.AnthropicVertex(
        region="global", project_id=PROJECT, access_token=TOKEN, base_url=f"{fake.url}/v1", max_retries=0
    )
    client.messages.create(model="claude-opus-5-5", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
    assert len(fake.billable()) == 1


@pytest.mark.parametrize("model", ["claude-opus-5-5", "claude-haiku-4-5@20251001"])
def test_probe_paths_are_the_ones_claude_code_calls(doctor, fake, model):
    doctor(stack_env())
    paths = {r.path for r in fake.requests if VERTEX_RE.match(r.path)}
    base = f"/v1/projects/{PROJECT}/locations/global/publishers/anthropic/models"
    assert f"{base}/count-tokens:rawPredict" in paths
    assert f"{base}/{model}:rawPredict" in paths
