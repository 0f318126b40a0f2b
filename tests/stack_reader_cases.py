"""What a stack file (and Pulumi.yaml's config) means, one table for the offline reader and for the real CLI.

The offline gate reads stack files itself (tools/stack_file.py, tools/stack_keys.py, tools/stack_scalars.py,
tools/project_config.py). Each case is a stack file, optionally a project config block, and what it means:

* `values`: the config the program receives (`PULUMI_CONFIG`, every value a string) from the reader and the CLI alike;
* `refused` and `cli_refuses`: both stop, the reader with a one-line message, the CLI with an error;
* `refused` and `cli_values`: the reader is stricter than the CLI, on purpose, for the reason in `stricter_because`
  (documented in the reader's module docstrings): `cli_values` is what the CLI makes of the file, the meaning a
  reviewer would not read in it.

tests/test_stack_file.py holds the reader to the table in the fast suite; tests/e2e/test_config_reader.py holds the
real CLI (`make engine`) to it, so a change in either shows up as a failing case.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReaderCase:
    id: str
    stack: str
    """The stack file's text (the CLI's run adds the `encryptionsalt` line `pulumi stack init` wrote)."""
    project: str = ""
    """A `config:` block appended to the repository's Pulumi.yaml (which has none)."""
    values: dict[str, str] | None = None
    refused: str = ""
    """Part of the reader's one-line refusal."""
    cli_refuses: str = ""
    """Part of what the CLI prints when it stops (`pulumi preview`, exit 1)."""
    cli_values: dict[str, str] = field(default_factory=dict)
    stricter_because: str = ""


SCALARS = "[0.5, 1.0, 1e3, 1.5e300, 1e-7, 0.00001, 1e20, 1e21, 123456789.125, -0.0, 2.5e-10, 12345678901234567.0]"
"""Floats as go-yaml reads them and Go's JSON writes them (`1.0` is `1`, `1e20` all its digits, `-0.0` is `0`)."""

