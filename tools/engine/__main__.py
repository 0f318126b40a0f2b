"""`make engine`: the Pulumi CLI and the language hosts this repository needs, built from their Go modules.

    python -m tools.engine            # build (or find up to date) into .cache/engine/bin
    python -m tools.engine --print    # print the bin directory, build nothing

No Pulumi CLI is published on PyPI, npm or Debian, but the CLI is a Go module. `go install pkg@version` refuses it
(`pkg/go.mod` has replace directives), so this writes a small wrapper module into `.cache/engine/src` that requires
the release's modules, repeats the one replace that is not a local path, and builds the commands from there, with the
release's version stamped in by ldflag. Module and build caches live under `.cache/engine/` too (gitignored), so a
second run with the same `release.toml` is a no-op and a rebuild after a bump reuses every unchanged package.
Nothing built or downloaded is committed.

What the Go module proxy serves decides what can be built: see `tools/engine/release.toml` and README "The real
engine" for the hosts it refuses and how the tests run those languages' programs instead.
"""

from __future__ import annotations

import argparse
import sys

from tools.engine.build import BuildError, build, layout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.engine", description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the bin directory and exit")
    args = parser.parse_args(argv)
    paths = layout()
    if args.print:
        print(paths.bin)
        return 0
    try:
        build(paths)
    except BuildError as error:
        print(f"make engine: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
