"""What every config section is made of: a strict pydantic model, keys with their rule, and one-line errors.

A key is declared once, with `key(...)`: its type (the annotation), its default, its rule (a pattern or a
validator) and two texts, `allowed` (what the error line says is allowed) and `doc` (what the reference says).
The parser, the JSON Schema of the stack file and docs/configuration.md are all derived from that one
declaration. Pydantic's errors are translated back into today's one line: the dotted key, the bad value as
the user typed it, and what is allowed.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any, get_args, get_origin

import pulumi
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

NAMESPACE = "claude-vertex"
MISSING = object()
"""Stands for a key that was not set, in error messages: `(missing)`."""


class ConfigError(pulumi.RunError):
    """A stack config value that cannot be deployed; its message is the whole, one-line explanation.

    A `pulumi.RunError`, so the Pulumi language host prints it without a traceback; the offline preview
    catches it and exits 2.
    """

    def __init__(self, key: str, value: Any, allowed: str, *, subject: str | None = None) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        # `subject` names what is invalid when it is not a stack config key (an environment variable).
        super().__init__(f"invalid {subject or f'config {NAMESPACE}:{key}'}: {show(value)} — {allowed}")


class DeployTimeConfigError(ConfigError):
    """A config value that only GCP can judge, refused at deploy time (e.g. an unsupported permission).

    Raised from inside a component while the program runs, but still a config error: it names the key.
    """


class Refusal(ValueError):
    """Raised by a section's validator: `key` is relative to the section (`""` for the section itself)."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        super().__init__(allowed)
        self.key, self.value, self.allowed = key, value, allowed


def show(value: Any) -> str:
    """A bad value on one line, as the user would have typed it, never longer than 120 characters."""
    if value is MISSING:
        return "(missing)"
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= 120 else text[:117] + "..."


def _numbers_are_ids(value: Any) -> Any:
    """YAML turns unquoted numeric IDs into integers; an ID is still an ID."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[str, Strict(), BeforeValidator(_numbers_are_ids)]
"""A string key; an unquoted number is taken as its digits (folder IDs). Nothing else is coerced."""
Flag = Annotated[bool, Strict()]
"""true or false, never "yes", 1 or "true"."""


def key(
    default: Any = ...,
    *,
    allowed: str,
    doc: str,
    pattern: str | None = None,
    default_text: str | None = None,
    **constraints: Any,
) -> Any:
    """Declare one key: `allowed` is the error text, `doc` the reference text, `default_text` the documented
    default when it is computed (e.g. from the team)."""
    extra: dict[str, Any] = {"x-allowed": allowed}
    if default_text is not None:
        extra["x-default"] = default_text
    return Field(default, description=doc, pattern=pattern, json_schema_extra=extra, **constraints)


class Section(BaseModel):
    """A config object: camelCase keys (or their snake_case Python names), unknown keys refused, `null` the same as
    absent, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        hide_input_in_errors=False,
        # Built on first use: the preview validates one stack, so one build of the whole tree beats one per class.
        defer_build=True,
    )

    @classmethod
    def keys(cls) -> list[str]:
        return [f.alias or name for name, f in cls.model_fields.items()]

    @classmethod
    def spelled(cls, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with each key under its stack-file (camelCase) spelling; one key set in both spellings is refused.

        A Python program names keys in snake_case (the generated `ClaudeVertexTeamArgs`), and so does the component
        provider host when another language constructs the component; a stack file in camelCase. A section's own
        before-validators read and default keys by one spelling, so each starts with this (or `given`): pydantic
        runs a subclass's before-validators ahead of `_one_spelling` below, which covers the sections without one.
        """
        spellings = {name: info.alias for name, info in cls.model_fields.items() if info.alias not in (None, name)}
        spelled: dict[str, Any] = {}
        for name, value in data.items():
            key_name = spellings.get(name, name)
            if key_name in spelled:
                raise Refusal(name, value, f"set twice, as {key_name} and {name}; keep one")
            spelled[key_name] = value
        return spelled

    @classmethod
    def given(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The keys `data` sets, camelCase (`spelled`); a null is the same as absent."""
        return {name: value for name, value in cls.spelled(data).items() if value is not None}

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, data: Any) -> Any:
        return cls.spelled(data) if isinstance(data, dict) else data


