"""Input values as the provider reads them: every spelling of a boolean it accepts counts, unknowns do not."""

from __future__ import annotations

import pytest
from claude_vertex_policies.values import UNKNOWN, flag


@pytest.mark.parametrize("value", [True, "true", "TRUE", "True", "t", "T", "1", " true ", 1, 2, 1.0])
def test_every_spelling_the_provider_reads_as_true_is_true(value: object) -> None:
    assert flag(value) is True


@pytest.mark.parametrize("value", [False, "false", "FALSE", "f", "0", 0, 0.0])
def test_every_spelling_the_provider_reads_as_false_is_false(value: object) -> None:
    assert flag(value) is False


@pytest.mark.parametrize("value", [None, UNKNOWN, "yes", "on", "", [], {}, "truthy"])
def test_what_cannot_be_read_as_a_boolean_is_none(value: object) -> None:
    assert flag(value) is None
