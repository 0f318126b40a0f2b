"""docs/developers.md takes a developer from nothing to `claude` working: everything it shows must be true.

The client version it installs is the one the project pins; the ESC environment it ships exports exactly the stack's
`env` output; the sign-in line is the one every output and page gives; every command of ours it shows exists; and
the stack's `notes` output points at it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from claude_vertex.render.ci_snippets import CLAUDE_CODE_VERSION
from claude_vertex.render.environment import DEVELOPERS_PAGE, SIGN_IN
from claude_vertex_doctor.cli import parser as doctor_parser

from tests.support.render import ROOT, Rendering
from tools import esc_environment
from tools.preview import load_rendering, team_stacks, write_env

PAGE = ROOT / DEVELOPERS_PAGE
ADC_LOGIN = "gcloud auth application-default login"
DEPLOYER_PAGES = {
    "docs/cost-and-usage.md": "the deployer's own ADC, which names a billing project for the Budgets API",
    "docs/team-lifecycle.md": "the deployer's own ADC for pulumi up",
}
"""Pages where `gcloud auth application-default login` is the deployer signing in, not a developer."""


@cache
def rendering(stack: str) -> Rendering:
    return load_rendering(stack, None)


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_the_page_installs_the_pinned_client_with_npm() -> None:
    text = page()
    assert f"npm install -g @anthropic-ai/claude-code@{CLAUDE_CODE_VERSION}\n" in text
    assert set(re.findall(r"@anthropic-ai/claude-code@([0-9][0-9.]*[0-9])", text)) == {CLAUDE_CODE_VERSION}
    assert "Node.js 20 or newer" in text


def test_the_esc_environment_exports_exactly_the_stacks_env_output() -> None:
    document = yaml.safe_load((ROOT / esc_environment.EXAMPLE).read_text(encoding="utf-8"))
    values = document["values"]
    opened = values[esc_environment.STACK_REFERENCE]["fn::open::pulumi-stacks"]["stacks"]
    assert opened == {"team": {"stack": f"claude-vertex/{esc_environment.EXAMPLE_STACK}"}}
    env = rendering(esc_environment.EXAMPLE_STACK).outputs["env"]
    exported = values["environmentVariables"]
    assert list(exported) == list(env)
    assert exported == {name: f"${{{esc_environment.STACK_REFERENCE}.team.env.{name}}}" for name in env}


def test_the_shipped_esc_environment_is_the_generators_output() -> None:
    """Regenerate: `python -m tools.esc_environment --stack example-payments > examples/esc/team-environment.yaml`."""
    expected = esc_environment.for_stack(esc_environment.EXAMPLE_STACK)
    assert (ROOT / esc_environment.EXAMPLE).read_text(encoding="utf-8") == expected


def test_the_esc_generator_names_the_stack_in_the_backend(capsys: pytest.CaptureFixture[str]) -> None:
    assert esc_environment.main(["--stack", "dev", "--pulumi-stack", "acme-dev"]) == 0
    assert "          stack: claude-vertex/acme-dev\n" in capsys.readouterr().out
    assert esc_environment.main(["--stack", "no-such-team"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def adc_lines(text: str) -> list[str]:
    """Every `gcloud auth application-default login ...` command in a text, up to where the command ends."""
    return re.findall(rf"{re.escape(ADC_LOGIN)}[^`\n\"|]*", text)


def sign_in_texts() -> dict[str, str]:
    """Where a developer reads how to sign in: the docs pages and every team stack's outputs."""
    texts = {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "docs").glob("*.md"))
        if str(path.relative_to(ROOT)) not in DEPLOYER_PAGES
    }
    texts["doctor/README.md"] = (ROOT / "doctor" / "README.md").read_text(encoding="utf-8")
    texts["the doctor's fixes"] = "\n".join(
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "doctor" / "claude_vertex_doctor").glob("*.py"))
    )
    for stack in team_stacks():
        outputs = rendering(stack).outputs
        texts[f"{stack}: gcloudAuth"] = yaml.safe_dump(outputs["gcloudAuth"], width=10_000)
        texts[f"{stack}: notes"] = "\n".join(outputs["notes"])
    return texts


def test_one_sign_in_line_everywhere_a_developer_reads() -> None:
    assert f"{ADC_LOGIN} --disable-quota-project" == SIGN_IN
    seen = 0
    for where, text in sign_in_texts().items():
        for line in adc_lines(text):
            seen += 1
            assert line.startswith(SIGN_IN), f"{where}: {line!r} does not start with {SIGN_IN!r}"
    assert seen >= 6
    assert f"```bash\n{SIGN_IN}\n```" in page()


def test_the_deployer_pages_are_the_only_other_spelling() -> None:
    for name in DEPLOYER_PAGES:
        assert adc_lines((ROOT / name).read_text(encoding="utf-8")), f"{name} no longer needs its exemption"


def test_the_gcloud_auth_output_is_the_sign_in_line_plus_one_flag() -> None:
    outputs = rendering("dev").outputs
    auth = outputs["gcloudAuth"]
    assert auth["adc"] == SIGN_IN
    for command in auth["impersonate"].values():
        assert command.startswith(f"{SIGN_IN} --impersonate-service-account=")


def test_the_notes_output_points_developers_at_the_page() -> None:
    assert PAGE.is_file()
    for stack in team_stacks():
        notes = rendering(stack).outputs["notes"]
        assert any(DEVELOPERS_PAGE in note for note in notes), stack


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, flags=re.MULTILINE))


def test_every_make_target_the_page_shows_exists() -> None:
    shown = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", page()))
    assert shown and shown <= makefile_targets()
    assert "make env STACK=payments" in page()


def test_every_tool_the_page_shows_exists() -> None:
    modules = set(re.findall(r"python -m (tools\.[a-z_]+)", page()))
    assert modules
    for module in modules:
        assert (ROOT / Path(*module.split("."))).with_suffix(".py").is_file(), module


def test_every_doctor_flag_the_page_shows_exists() -> None:
    options = {opt for action in doctor_parser()._actions for opt in action.option_strings}
    shown = set(re.findall(r"claude-vertex-doctor((?: --?[a-z-]+(?: [^ `\n-][^ `\n]*)?)*)", page()))
    flags = {flag for group in shown for flag in re.findall(r"--?[a-z][a-z-]*", group)}
    assert {"--env-file", "--gateway"} <= flags
    assert flags <= options


def test_every_stack_output_the_page_reads_exists() -> None:
    names = set(re.findall(r"pulumi stack output --stack \S+ (\w+)", page()))
    assert names == {"dotenv", "shellExports", "claudeSettings", "gcloudAuth"}
    assert names <= set(rendering("example-payments").outputs)


def test_the_files_make_env_writes_are_the_ones_the_page_names(tmp_path: Path) -> None:
    outputs = rendering("example-payments").outputs
    written = {path.name for path in write_env(tmp_path, outputs["team"], outputs["env"])}
    assert {f"out/payments/{name}" for name in written} == set(re.findall(r"out/payments/[\w.]+\w", page()))


def test_the_pages_links_resolve() -> None:
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page()):
        if "://" in target:
            continue
        assert (PAGE.parent / target).resolve().exists(), target
