"""The README's examples are run, not just read: its stack file parses and its error line is the real one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from components.config import parse_config
from tools import preview
from tools.render import ROOT

README = (ROOT / "README.md").read_text()


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_readme_stack_file_is_valid() -> None:
    (block,) = [b for b in yaml_blocks(README) if "claude-vertex:team" in b]
    config = yaml.safe_load(block)["config"]
    parsed = parse_config({key.split(":", 1)[1]: value for key, value in config.items()})
    assert parsed.team == "payments"
    assert parsed.vertex.region_overrides == {"CLAUDE_HAIKU_4_5": "us-east5"}


def test_readme_error_line_is_what_the_preview_prints(tmp_path: Path, capsys) -> None:
    stack = tmp_path / "Pulumi.typo.yaml"
    stack.write_text((ROOT / "Pulumi.dev.yaml").read_text().replace("billingAccount", "billingAcount"))
    assert preview.main(["--stack", "typo", "--config-file", str(stack)]) == preview.EXIT_CONFIG
    printed = capsys.readouterr().err.strip()
    assert printed.startswith("error: invalid config claude-vertex:project.billingAcount")
    assert printed in README


def test_readme_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in sorted(set(re.findall(r"\bmake ([a-z]+)", README))):
        assert re.search(rf"^{target}:", makefile, re.M), f"README mentions `make {target}`"


def test_readme_links_resolve() -> None:
    for link in re.findall(r"\]\(((?:docs|policies|bootstrap)/[^)#]+)\)", README):
        assert (ROOT / link).exists(), link


def test_every_output_named_in_the_readme_is_exported(capsys) -> None:
    assert preview.main(["--stack", "example-payments", "--json", "--no-policy"]) == 0
    outputs = json.loads(capsys.readouterr().out)["outputs"]
    section = README.split("Stack outputs:", 1)[1].split("Nothing is secret", 1)[0]
    for name in set(re.findall(r"`([a-zA-Z]+)`", section)) - {"gcloud"}:
        assert name in outputs, name
