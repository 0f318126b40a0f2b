"""How long the fleet view takes over many team stacks: 100 by default, each with guardrails and CI.

    .venv/bin/python benchmarks/bench_fleet.py [--stacks 100] [--jobs N] [--no-policy]

It writes N stack files into a temporary directory (a created project each, two members, a service account,
GitHub CI, a budget and quota caps), then times the whole `python -m tools.fleet --markdown` command, process
start and policy pack included, and prints one line with the wall time for the README.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def stack_file(index: int) -> dict:
    team = f"team{index:03d}"
    return {
        "config": {
            "claude-vertex:team": team,
            "claude-vertex:project": {
                "id": f"claude-{team}-prod",
                "billingAccount": "012345-6789AB-CDEF01",
                "folderId": "123456789012",
            },
            "claude-vertex:access": {
                "members": [f"group:{team}-devs@example.com", f"group:{team}-leads@example.com"],
                "serviceAccounts": [{"id": "claude-agent", "impersonators": [f"group:{team}-leads@example.com"]}],
            },
            "claude-vertex:ci": {"github": {"repositories": [f"acme/{team}-app"]}},
            "claude-vertex:guardrails": {
                "budget": {"monthlyAmount": 1000 + index, "currency": "USD", "notify": [f"{team}-leads@example.com"]},
                "quotas": {"sonnet": {"inputTokensPerMinute": 200000, "requestsPerMinute": 60}},
            },
        }
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-policy", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for index in range(args.stacks):
            (directory / f"Pulumi.team{index:03d}.yaml").write_text(yaml.safe_dump(stack_file(index)))
        command = [sys.executable, "-m", "tools.fleet", "--markdown", "--stacks-dir", tmp, "--jobs", str(args.jobs)]
        if args.no_policy:
            command.append("--no-policy")
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        return result.returncode
    policy = "without" if args.no_policy else "with"
    print(
        f"tools.fleet: {args.stacks} stacks, {args.jobs} worker process(es), {policy} the policy pack: "
        f"{elapsed:.1f} s wall ({os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