AGREED = [
    ReaderCase(
        "plain-values",
        "config:\n"
        "  team: yes\n"
        "  claude-vertex:vertex: {on: on, off: FALSE, n: 12, big: 9223372036854775807, neg: -3, empty: '',\n"
        "    html: '<a href=\"x\">&</a>', accents: 'café ☕', quoted: 'true', nothing: null, tilde: ~}\n"
        f"  claude-vertex:access: {{floats: {SCALARS}}}\n"
        "  claude-vertex:guardrails: {budget: {thresholds: [0.5, 0.9, 1.0], monthlyAmount: 2000.50}}\n"
        "  gcp:project: 12\n"
        "  gcp:batching: {enableBatching: false, sendAfter: 5s}\n",
        values={
            "claude-vertex:team": "yes",
            "claude-vertex:vertex": '{"accents":"café ☕","big":9223372036854775807,"empty":"","html":'
            '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e","n":12,"neg":-3,"nothing":null,"off":false,'
            '"on":"on","quoted":"true","tilde":null}',
            "claude-vertex:access": '{"floats":[0.5,1,1000,1.5e+300,1e-7,0.00001,100000000000000000000,1e+21,'
            "123456789.125,0,2.5e-10,12345678901234568]}",
            "claude-vertex:guardrails": '{"budget":{"monthlyAmount":2000.5,"thresholds":[0.5,0.9,1]}}',
            "gcp:project": "12",
            "gcp:batching": '{"enableBatching":false,"sendAfter":"5s"}',
        },
    ),
    ReaderCase(
        "top-level-scalars",
        "config:\n  a: 1.0\n  b: 1e-7\n  c: true\n  d: -0.0\n  e: ''\n  f: 0\n  g: 18446744073709551615\n",
        values={
            "claude-vertex:a": "1",
            "claude-vertex:b": "1e-7",
            "claude-vertex:c": "true",
            "claude-vertex:d": "0",
            "claude-vertex:e": "",
            "claude-vertex:f": "0",
            "claude-vertex:g": "18446744073709551615",
        },
    ),
    ReaderCase(
        "legacy-spellings",
        "config:\n  claude-vertex:config:access: {}\n  gcp:config:project: p\n  claude-vertex:team: t\n",
        values={"claude-vertex:access": "{}", "gcp:project": "p", "claude-vertex:team": "t"},
    ),
    ReaderCase(
        "secrets-bookkeeping",
        "secretsprovider: passphrase\nconfig:\n  team: t\n",
        values={"claude-vertex:team": "t"},
    ),
    ReaderCase(
        "project-defaults-and-values",
        "config:\n  team: from-the-stack\n  vertex: {region: eu}\n",
        project=(
            "config:\n"
            "  team: from-the-project\n"
            "  claude-vertex:access: {default: {members: [group:a@example.com]}}\n"
            "  level: {type: integer, default: 3, description: how much}\n"
            "  vertex: {default: {region: us}}\n"
            "  flags: [a, b]\n"
            "  enabled: {type: boolean, value: true}\n"
            "  gcp:project: shared\n"
            "  gcp:region: {value: europe-west4}\n"
        ),
        values={
            "claude-vertex:team": "from-the-stack",
            "claude-vertex:vertex": '{"region":"eu"}',
            "claude-vertex:access": '{"members":["group:a@example.com"]}',
            "claude-vertex:level": "3",
            "claude-vertex:flags": '["a","b"]',
            "claude-vertex:enabled": "true",
            "gcp:project": "shared",
            "gcp:region": "europe-west4",
        },
    ),
    ReaderCase(
        "project-types-checked-on-the-text",
        "config:\n  count: '12'\n  name: 12\n  on: 'true'\n  list: [1, '2', 3.0]\n  blob: {a: 1}\n",
        project=(
            "config:\n"
            "  count: {type: integer}\n"
            "  name: {type: string}\n"
            "  on: {type: boolean}\n"
            "  list: {type: array, items: {type: integer}}\n"
            "  blob: {type: object}\n"
            "  later: {default: null, value: x}\n"
        ),
        values={
            "claude-vertex:count": "12",
            "claude-vertex:name": "12",
            "claude-vertex:on": "true",
            "claude-vertex:list": '[1,"2",3]',
            "claude-vertex:blob": '{"a":1}',
            "claude-vertex:later": "x",
        },
    ),
]

