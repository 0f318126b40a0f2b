"""The repository's stacks against the real calendar: the one check that reads today's date, on purpose.

Every other test judges stacks as of `SUITE_DATE`, so that a model retiring never reddens an unrelated pull
request. This one is marked `calendar`, left out of `make test`, and run by `make calendar` (and the daily drift
pipeline): it fails 90 days before any stack here, or a stack left to the catalog's defaults, calls a model
that Vertex AI retires, naming the stack, the alias, the date and the successor. It checks the stack files that
are there: an adopter's own teams, none at all.
"""

from __future__ import annotations

import datetime as dt

import pytest
from claude_vertex.config import NAMESPACE, ConfigError, StackConfig, parse_config

from tools import preview

WARNING_DAYS = 90
"""How far ahead a retirement fails this check: time to move the pin in a reviewed pull request."""

pytestmark = pytest.mark.calendar


def retiring_pins(config: StackConfig, horizon: dt.date) -> list[str]:
    """One line per pinned model that retires on or before `horizon`."""
    lines = []
    for pin in (*config.plan.models.aliases.values(), config.plan.models.primary):
        entry = pin.entry
        if entry is not None and entry.retires is not None and entry.retires <= horizon:
            successor = f"; pin {entry.successor}" if entry.successor else ""
            lines.append(f"{pin.alias} pins {pin.model_id}, which Vertex AI retires on {entry.retires}{successor}")
    return list(dict.fromkeys(lines))


def _stack_keys(stack: str) -> dict[str, object]:
    _project, config = preview.read_config(stack, None)
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}


def _check(name: str, raw: dict[str, object]) -> None:
    today = dt.date.today()
    try:
        config = parse_config(raw, today=today)
    except ConfigError as error:
        pytest.fail(f"{name}, as of {today}: {error}")
    problems = retiring_pins(config, today + dt.timedelta(days=WARNING_DAYS))
    assert not problems, f"{name}, within {WARNING_DAYS} days of {today}: " + "; ".join(problems)


@pytest.mark.parametrize("stack", preview.team_stacks())
def test_no_stack_here_pins_a_model_retiring_within_90_days(stack: str) -> None:
    _check(f"Pulumi.{stack}.yaml", _stack_keys(stack))


def test_the_catalog_defaults_pin_no_model_retiring_within_90_days() -> None:
    """A stack that pins nothing gets the defaults; they must hold for the next 90 days too."""
    _check("the catalog's defaults", {"team": "defaults", "project": {"id": "claude-defaults", "create": False}})
