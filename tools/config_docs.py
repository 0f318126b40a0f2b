"""Derive the stack-file JSON Schema, the configuration reference and the model table from their one declaration.

    python -m tools.config_docs           # rewrite schema/*.json, docs/configuration.md, docs/models.md, args.py
    python -m tools.config_docs --check   # exit 1 naming every stale file (tests and CI run this)

The declarations are the pydantic section models in `components/claude_vertex/config/` and the catalog in
`components/claude_vertex/models.yaml`; nothing here restates a key, a default, a rule or a model. The package
schema other languages' SDKs are generated from (`schema/claude-vertex.package.json`) is the one the plugin
serves (`claude_vertex.plugin`), kept here so that a change to it shows in review.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from claude_vertex.catalog import ALIASES, Catalog, Model, catalog
from claude_vertex.config import StackConfig
from claude_vertex.config.base import NAMESPACE, Section
from claude_vertex.config.gateway import GatewayStackConfig
from claude_vertex.plugin import PACKAGE, TeamProvider
from claude_vertex.render.ci_snippets import CLAUDE_CODE_VERSION
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from tools import package_args
from tools.stack_keys import CONFIG, PROVIDER_NAMESPACES, STACK_FILE_KEYS

ROOT = Path(__file__).resolve().parent.parent
STACK_SCHEMA = ROOT / "schema" / "stack-config.schema.json"
MODELS_SCHEMA = ROOT / "schema" / "models.schema.json"
CONFIG_DOC = ROOT / "docs" / "configuration.md"
MODELS_DOC = ROOT / "docs" / "models.md"
PACKAGE_SCHEMA = ROOT / "schema" / f"{PACKAGE}.package.json"
SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"
GOLDEN_VERSION = "0.0.0"
"""The version in the checked-in package schema: the plugin serves the installed distribution's (the tag a
consumer added), which moves with every commit; everything else in the file is what it serves."""


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _strip_extensions(node: Any) -> Any:
    """The schema editors read: our `x-` keywords and computed (placeholder) defaults removed."""
    if isinstance(node, dict):
        cleaned = {k: _strip_extensions(v) for k, v in node.items() if not k.startswith("x-") and k != "title"}
        if "x-default" in node:
            cleaned.pop("default", None)
            cleaned["description"] = f"{cleaned.get('description', '')} Default: {node['x-default']}.".strip()
        if cleaned.get("default") is None and "default" in cleaned and "anyOf" not in cleaned:
            cleaned.pop("default")
        return cleaned
    if isinstance(node, list):
        return [_strip_extensions(v) for v in node]
    return node


def stack_schema() -> dict[str, Any]:
    """JSON Schema of a `Pulumi.<team>.yaml`: the `claude-vertex:` keys typed, and, as the stack file reader has
    it (`tools/stack_keys.py`), only the top-level keys and config namespaces the offline gate reads."""
    sections = StackConfig.model_json_schema(by_alias=True, mode="validation")
    gateway = GatewayStackConfig.model_json_schema(by_alias=True, mode="validation")
    definitions = _strip_extensions({**sections.get("$defs", {}), **gateway.get("$defs", {})})
    properties = {}
    for name, prop in _strip_extensions({**sections["properties"], **gateway["properties"]}).items():
        properties[f"{NAMESPACE}:{name}"] = prop
        properties[name] = prop  # a bare key is the project's own: Pulumi reads `team` as `claude-vertex:team`
    ours = sorted(properties)

    def required(schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "allOf": [
                {"anyOf": [{"required": [f"{NAMESPACE}:{key}"]}, {"required": [key]}]}
                for key in schema.get("required", [])
            ]
        }

    providers = "|".join(PROVIDER_NAMESPACES)
    bookkeeping = {key: {"type": "string"} for key in STACK_FILE_KEYS if key != CONFIG}
    return {
        "$schema": SCHEMA_ID,
        "$id": "schema/stack-config.schema.json",
        "title": "claude-vertex stack file (Pulumi.<team>.yaml, or a gateway stack's)",
        "description": "Generated from claude_vertex/config/ by `python -m tools.config_docs`; do not edit by hand.",
        "type": "object",
        "properties": {
            CONFIG: {
                "type": "object",
                "properties": properties,
                "propertyNames": {"anyOf": [{"enum": ours}, {"pattern": f"^({providers}):[A-Za-z][A-Za-z0-9]*$"}]},
                # A team stack (its required keys) or a gateway stack (the one `gateway` object).
                "anyOf": [required(sections), required(gateway)],
            },
            **bookkeeping,
        },
        "additionalProperties": False,
        "required": [CONFIG],
        "$defs": definitions,
    }


def models_schema() -> dict[str, Any]:
    schema = _strip_extensions(Catalog.model_json_schema(by_alias=True, mode="validation"))
    return {
        "$schema": SCHEMA_ID,
        "$id": "schema/models.schema.json",
        "description": "Generated from claude_vertex/catalog.py by `python -m tools.config_docs`; do not edit by hand.",
        **schema,
    }


def package_schema() -> dict[str, Any]:
    """The Pulumi package schema the plugin serves, with its version pinned to `GOLDEN_VERSION`."""
    return json.loads(TeamProvider(version=GOLDEN_VERSION).schema or "{}")


# ---- docs/configuration.md -------------------------------------------------------------------------------------------


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is tuple:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of {_type_name(args[1])}"
    if hasattr(annotation, "__metadata__"):
        return _type_name(annotation.__origin__)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return {str: "string", bool: "boolean", int: "integer", float: "number"}.get(annotation, str(annotation))


def _default(info: FieldInfo) -> str:
    extra = _extra(info)
    if "x-default" in extra:
        return str(extra["x-default"])
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel) or (_nested(info) is not None and value == {}):
        return "see below"
    if value is None:
        return "none"
    if isinstance(value, tuple):
        value = list(value)
    return f"`{json.dumps(value)}`"


def _nested(info: FieldInfo) -> type[Section] | None:
    for arg in (info.annotation, *get_args(info.annotation)):
        for inner in (arg, *get_args(arg)):
            if isinstance(inner, type) and issubclass(inner, Section):
                return inner
    return None


def _section_docs(model: type[Section], path: str) -> Iterator[str]:
    yield f"## `{path}`"
    yield ""
    yield (model.__doc__ or "").strip()
    yield ""
    yield "| key | type | default | what it does and what is allowed |"
    yield "|---|---|---|---|"
    nested: list[tuple[type[Section], str]] = []
    for name, info in model.model_fields.items():
        alias = info.alias or name
        doc = (info.description or "").replace("\n", " ").replace("|", "\\|")
        yield f"| `{alias}` | {_type_name(info.annotation)} | {_default(info)} | {doc} |"
        sub = _nested(info)
        if sub is not None:
            is_list = get_origin(info.annotation) is tuple or any(
                get_origin(a) is tuple for a in get_args(info.annotation)
            )
            nested.append((sub, f"{path}.{alias}" + ("[]" if is_list else "")))
    yield ""
    for sub, sub_path in nested:
        yield from _section_docs(sub, sub_path)


def configuration_md() -> str:
    lines = [
        "# Stack configuration reference",
        "",
        "<!-- Generated from claude_vertex/config/ by `python -m tools.config_docs`; do not edit by hand. -->",
        "",
        "A team is one stack; its `Pulumi.<team>.yaml` is the team's record. Every key lives under the",
        f"`{NAMESPACE}:` namespace and is declared once, as a pydantic model in `claude_vertex/config/`: this page,",
        "the JSON Schema editors use (`schema/stack-config.schema.json`, named on each stack file's first line),",
        "the component's typed args and the parser are all derived from that declaration. A bad value stops",
        "`pulumi up` (and the offline preview,",
        "exit code 2) before a single resource is registered, with one line naming the key, the value and what is",
        "allowed, for example:",
        "",
        "```",
        'error: invalid config claude-vertex:project.id: "Claude_Payments" — GCP project IDs are 6-30 lowercase '
        "letters, digits or hyphens, start with a letter, no trailing hyphen",
        "```",
        "",
        "Unknown keys are errors too (`billingAcount` is a typo, not a new setting). `null` is the same as leaving a",
        "key out. Booleans are `true` or `false` only. Set values by editing the stack file, or with",
        "`pulumi config set --path 'claude-vertex:vertex.region' us-east5`.",
        "",
    ]
    for name, info in StackConfig.model_fields.items():
        alias = info.alias or name
        sub = _nested(info)
        if sub is None:
            lines += [
                f"## `{NAMESPACE}:{alias}`",
                "",
                f"{_type_name(info.annotation)}, {_default(info)}. {info.description}",
                "",
            ]
        else:
            lines += list(_section_docs(sub, f"{NAMESPACE}:{alias}"))
    lines += [
        "# Gateway stack",
        "",
        "The platform's Claude apps gateway is a stack of its own (docs/gateway.md), whose stack file has one key,",
        f"`{NAMESPACE}:gateway`, and none of a team's. The teams it serves keep their own stack files and add",
        f"`{NAMESPACE}:behindGateway` there.",
        "",
    ]
    for name, info in GatewayStackConfig.model_fields.items():
        sub = _nested(info)
        assert sub is not None, name
        lines += list(_section_docs(sub, f"{NAMESPACE}:{info.alias or name}"))
    return "\n".join(lines).rstrip() + "\n"


def models_md() -> str:
    models = catalog()
    current = [m for m in models.models if m.retires is None]
    retiring = sorted((m for m in models.models if m.retires is not None), key=lambda m: m.retires, reverse=True)
    lines = [
        "# The model catalog",
        "",
        "<!-- Generated from claude_vertex/models.yaml by `python -m tools.config_docs`; do not edit by hand. -->",
        "",
        "`claude_vertex/models.yaml` is the one place that knows the Claude models on Vertex AI; config validation,",
        "the environment, Model Garden enablement, the allow-list org policy, the quota caps and the doctor read it.",
        f"Facts checked on {models.checkedOn}. The recommended model of each alias is what an unpinned alias gets.",
        "",
        "## Current models",
        "",
        "No retirement announced for these.",
        "",
        "| model | family | recommended | regions | `VERTEX_REGION_*` | [1m] | quota base_model |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in current:
        lines.append(
            f"| `{m.id}` | {m.family} | {'yes' if m.recommended else ''} | {', '.join(m.regions)} | "
            f"{m.region_variable or 'none'} | {'yes' if m.context1m else ''} | {_quota_cell(m)} |"
        )
    lines += [
        "",
        "## Retiring or retired: do not pin",
        "",
        "From its retirement day a stack that pins one of these is refused, naming the successor; in the 90 days",
        "before, the preview warns. Newest retirement first.",
        "",
        "| model | family | retires on Vertex AI | successor | date from | `VERTEX_REGION_*` | quota base_model |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in retiring:
        source = m.retiresSource or f"the Claude Code {CLAUDE_CODE_VERSION} client's retirement table"
        lines.append(
            f"| `{m.id}` | {m.family} | {m.retires} | `{m.successor}` | {source} | {m.region_variable or 'none'} | "
            f"{_quota_cell(m)} |"
        )
    lines += [
        "",
        "## Where the facts come from",
        "",
        "- Model IDs, `VERTEX_REGION_*` names, families and Vertex retirement dates: the pinned Claude Code",
        f"  {CLAUDE_CODE_VERSION} client's own model and retirement tables, which",
        "  `tests/test_catalog_matches_client.py` reads out of its binary and fails on any disagreement; a date the",
        "  client does not give names its source (`retiresSource`, in the table above). Also Anthropic's *Claude on",
        "  Vertex AI* model table.",
        "- Regions: Google's Model Garden model cards; **unverified here** (no GCP access). The doctor's 404 check",
        "  names the regions this table gives, so a wrong entry shows up as a clear message and is fixed here.",
        "- Quota dimensions: Google's Vertex AI quota page for partner models; the per-family buckets for models",
        "  launched after 2026-05-26 (on global and the multi-regions) from third-party reports.",
        "",
        "## Adding a model",
        "",
        "Add one entry to `claude_vertex/models.yaml` (the schema, `schema/models.schema.json`, says what each field",
        "means), run `python -m tools.config_docs` to refresh this page, and `make test`. Nothing else changes: the",
        f"aliases ({', '.join(ALIASES)}) pick it up when it is marked `recommended`, overrides and caps accept it,",
        "and the doctor ships a copy of the catalog that a test keeps equal. When the pinned Claude Code client moves",
        "to a new release, `make test` says which entries its tables disagree with.",
    ]
    return "\n".join(lines) + "\n"


def _quota_cell(model: Model) -> str:
    bucket = model.quota.familyBucket
    return model.quota.baseModel + (f" (global/us/eu: {bucket})" if bucket else "")


def derived_files() -> dict[Path, str]:
    return {
        STACK_SCHEMA: json.dumps(stack_schema(), indent=2, sort_keys=True) + "\n",
        MODELS_SCHEMA: json.dumps(models_schema(), indent=2, sort_keys=True) + "\n",
        PACKAGE_SCHEMA: json.dumps(package_schema(), indent=2, sort_keys=True) + "\n",
        CONFIG_DOC: configuration_md(),
        MODELS_DOC: models_md(),
        ROOT / package_args.TARGET: package_args.args_module(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.config_docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a derived file is stale; write nothing")
    args = parser.parse_args(argv)
    stale = []
    for path, text in derived_files().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"stale: {', '.join(map(str, stale))} (run python -m tools.config_docs)", file=sys.stderr)
        return 1
    for path in stale:
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
