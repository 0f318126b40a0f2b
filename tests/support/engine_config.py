"""The stack's config as the Pulumi engine hands it out: to the program, to the policy pack, to default providers.

The CLI decrypts the stack's config once and passes every value as a string (pulumi/pulumi
sdk/go/common/resource/config/plaintext.go `marshalText`): a string as written, anything else as Go's
`json.Marshal` writes it (compact, map keys sorted, `<`, `>`, `&` escaped). The program reads that map from
`PULUMI_CONFIG`; the policy pack gets it in `ConfigureStack.config` (and, through the Python language host,
`PULUMI_CONFIG` again); default providers get their package's slice of it as inputs (`tests.support.default_providers`).

Standard library only: the offline preview starts the policy pack, with this config, before it imports the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tools.stack_keys import is_secure


def encode(value: Any) -> str:
    """One config value as the CLI passes it: strings unchanged, everything else as Go's JSON (`go_json`)."""
    return value if isinstance(value, str) else go_json(value)


def go_json(value: Any) -> str:
    """`value` as Go's `json.Marshal` writes it: compact, map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
    escaped, and numbers as Go formats a float64 (`go_float`).

    Recursive: the stack file reader bounds nesting (tools.stack_file.MAX_DEPTH)."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_go_string(str(k))}:{go_json(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    raise TypeError(f"no JSON for a {type(value).__name__}")


_GO_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
"""Go's encoder escapes these for HTML safety; Python's does not."""


def _go_string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    for char, escaped in _GO_ESCAPES:
        encoded = encoded.replace(char, escaped)
    return encoded


def go_float(number: float) -> str:
    """A float64 as the CLI hands it on (checked with `pulumi config --json`, 3.276).

    Go's JSON writes the shortest digits that read back as the same float, as a plain decimal from 1e-6 up to
    1e21 (`1.0` is `1`, `1e3` is `1000`, `1e20` all its digits) and in exponent form outside it (`1e-7`, `1e+21`);
    Python writes `1.0`, `1000.0` and `1e+20`. The stack file passes through one YAML round trip first, which turns
    `-0.0` into the integer 0."""
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"Pulumi cannot encode {number}")
    if number == 0:
        return "0"
    shortest = Decimal(repr(number)).normalize()
    if 1e-6 <= abs(number) < 1e21:
        return format(shortest, "f")
    sign, digits, exponent = shortest.as_tuple()
    mantissa = str(digits[0]) + (f".{''.join(map(str, digits[1:]))}" if len(digits) > 1 else "")
    power = exponent + len(digits) - 1  # type: ignore[operator]
    return f"{'-' if sign else ''}{mantissa}e{'-' if power < 0 else '+'}{abs(power):0{1 if power < 0 else 2}d}"


CONFIG_VARIABLE = "PULUMI_CONFIG"
MAX_ENVIRONMENT_STRING = 32 * 4096
"""Linux refuses to start a process whose environment holds one `NAME=value` string longer than this, NUL
included (MAX_ARG_STRLEN, 32 pages): `execve` fails with E2BIG, "argument list too long"."""


def config_too_large(values: Mapping[str, Any]) -> str | None:
    """Why Pulumi could not run this stack's config, or None.

    The engine hands the whole config to the program and to every policy pack in one environment variable,
    `PULUMI_CONFIG` (the language host; the analyzer plugin, pulumi/pulumi sdk/go/common/resource/plugin/
    analyzer_plugin.go). Past Linux's limit on one environment string, `pulumi preview` and `pulumi up` stop
    before the program or the pack starts (pulumi/pulumi#8680, #20402), so the gate says so instead.
    """
    size = len(f"{CONFIG_VARIABLE}=".encode()) + len(json.dumps(engine_config(values)).encode()) + 1
    if size <= MAX_ENVIRONMENT_STRING:
        return None
    return (
        f"the stack's config is {size:,} bytes as the engine passes it ({CONFIG_VARIABLE}), over the "
        f"{MAX_ENVIRONMENT_STRING:,} bytes Linux allows one environment variable, so `pulumi preview` and "
        "`pulumi up` could not start the program or the policy pack (pulumi/pulumi#20402): split the team's "
        "members and accounts over two stacks"
    )


def engine_config(values: Mapping[str, Any]) -> dict[str, str]:
    """Config as the CLI hands it to a program and a policy pack: every value a string (see `encode`)."""
    return {key: encode(value) for key, value in values.items()}


def holds_secure(value: Any) -> bool:
    """Whether the value is, or holds, an encrypted `{secure: ...}` value (the engine then marks it secret)."""
    if is_secure(value):
        return True
    if isinstance(value, Mapping):
        return any(holds_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(holds_secure(v) for v in value)
    return False


def secret_keys(values: Mapping[str, Any]) -> list[str]:
    """The keys whose values are encrypted: `ConfigureStack.config_secret_keys`."""
    return sorted(key for key, value in values.items() if holds_secure(value))