BOTH_REFUSE = [
    ReaderCase(
        "duplicate-key",
        "config:\n  team: a\n  team: b\n",
        refused="duplicate key 'team'",
        cli_refuses='mapping key "team" already defined',
    ),
    ReaderCase(
        "infinity", "config:\n  a: .inf\n", refused="Pulumi cannot read .inf", cli_refuses="unsupported value: +Inf"
    ),
    ReaderCase(
        "three-part-key",
        "config:\n  a:b:c: x\n",
        refused="Pulumi cannot parse this as a config key",
        cli_refuses="could not parse a:b:c as a configuration key",
    ),
    ReaderCase(
        "integer-key",
        "config:\n  1: x\n",
        refused="key '1' must be a string",
        cli_refuses="could not parse 1 as a configuration key",
    ),
    ReaderCase(
        "octal-key",
        "config:\n  0777: x\n",
        refused="Pulumi reads the plain value 0777 as a number",
        cli_refuses="could not parse 511 as a configuration key",
    ),
    ReaderCase(
        "secrets-provider-list",
        "secretsprovider: [a]\nconfig:\n  team: t\n",
        refused="secretsprovider: must be text",
        cli_refuses="cannot unmarshal !!seq into string",
    ),
    ReaderCase(
        "esc-environment",
        "environment:\n  - payments-prod\nconfig:\n  team: t\n",
        refused="Pulumi ESC environments",
        cli_refuses="does not support environments",
    ),
    ReaderCase(
        "project-float",
        "config:\n  team: t\n",
        project="config:\n  ratio: 0.5\n",
        refused="config.ratio: 0.5 (a float) is not a project config value",
        cli_refuses="#/config/ratio: oneOf failed",
    ),
    ReaderCase(
        "project-null",
        "config:\n  team: t\n",
        project="config:\n  nothing:\n",
        refused="null is not a project config value",
        cli_refuses="#/config/nothing: oneOf failed",
    ),
    ReaderCase(
        "project-mapping-value",
        "config:\n  team: t\n",
        project="config:\n  access: {members: [a]}\n",
        refused="'members' in a declaration",
        cli_refuses="additionalProperties 'members' not allowed",
    ),
    ReaderCase(
        "project-default-and-value",
        "config:\n  team: t\n",
        project="config:\n  region: {default: a, value: b}\n",
        refused="both default and value",
        cli_refuses="cannot have both a 'default' and 'value' attribute",
    ),
    ReaderCase(
        "project-provider-default",
        "config:\n  team: t\n",
        project="config:\n  gcp:project: {default: p}\n",
        refused="a key outside the claude-vertex namespace takes no type or default",
        cli_refuses="is not namespaced by the project and should not define a default value",
    ),
    ReaderCase(
        "project-provider-type",
        "config:\n  team: t\n",
        project="config:\n  gcp:project: {type: string, value: p}\n",
        refused="a key outside the claude-vertex namespace takes no type or default",
        cli_refuses="is not namespaced by the project and should not define a type",
    ),
    ReaderCase(
        "project-provider-no-value",
        "config:\n  team: t\n",
        project="config:\n  gcp:project: {description: the project}\n",
        refused="a key outside the claude-vertex namespace needs its value",
        cli_refuses="must provide an attribute 'value'",
    ),
    ReaderCase(
        "project-array-without-items",
        "config:\n  team: t\n",
        project="config:\n  list: {type: array}\n",
        refused="an array declares the type of its items",
        cli_refuses="does not specify the underlying type via the 'items' attribute",
    ),
    ReaderCase(
        "project-default-of-another-type",
        "config:\n  team: t\n",
        project="config:\n  level: {type: integer, default: high}\n",
        refused="the default is not of the declared type integer",
        cli_refuses="is not of the expected type 'integer'",
    ),
    ReaderCase(
        "project-required",
        "config:\n  team: t\n",
        project="config:\n  region: {type: string}\n  zone: {description: where}\n",
        refused="no value for region, zone, which Pulumi.yaml declares with no default",
        cli_refuses="is missing configuration values 'region' and 'zone'",
    ),
    ReaderCase(
        "project-type-mismatch",
        "config:\n  team: t\n  level: high\n",
        project="config:\n  level: {type: integer}\n",
        refused="level: not of the type Pulumi.yaml declares for it (integer)",
        cli_refuses="with configuration key 'level' must be of type 'integer'",
    ),
    ReaderCase(
        "project-array-item-mismatch",
        "config:\n  team: t\n  levels: [1, 2.5]\n",
        project="config:\n  levels: {type: array, items: {type: integer}}\n",
        refused="levels: not of the type Pulumi.yaml declares for it (array<integer>)",
        cli_refuses="must be of type 'array<integer>'",
    ),
    ReaderCase(
        "project-object-not-text",
        "config:\n  team: t\n  name: {a: 1}\n",
        project="config:\n  name: {type: string}\n",
        refused="name: not of the type Pulumi.yaml declares for it (string)",
        cli_refuses="must be of type 'string'",
    ),
]

_NUMBERS = "tools/stack_scalars.py: a plain scalar YAML readers disagree on is refused; quote it"
_KEYS = "tools/stack_keys.py: one spelling per key, only what the gate reads"
_YAML = "tools/stack_file.py: only the small language a stack file needs, never a YAML constructor"

