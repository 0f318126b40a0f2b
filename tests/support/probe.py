"""A consumer's program rendered inside the consumer's own virtualenv: `python -m tests.support.probe DIR`.

Run by `tests.support.consumer` with another virtualenv's interpreter, from the repository root (so the offline
engine, `tests.support.render`, is importable; claude-vertex and its SDKs come from that virtualenv). Prints one
JSON document: the versions installed there, every registration as the engine sends it to the policy pack, each
registration's alias specs, the package schema the component provider host would serve there, and the program's
warnings. The policy pack runs elsewhere (in the repository's virtualenv, as the engine runs a pack in its own),
over the records.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

VERSIONS_OF = ("claude-vertex", "pulumi", "pulumi-gcp", "pydantic", "packaging", "protobuf", "grpcio")


def probe(program: Path, stack: str) -> dict[str, Any]:
    started = time.perf_counter()
    import claude_vertex
    from google.protobuf import json_format

    from tests.support.gcp_mocks import RecordingMonitor
    from tests.support.package_schema import package_schema
    from tests.support.render import render_stack

    aliases: dict[str, list[dict[str, Any]]] = {}
    register = RecordingMonitor.RegisterResource

    def recording_aliases(monitor: RecordingMonitor, request: Any) -> Any:
        response = register(monitor, request)
        aliases[response.urn] = [json_format.MessageToDict(alias) for alias in request.aliases]
        return response

    RecordingMonitor.RegisterResource = recording_aliases  # type: ignore[method-assign]
    rendering = render_stack(stack, {}, root=program)
    return {
        "python": platform.python_version(),
        "versions": {name: version(name) for name in VERSIONS_OF},
        "package": str(Path(claude_vertex.__file__).parent),
        "project": rendering.project,
        "stack": rendering.stack,
        "records": [dict(record) for record in rendering.analyzed],
        "aliases": aliases,
        "outputs": rendering.outputs,
        "warnings": rendering.warnings,
        "schema": package_schema(),
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("program", type=Path, help="the directory of the consumer's Pulumi.yaml and __main__.py")
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args(argv)
    json.dump(probe(args.program.resolve(), args.stack), sys.stdout)


if __name__ == "__main__":
    main()
