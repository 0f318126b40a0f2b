"""Plain property values, with preview-time unknowns kept visible instead of raising.

pulumi-policy hands rules an "unknown-checking proxy" that raises `UnknownValueError` on the first
unknown value touched; the SDK then turns the whole policy into a "can't run during preview"
advisory. That hides every other finding on the resource. Rules here work on plain dicts instead and
decide per value what an unknown means: skip that check, or defer it to a stack policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, serialize_properties

# The sentinels the engine and the SDKs use for values not known until `pulumi up` (pulumi_policy.proxy).
# The engine marshals every computed value as the string one, whatever its type.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN,
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)


def plain(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """The proxy's underlying values as ordinary dicts and lists, unknown sentinels included."""
    if not props:
        return {}
    return dict(serialize_properties(props))


def is_unknown(value: Any) -> bool:
    """True for a value the engine could not know during preview."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def has_unknown(value: Any) -> bool:
    """True when the value, or anything nested in it, is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_unknown(v) for v in value)
    return False


_TRUE_TEXTS = frozenset({"true", "t", "1"})
_FALSE_TEXTS = frozenset({"false", "f", "0"})


def flag(value: Any) -> bool | None:
    """A boolean input as the provider reads it, or None when it cannot be read (unknown, or not a boolean).

    The engine passes inputs through untyped, and the bridged provider turns `"true"`, `"TRUE"`, `"t"`, `"1"` and
    a non-zero number into true (Go's `strconv.ParseBool`, case aside) as readily as JSON `true`. A rule that
    tested only `is True` would let every other spelling through, so every rule reads booleans here. Callers
    decide what None means; a rule guarding against a dangerous setting treats it as possibly true.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str) and not is_unknown(value):
        text = value.strip().lower()
        if text in _TRUE_TEXTS:
            return True
        if text in _FALSE_TEXTS:
            return False
    return None


def maybe_true(value: Any) -> str | None:
    """How a boolean that loosens a control reads when it may be on; None when it is unset or read as false.

    For a setting whose true loosens something (`allowAll`, `reset`, `disableOnDestroy`, ...), unset means false,
    and a value that cannot be read (unknown until apply, or no boolean the provider knows) may be true, so it
    counts as on: "true", "unknown until apply", or the value itself, ready for a message.
    """
    if value is None or flag(value) is False:
        return None
    if flag(value):
        return "true"
    return "unknown until apply" if is_unknown(value) else f"{value!r}, which the provider does not read as a boolean"


def known_str(value: Any) -> str | None:
    """The value if it is a known string, else None (absent, unknown, or another type)."""
    if isinstance(value, str) and not is_unknown(value):
        return value
    return None


def str_list(value: Any) -> list[str] | None:
    """A list of strings, or None when the list itself is unknown or not a list.

    Unknown elements are kept (as the sentinel) so callers can tell "one member is unknown" apart
    from "the whole list is unknown".
    """
    if is_unknown(value) or not isinstance(value, list | tuple):
        return None
    return [v for v in value if isinstance(v, str)]


def labelled(kind: str, props: Mapping[str, Any]) -> str:
    """`Cloud SQL instance acme-gateway` for messages: the kind, and the resource's own `name` input when known."""
    name = known_str(props.get("name"))
    return f"{kind} {name}" if name else kind


def shown(value: Any) -> str:
    """A value as it should read in a message: unknowns say so instead of printing a UUID."""
    return "<unknown until apply>" if is_unknown(value) else str(value)


UNREADABLE_SECRET = "<a secret whose value the engine did not send>"
"""What `revealed` answers for a secret marker without a value: a rule that needs the value refuses it."""


def revealed(value: Any) -> Any:
    """A value with the engine's secret markers taken off, at every depth.

    A Pulumi secret travels to analyzers as `{"4dabf...": "1b47...", "value": <plain>}` (KeepSecrets): the Python
    SDK unwraps it before a rule runs, but a driver that hands rules the wire shape (the direct tests, the fleet
    view) does not, and a rule that read the marker as an ordinary object would judge a dictionary instead of the
    value. A marker without a value is `UNREADABLE_SECRET`, never silently absent.
    """
    if isinstance(value, Mapping):
        if value.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
            return revealed(value["value"]) if "value" in value else UNREADABLE_SECRET
        return {key: revealed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [revealed(item) for item in value]
    return value
