"""How the offline preview scales with team size: 1, 10, 100 and 1000 members and service accounts.

    .venv/bin/python benchmarks/bench_preview.py [--sizes 1 10 100 1000] [--repeat 3]

For each size N it writes a stack file with N members and N service accounts (each with one
impersonator), so the program registers 4N + 4 resources, and times two things:
- `render`: the program under mocks, in-process (what tests and the policy step build on);
- `cli`: the whole `python -m tools.preview --no-policy --json` command, process start included.
It prints a markdown table (best of --repeat runs) that goes into the README.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.render import read_project, read_stack_config, render_stack  # noqa: E402


def stack_file(size: int) -> dict:
    return {
        "config": {
            "claude-vertex:team": "bench",
            "claude-vertex:project": {
                "id": "claude-bench-dev",
                "billingAccount": "012345-6789AB-CDEF01",
                "folderId": "123456789012",
            },
            "claude-vertex:access": {
                "members": [f"user:dev{i}@example.com" for i in range(size)],
                "serviceAccounts": [
                    {"id": f"claude-agent-{i:04d}", "impersonators": [f"user:dev{i}@example.com"]} for i in range(size)
                ],
            },
        }
    }


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    project, defaults = read_project(ROOT)
    print("| members + service accounts | resources | render (s) | render ms/resource | cli (s) | cli ms/resource |")
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"Pulumi.bench-{size}.yaml"
            path.write_text(yaml.safe_dump(stack_file(size)))
            config = {**defaults, **read_stack_config(path, project)}
            resources = len([r for r in render_stack("bench", config).resources if r["type"].startswith("gcp:")])
            render_s = best_of(args.repeat, lambda config=config: render_stack("bench", config))
            command = [sys.executable, "-m", "tools.preview", "--stack", "bench", "--config-file", str(path)]
            command += ["--no-policy", "--json"]
            cli_s = best_of(
                args.repeat,
                lambda command=command: subprocess.run(command, cwd=ROOT, check=True, capture_output=True),
            )
            print(
                f"| {size} + {size} | {resources} | {render_s:.3f} | {1000 * render_s / resources:.2f} "
                f"| {cli_s:.2f} | {1000 * cli_s / resources:.1f} |"
            )


if __name__ == "__main__":
    main()
