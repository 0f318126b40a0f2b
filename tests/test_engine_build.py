"""`make engine`'s build script: what it would build, from the one pin file, and when it rebuilds.

The build itself (minutes, the Go module proxy) is `make engine`; `make e2e` fails when its binaries are missing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tools.engine import __main__ as engine_main
from tools.engine.build import CLIPBOARD_REPLACE, Layout, Release, build, fingerprint, load_release, up_to_date

ROOT = Path(__file__).resolve().parent.parent


def test_the_cli_and_its_sdk_are_built_at_the_one_pinned_release() -> None:
    release = load_release()
    cli = next(go_build for go_build in release.builds if go_build.name == "pulumi")
    go_mod = cli.go_mod()
    assert f"github.com/pulumi/pulumi/pkg/v3 v{release.pulumi}\n" in go_mod
    assert f"github.com/pulumi/pulumi/sdk/v3 v{release.pulumi}\n" in go_mod
    assert f"replace {CLIPBOARD_REPLACE}\n" in go_mod
    assert f"version.Version=v{release.pulumi}" in cli.ldflags()
    assert '_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"' in cli.tools_go()
    assert cli.tools_go().startswith("//go:build tools\n")


def test_the_cli_is_at_least_the_python_sdk_the_program_runs() -> None:
    """A CLI newer than the SDK is supported; an older one is not."""
    pinned = re.search(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned is not None
    as_tuple = lambda version: tuple(int(part) for part in version.split("."))  # noqa: E731
    assert as_tuple(load_release().pulumi) >= as_tuple(pinned.group(1))


def _pretend_built(paths: Layout, release: Release) -> None:
    """The bin directory as a finished build leaves it, without building."""
    paths.bin.mkdir(parents=True)
    for name in release.binaries:
        (paths.bin / name).write_text("")
    paths.stamp.write_text(fingerprint(release) + "\n")


def test_a_bump_rebuilds_and_the_same_pins_do_not(tmp_path: Path) -> None:
    release, paths = load_release(), Layout(tmp_path)
    _pretend_built(paths, release)
    assert up_to_date(paths, release)
    assert not up_to_date(paths, replace(release, pulumi="9.9.9"))
    assert not up_to_date(paths, replace(release, pulumi_yaml="9.9.9"))
    (paths.bin / "pulumi").unlink()
    assert not up_to_date(paths, release)


def test_an_up_to_date_engine_is_not_rebuilt(tmp_path: Path, capsys) -> None:
    release, paths = load_release(), Layout(tmp_path)
    _pretend_built(paths, release)
    assert build(paths, release) == paths.bin
    assert "up to date" in capsys.readouterr().out


def test_without_go_the_build_says_so_in_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(engine_main, "layout", lambda: Layout(tmp_path / "engine"))
    assert engine_main.main([]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "make engine: needs Go 1.24 or newer on PATH (https://go.dev/dl/); none found"
    ]
