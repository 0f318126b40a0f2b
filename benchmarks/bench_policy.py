"""How fast is the policy pack over the analyzer protocol, and what does it add to the offline preview?

    .venv/bin/python benchmarks/bench_policy.py [--members 250] [--repeat 5]

Renders the real program (no hand-written stack: the program is the only picture of one) for a team
with N members and N service accounts, as after `pulumi up` and as during `pulumi preview`, starts the
pack as the engine does, and times `Analyze` for every resource (pipelined) and one `AnalyzeStack`.
"Rules evaluated" counts every (resource policy x resource) pair plus every stack policy run: the
work the engine asks of the pack. Prints markdown tables; the numbers go in policies/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_preview import stack_file  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

from tests.support.analyzer import DEFAULT_PACK_DIR, PolicyPackServer, run_policy_pack  # noqa: E402
from tests.support.gcp_mocks import GcpMocks, ResourceRecord  # noqa: E402
from tests.support.render import read_project, render_stack  # noqa: E402

PROJECT, STACK = "claude-vertex", "bench"


def program_records(members: int, *, preview: bool) -> list[ResourceRecord]:
    """What the real program registers for a team with `members` members and as many service accounts.

    `preview=True`: as during `pulumi preview` of a new stack (every computed output unknown).
    """
    config = {**read_project(ROOT)[1], **stack_file(members)["config"]}
    return render_stack(STACK, config, project=PROJECT, mocks=GcpMocks(preview=preview)).resources


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def bench_protocol(records: list[ResourceRecord], repeat: int) -> dict[str, float]:
    """Median timings of each protocol phase over `repeat` fresh pack processes."""
    phases: dict[str, list[float]] = {"start": [], "configure": [], "analyze": [], "stack": [], "stop": []}
    rules = 0
    for _ in range(repeat):
        server = PolicyPackServer(DEFAULT_PACK_DIR, project=PROJECT, stack=STACK)
        clock = time.perf_counter()
        server.start()
        phases["start"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        server.configure(None)
        info = server.info()
        phases["configure"].append(time.perf_counter() - clock)
        resource_rules = sum(p.policy_type == analyzer_pb2.POLICY_TYPE_RESOURCE for p in info.policies)
        rules = resource_rules * len(records) + len(info.policies) - resource_rules
        clock = time.perf_counter()
        violations = server.judge_each(records)
        phases["analyze"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        violations += server.analyze_stack(records)
        phases["stack"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        server.close()
        phases["stop"].append(time.perf_counter() - clock)
        assert not [v for v in violations if v.level == "mandatory"], violations[:3]
    result = {name: statistics.median(values) for name, values in phases.items()}
    result["rules"] = rules
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=250, help="members and service accounts (4N + 4 resources)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rows = []
    for label, preview in (("known (after `pulumi up`)", False), ("unknown outputs (`pulumi preview`)", True)):
        records = program_records(args.members, preview=preview)
        rows.append((label, records, bench_protocol(records, args.repeat)))
    size = f"{args.members} members and {args.members} service accounts ({len(rows[0][1])} resources)"
    print(f"Python {platform.python_version()}, {platform.machine()}, the real program with {size}, "
          f"median of {args.repeat} runs\n")  # fmt: skip
    print("| stack values | Analyze (all resources) | AnalyzeStack | rules evaluated | rules/s | resources/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, records, t in rows:
        evaluated = t["analyze"] + t["stack"]
        print(f"| {label} | {t['analyze'] * 1000:.0f} ms | {t['stack'] * 1000:.0f} ms | {t['rules']:,.0f} | "
              f"{t['rules'] / evaluated:,.0f} | {len(records) / evaluated:,.0f} |")  # fmt: skip
    t = rows[0][2]
    print("\n| pack lifecycle | time |\n|---|---:|")
    print(f"| start (spawn, port, connect, handshake) | {t['start'] * 1000:.0f} ms |")
    print(f"| GetAnalyzerInfo + Configure | {t['configure'] * 1000:.1f} ms |")
    print(f"| stop (killed: the verdicts are in) | {t['stop'] * 1000:.0f} ms |")
    records = rows[0][1]
    whole = statistics.median(
        timed(lambda: run_policy_pack(records, project=PROJECT, stack=STACK)) for _ in range(args.repeat)
    )
    print(f"| `run_policy_pack` on {len(records)} resources (start to stop) | {whole * 1000:.0f} ms |")
    print("\nThe whole offline preview, against the SDK import floor: benchmarks/bench_preview.py.")


if __name__ == "__main__":
    main()