def allowed_text(info: FieldInfo) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("x-allowed", info.description or "see docs/configuration.md"))


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The section models an annotation can hold (`X`, `X | None`, `tuple[X, ...]`, `dict[str, X]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _is_container(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (tuple, list, dict, Mapping):
        return True
    return any(_is_container(a) for a in get_args(annotation) if a is not type(None))


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[type[BaseModel], FieldInfo | None, bool]:
    """The section and field a pydantic error location points at; `True` when it points inside a container
    (a list item, a map entry) rather than at the field itself."""
    current: type[BaseModel] = model
    info: FieldInfo | None = None
    inside = False
    for part in loc:
        if info is not None and _is_container(info.annotation) and not list(_models_in(info.annotation)):
            inside = True
            continue
        if isinstance(part, int):
            inside = True
            continue
        by_alias = {(f.alias or n): f for n, f in current.model_fields.items()}
        if part in by_alias:
            info, inside = by_alias[part], False
            nested = list(_models_in(info.annotation))
            if nested:
                current = nested[0]
        else:
            inside = True
    return current, info, inside


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def translate(error: ValidationError, root: type[BaseModel]) -> ConfigError:
    """Pydantic's first error as today's one line: key, value as typed, what is allowed."""
    first = error.errors(include_url=False)[0]
    loc = tuple(p for p in first["loc"] if p != "[key]")
    kind = first["type"]
    value = first.get("input", MISSING)
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, ConfigError):
        return cause
    if isinstance(cause, Refusal):
        path = _dotted(loc)
        full = f"{path}.{cause.key}" if path and cause.key and not cause.key.startswith("[") else path + cause.key
        return ConfigError(full or cause.key, cause.value, cause.allowed)
    section, info, inside = _walk(root, loc)
    dotted = _dotted(loc)
    if kind == "extra_forbidden":
        parent_section, _, _ = _walk(root, loc[:-1])
        return unknown_key_error(parent_section, dotted, str(loc[-1]), value, {})
    if kind in ("model_type", "model_attributes_type", "dict_type") and (info is None or not inside):
        target = section if info is None or list(_models_in(info.annotation)) else None
        if target is not None:
            return ConfigError(dotted, value, f"must be an object with keys {', '.join(target.keys())}")
    if kind == "missing":
        allowed = allowed_text(info) if info is not None else "required"
        return ConfigError(dotted, MISSING, allowed if allowed.startswith("required") else f"required; {allowed}")
    if kind in ("bool_type", "bool_parsing"):
        return ConfigError(dotted, value, "must be true or false")
    if kind in ("list_type", "tuple_type") and not inside:
        return ConfigError(dotted, value, f"must be a list; {allowed_text(info)}" if info else "must be a list")
    if info is None:
        return ConfigError(dotted or "config", value, first["msg"])
    return ConfigError(dotted, value, allowed_text(info))


def did_you_mean(typed: str, known: Iterable[str]) -> str | None:
    """The known word closest to `typed` (case aside), if any is close enough to be what the user meant."""
    by_fold = {word.casefold(): word for word in known}
    match = difflib.get_close_matches(typed.casefold(), list(by_fold), n=1, cutoff=0.65)
    return by_fold[match[0]] if match else None


def unknown_key_error(
    section: type[Section], dotted: str, typed: str, value: Any, given: Mapping[str, Any]
) -> ConfigError:
    """One line for a key `section` does not have: the closest key it has, the required keys `given` (the
    object the key was typed in) lacks, and every key it allows."""
    keys = section.keys()
    snake = {info.alias or name: name for name, info in section.model_fields.items()}
    # Suggested in the user's own spelling: snake_case to a Python program, camelCase to a stack file.
    spelling = snake if "_" in typed else {alias: alias for alias in keys}
    suggestion = did_you_mean(typed, spelling.values())
    camel = {name: alias for alias, name in snake.items()}
    present = {camel.get(name, name) for name in given}
    missing = [
        spelling[alias] for alias in keys if alias not in present and section.model_fields[snake[alias]].is_required()
    ]
    parts = ["unknown key" if suggestion is None else f"unknown key (did you mean {suggestion}?)"]
    if missing:
        parts.append(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required and missing")
    parts.append(f"allowed keys: {', '.join(keys)}")
    return ConfigError(dotted, value, "; ".join(parts))


def first_unknown_key(model: type[BaseModel], data: Any, path: tuple[Any, ...] = ()) -> ConfigError | None:
    """The first key, in the order it was written, that no section declares, anywhere in `data`.

    Checked before anything is validated: a typo is the error to show, not the required key it left missing or
    a section's own rule that trips over its absence (`monthlyBudget:` for `monthlyAmount:`).
    """
    if not isinstance(data, dict) or not issubclass(model, Section):
        return None
    fields = dict(model.model_fields)
    fields.update({info.alias: info for info in model.model_fields.values() if info.alias})
    for name, value in data.items():
        if not isinstance(name, str):
            continue
        info = fields.get(name)
        if info is None:
            return unknown_key_error(model, _dotted((*path, name)), name, value, data)
        found = _first_unknown_in_value(info.annotation, value, (*path, info.alias or name))
        if found is not None:
            return found
    return None


def _first_unknown_in_value(annotation: Any, value: Any, path: tuple[Any, ...]) -> ConfigError | None:
    """Descend into a field's value as its annotation shapes it: a section, a list of them, a map to them."""
    nested = list(_models_in(annotation))
    if not nested or value is None:
        return None
    shape = _shape(annotation)
    if shape == "list" and isinstance(value, list | tuple):
        items: Iterable[tuple[Any, Any]] = enumerate(value)
    elif shape == "map" and isinstance(value, dict):
        items = value.items()
    elif shape == "model":
        return first_unknown_key(nested[0], value, path)
    else:
        return None
    for index, item in items:
        found = first_unknown_key(nested[0], item, (*path, index))
        if found is not None:
            return found
    return None


def _shape(annotation: Any) -> str:
    """`model`, `list` or `map`: how a field holding section models holds them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model"
    origin = get_origin(annotation)
    if origin in (tuple, list):
        return "list"
    if origin in (dict, Mapping):
        return "map"
    for arg in get_args(annotation):
        if arg is not type(None) and list(_models_in(arg)):
            return _shape(arg)
    return "model"


def validate_section(model: type[Section], data: Mapping[str, Any], context: dict[str, Any]) -> Any:
    """`model` validated from `data`, every problem raised as one ConfigError line (unknown keys first)."""
    unknown = first_unknown_key(model, dict(data))
    if unknown is not None:
        raise unknown
    try:
        return model.model_validate(dict(data), context=context)
    except ValidationError as error:
        raise translate(error, model) from None
    except Refusal as refusal:  # raised outside a field validator
        raise ConfigError(refusal.key, refusal.value, refusal.allowed) from None


def refuse_duplicates(key: str, items: tuple[Any, ...], *, fold_case: bool = False) -> None:
    """Raise a Refusal for the second occurrence of a value (compared case-insensitively if asked)."""
    seen: set[Any] = set()
    for index, item in enumerate(items):
        probe = item.lower() if fold_case and isinstance(item, str) else item
        if probe in seen:
            raise Refusal(f"{key}[{index}]", item, "duplicate entry; each value may appear once")
        seen.add(probe)


def find_config_error(err: BaseException) -> ConfigError | None:
    """The ConfigError behind an exception, even one raised inside an Output's apply and re-wrapped."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, ConfigError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
