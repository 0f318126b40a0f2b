"""What the offline preview costs: the pull-request gate against the SDK import floor, and how it scales.

    .venv/bin/python benchmarks/bench_preview.py [--shapes 1x1 10x1 100x1 700x1 700x2] [--repeat 5]

Two markdown tables, every figure a whole process (start, imports, run, exit), the median of --repeat
runs taken in turn (floor, gate, floor, gate ...) so that a noisy machine moves them together:

1. The gate a pull request waits for, `tools.preview --stack dev --json`, with and without the policy
   pack, against the floor measured in the same run: `python -c "import pulumi, pulumi_gcp"` (no
   program can render faster than its SDK imports), and `import pydantic` (what the config models add).
2. Scaling: a stack file with N members and N service accounts (K impersonators each); the whole command
   with the pack, and without it.
Peak memory is the largest single process (the preview or its policy pack), from the kernel's accounting.

The repository's own modules (the program, the pack, the tools) are byte-compiled first, once, as Python does on
any first run: the floor's modules were compiled by pip when it installed the SDKs. Without it, an environment that
sets PYTHONDONTWRITEBYTECODE (some CI images and sandboxes do) would charge every gate run for compiling them again,
about 0.4 of the floor, which no second run on a developer's machine pays.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


SHAPES = ((1, 1), (10, 1), (100, 1), (700, 1), (700, 2))
"""(N, K): N members and N service accounts with K impersonators each. 700 + 700 stays inside GCP's 1,500
principals per project policy, which the config enforces; K = 2 is the most Pulumi itself can take there: from
K = 3 the config passes the 128 KiB Linux allows the one environment variable the engine hands it in
(`PULUMI_CONFIG`), and the preview refuses it as the real `pulumi preview` fails (tests/support/engine_config.py)."""


def stack_file(size: int, impersonators: int = 1) -> dict:
    return {
        "config": {
            "claude-vertex:team": "bench",
            "claude-vertex:project": {
                "id": "claude-bench-dev",
                "billingAccount": "012345-6789AB-CDEF01",
                "folderId": "123456789012",
            },
            "claude-vertex:access": {
                "members": [f"group:devs-{i}@example.com" for i in range(size)],
                "serviceAccounts": [
                    {
                        "id": f"claude-agent-{i:04d}",
                        "impersonators": [
                            f"group:oncall-{(i + j) % size}-{j}@example.com" for j in range(impersonators)
                        ],
                    }
                    for i in range(size)
                ],
            },
        }
    }


SOURCES = ("components", "policies", "tools", "tests")
"""Where the modules the gate imports live, besides the SDKs."""


def compile_sources() -> None:
    """Byte-compile the repository's modules (written to __pycache__, as a first run does; see the docstring)."""
    for directory in SOURCES:
        if not compileall.compile_dir(ROOT / directory, quiet=1, rx=re.compile(r"[/\\](\.|venv[/\\])")):
            raise SystemExit(f"could not byte-compile {directory}/")


def run(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak MiB of the largest process) of one whole run; its output is discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
    # ru_maxrss of a reaped child is the largest of it and its own reaped children (the pack): KiB on Linux.
    return wall, usage.ru_maxrss / 1024


def medians(commands: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    """Each command `repeat` times, in turn, after one warm-up round; median wall and median peak."""
    for command in commands.values():
        run(command)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            samples[name].append(run(command))
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(m for _, m in values))
        for name, values in samples.items()
    }


def gate_table(repeat: int) -> None:
    floor = "import pulumi, pulumi_gcp"
    gate = [PYTHON, "-m", "tools.preview", "--stack", "dev", "--json"]
    commands = {
        f'`python -c "{floor}"` (floor)': [PYTHON, "-c", floor],
        '`python -c "import pydantic"`': [PYTHON, "-c", "import pydantic"],
        "`tools.preview --stack dev --json --no-policy`": [*gate, "--no-policy"],
        "`tools.preview --stack dev --json` (with the pack)": gate,
    }
    results = medians(commands, repeat)
    floor_s = next(iter(results.values()))[0]
    print(f"Median of {repeat} whole-process runs, taken in turn; floor measured in the same run.\n")
    print("| command | wall (s) | x floor | peak MiB |")
    print("|---|---:|---:|---:|")
    for name, (wall, peak) in results.items():
        print(f"| {name} | {wall:.3f} | {wall / floor_s:.2f} | {peak:.0f} |")


def resource_count(command: list[str]) -> int:
    """How many resources the program registers (the plan's own count, from one `--json` run)."""
    done = subprocess.run([*command, "--no-policy"], cwd=ROOT, capture_output=True, text=True, check=True)
    return sum(1 for r in json.loads(done.stdout)["resources"] if not r["type"].startswith("pulumi:"))


def scaling_table(shapes: list[tuple[int, int]], repeat: int) -> None:
    print(
        "\n| members + accounts (impersonators each) | resources | with the pack (s) | peak MiB | without (s) "
        "| peak MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size, impersonators in shapes:
            path = Path(tmp) / f"Pulumi.bench-{size}-{impersonators}.yaml"
            path.write_text(yaml.safe_dump(stack_file(size, impersonators)))
            base = [PYTHON, "-m", "tools.preview", "--stack", "bench", "--config-file", str(path), "--json"]
            count = resource_count(base)
            times = repeat if count <= 500 else 1
            results = medians({"with": base, "without": [*base, "--no-policy"]}, times)
            (w, wm), (n, nm) = results["with"], results["without"]
            print(f"| {size} + {size} ({impersonators}) | {count} | {w:.2f} | {wm:.0f} | {n:.2f} | {nm:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shapes",
        nargs="+",
        default=[f"{n}x{k}" for n, k in SHAPES],
        help="NxK: N members and accounts, K impersonators",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--gate-only", action="store_true", help="only the first table")
    args = parser.parse_args()
    compile_sources()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start\n")
    gate_table(args.repeat)
    if not args.gate_only:
        scaling_table([tuple(int(x) for x in shape.split("x")) for shape in args.shapes], args.repeat)


if __name__ == "__main__":
    main()