STRICTER = [
    ReaderCase(
        "octal",
        "config:\n  a: 0777\n",
        refused="as a number",
        cli_values={"claude-vertex:a": "511"},
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "hex",
        "config:\n  a: 0x1F\n",
        refused="as a number",
        cli_values={"claude-vertex:a": "31"},
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "underscores",
        "config:\n  a: 1_000\n",
        refused="as a number",
        cli_values={"claude-vertex:a": "1000"},
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "plus",
        "config:\n  a: +1\n",
        refused="as a number",
        cli_values={"claude-vertex:a": "1"},
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "leading-point",
        "config:\n  a: .5\n",
        refused="as a number",
        cli_values={"claude-vertex:a": "0.5"},
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "date",
        "config:\n  a: 2024-01-01\n  b: {c: 2024-01-01}\n",
        refused="as a timestamp and hands the program another text ('2024-01-01 00:00:00 +0000 UTC')",
        cli_values={
            "claude-vertex:a": "2024-01-01 00:00:00 +0000 UTC",
            "claude-vertex:b": '{"c":"2024-01-01 00:00:00 +0000 UTC"}',
        },
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "past-uint64",
        "config:\n  a: 18446744073709551616\n",
        refused="past them, a rounded float",
        cli_values={"claude-vertex:a": "18446744073709552000"},
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "past-int64-inside-an-object",
        "config:\n  project: {folderId: 12345678901234567890}\n",
        refused="Pulumi reads integers inside a setting's object or list exactly only from",
        cli_values={"claude-vertex:project": '{"folderId":12345678901234567000}'},
        stricter_because=_NUMBERS,
    ),
    ReaderCase(
        "case",
        "config:\n  access: {}\n  Access: 1\n",
        refused="differs only in case from access (line ",
        cli_values={"claude-vertex:access": "{}", "claude-vertex:Access": "1"},
        stricter_because=_KEYS,
    ),
    ReaderCase(
        "space",
        "config:\n  ' access': 1\n  'gcp: project': 2\n",
        refused="a config key has no spaces (Pulumi keeps them",
        cli_values={"claude-vertex: access": "1", "gcp: project": "2"},
        stricter_because=_KEYS,
    ),
    ReaderCase(
        "no-namespace",
        "config:\n  ':team': x\n  'gcp:': y\n",
        refused="Pulumi reads this as a config key with no namespace or no name",
        cli_values={":team": "x", "gcp:": "y"},
        stricter_because=_KEYS,
    ),
    ReaderCase(
        "engine-and-other-providers",
        "config:\n  pulumi:tags: {a: b}\n",
        refused="pulumi:* settings change how the engine runs",
        cli_values={"pulumi:tags": '{"a":"b"}'},
        stricter_because=_KEYS,
    ),
    ReaderCase(
        "other-provider",
        "config:\n  aws:region: x\n",
        refused="no provider of this program reads aws:* config",
        cli_values={"aws:region": "x"},
        stricter_because=_KEYS,
    ),
    ReaderCase(
        "unknown-top-level",
        "confg:\n  team: t\nconfig:\n  team: u\n",
        refused="confg: unknown top-level key",
        cli_values={"claude-vertex:team": "u"},
        stricter_because=_KEYS,
    ),
    ReaderCase(
        "no-value",
        "config:\n  team:\n",
        refused='no value: Pulumi passes claude-vertex:team as "" today and as null in a later version',
        cli_values={"claude-vertex:team": ""},
        stricter_because="tools/stack_file.py: a key without a value means one thing today and another later",
    ),
    ReaderCase(
        "tag",
        "config:\n  team: !!binary aGk=\n",
        refused="the YAML tag tag:yaml.org,2002:binary is not allowed",
        cli_values={"claude-vertex:team": "hi"},
        stricter_because=_YAML,
    ),
    ReaderCase(
        "anchors",
        "config:\n  access: {a: &x 1, b: *x}\n",
        refused="YAML anchors and aliases (&, *) are not allowed",
        cli_values={"claude-vertex:access": '{"a":1,"b":1}'},
        stricter_because=_YAML,
    ),
    ReaderCase(
        "merge-key",
        "config:\n  access: {<<: {members: [a]}}\n",
        refused="YAML merge keys (<<) are not allowed",
        cli_values={"claude-vertex:access": '{"members":["a"]}'},
        stricter_because=_YAML,
    ),
    ReaderCase(
        "project-path-key",
        "config:\n  access: {x: 1}\n",
        project="config:\n  access.members: {default: [a]}\n",
        refused="a property path (a.b, a[0]) sets that one part inside each stack's value",
        cli_values={"claude-vertex:access": '{"members":["a"],"x":1}'},
        stricter_because="tools/project_config.py: a path key is not emulated",
    ),
]

ALL = [*AGREED, *BOTH_REFUSE, *STRICTER]
