"""The README's examples are run, not just read: its stack file parses and its error line is the real one.

What the README shows for the `dev` stack is rendered from the suite's copy of it (tests/stacks/), so these
hold in a platform team's repository too, once the examples are gone.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from claude_vertex.config import parse_config

from tests.fixture_stacks import DEV, PAYMENTS, every_stack_file, fixture_args
from tests.pipelines import GITLAB_CI, WORKFLOW_DIR, needs_github, needs_gitlab
from tests.support.render import ROOT
from tools import config_docs, preview

README = (ROOT / "README.md").read_text()


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_readme_stack_file_is_valid() -> None:
    (block,) = [b for b in yaml_blocks(README) if "claude-vertex:team" in b]
    config = yaml.safe_load(block)["config"]
    parsed = parse_config({key.split(":", 1)[1]: value for key, value in config.items()})
    assert parsed.team == "payments"
    assert parsed.plan.models.aliases["haiku"].region == "us-east5"


def test_readme_error_line_is_what_the_preview_prints(tmp_path: Path, capsys) -> None:
    stack = tmp_path / "Pulumi.typo.yaml"
    stack.write_text(DEV.read_text().replace("billingAccount", "billingAcount"))
    assert preview.main(["--stack", "typo", "--config-file", str(stack)]) == preview.EXIT_CONFIG
    printed = capsys.readouterr().err.strip()
    assert printed.startswith("error: invalid config claude-vertex:project.billingAcount")
    assert printed in README


@pytest.mark.slow
def test_readme_shows_what_make_preview_prints_for_dev(capsys: pytest.CaptureFixture[str]) -> None:
    """Every line of the README's `make preview` output is printed for `dev`, up to column padding; the
    README leaves out rows and elides values with `...`."""
    shown = README.split("What `make preview` prints for `dev`, shortened:\n\n```\n", 1)[1].split("```", 1)[0]
    assert preview.main(fixture_args(DEV)) == preview.EXIT_OK
    printed = {" ".join(line.split()) for line in capsys.readouterr().out.splitlines()}
    for line in shown.splitlines():
        if "..." not in line:
            assert " ".join(line.split()) in printed, line


def test_readme_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in sorted(set(re.findall(r"(?:^|`)make ([a-z0-9-]+)", README, re.M))):
        assert re.search(rf"^{target}:", makefile, re.M), f"README mentions `make {target}`"


def test_readme_links_resolve() -> None:
    for link in re.findall(r"\]\(((?:docs|policies|bootstrap)/[^)#]+)\)", README):
        assert (ROOT / link).exists(), link


def test_every_output_named_in_the_readme_is_exported(capsys) -> None:
    assert preview.main([*fixture_args(PAYMENTS), "--json", "--no-policy"]) == 0
    outputs = json.loads(capsys.readouterr().out)["outputs"]
    section = README.split("Stack outputs:", 1)[1].split("Nothing is secret", 1)[0]
    for name in set(re.findall(r"`([a-zA-Z]+)`", section)) - {"gcloud"}:
        assert name in outputs, name


def test_derived_schema_and_docs_are_current() -> None:
    """schema/*.json, docs/configuration.md and docs/models.md are generated: a change to a declaration that
    was not followed by `python -m tools.config_docs` fails here."""
    stale = [str(path) for path, text in config_docs.derived_files().items() if path.read_text() != text]
    assert stale == [], f"run python -m tools.config_docs: {stale}"


def test_every_stack_file_validates_against_the_stack_schema() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(config_docs.STACK_SCHEMA.read_text()))
    for path in every_stack_file():
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path.name


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("claude-vertex:project", {"id": "claude-x-dev", "billingAcount": "012345-6789AB-CDEF01"}),
        ("claude-vertex:regoin", "us"),
        ("claude-vertex:vertex", {"enableModels": "yes"}),
        ("claude-vertex:vertex", {"models": {"gpt": "claude-sonnet-5-5"}}),
    ],
)
def test_the_stack_schema_catches_what_an_editor_should_underline(key: str, value: object) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(config_docs.STACK_SCHEMA.read_text()))
    document = {"config": {"claude-vertex:team": "payments", "claude-vertex:project": {"id": "claude-x-dev"}}}
    document["config"][key] = value
    assert list(validator.iter_errors(document)), f"{key}={value!r} should not validate"


VALID = {"claude-vertex:team": "payments", "claude-vertex:project": {"id": "claude-x-dev"}}


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ({"config": {"team": "payments", "project": {"id": "claude-x-dev"}}}, True),  # bare keys are the project's
        ({"config": VALID, "secretsprovider": "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k"}, True),
        ({"config": {**VALID, "gcp:region": "us-east5"}}, True),
        ({"config": {**VALID, "pulumi:tags": {}}}, False),
        ({"config": {**VALID, "aws:region": "us-east-1"}}, False),
        ({"config": VALID, "environment": ["payments-prod"]}, False),
        ({"config": {"claude-vertex:team": "payments"}}, False),
    ],
    ids=["bare-keys", "secrets-bookkeeping", "gcp-setting", "pulumi-namespace", "other-provider", "esc", "no-project"],
)
def test_the_stack_schema_refuses_what_the_stack_file_reader_refuses(document: dict, valid: bool) -> None:
    """Editors and the pipelines' schema check underline what the offline gate would refuse (tools/stack_keys.py)."""
    validator = jsonschema.Draft202012Validator(json.loads(config_docs.STACK_SCHEMA.read_text()))
    assert (not list(validator.iter_errors(document))) is valid


SCHEMA_CHECK = "check-jsonschema --schemafile schema/stack-config.schema.json"
"""The exact command the pull-request pipelines run on a changed stack file."""


def test_the_pipelines_schema_check_accepts_every_stack_file() -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    command = [str(checker), *SCHEMA_CHECK.split()[1:]]
    result = subprocess.run([*command, *map(str, every_stack_file())], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "pipeline",
    [
        pytest.param(WORKFLOW_DIR / "preview.yml", marks=needs_github, id="github"),
        pytest.param(GITLAB_CI, marks=needs_gitlab, id="gitlab"),
    ],
)
def test_the_pipelines_run_that_schema_check(pipeline: Path) -> None:
    assert SCHEMA_CHECK in pipeline.read_text()
