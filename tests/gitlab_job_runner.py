"""A GitLab job's own shell script, run for real in a scratch checkout with `pulumi` and `python3` stood in.

The stand-ins log every call (one line each, in CALLS) and answer as the real ones do where the script branches
on it: `pulumi stack select` of a stack that does not exist fails with the engine's "no stack named" error,
`pulumi stack init` of one that does fails, `pulumi preview --save-plan PATH` writes PATH, `pulumi up` exits
with the next code of STUB_UP_RCS. `python3 -m tools.gitlab_plans` writes what STUB_FETCH says (a plan, the
new-stack marker, or a refusal); `python3 -m tools.review` is only logged (its contract is what the job must
call). What runs is the job's `pulumi-functions` (the before_script shell functions) and its `script`: the
other before_script steps (virtualenv, CLI download, credentials) need the network and GCP.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PULUMI = r"""#!/bin/sh
printf 'pulumi %s\n' "$*" >> "$CALLS"
stack=""
save=""
previous=""
for arg in "$@"; do
  case "$previous" in
    --stack) stack=$arg ;;
    --save-plan) save=$arg ;;
  esac
  previous=$arg
done
exists=yes
case " ${STUB_MISSING:-} " in *" ${stack##*/} "*) exists=no ;; esac
case "$1 $2" in
  "stack select")
    if [ "$exists" = no ]; then echo "error: no stack named '$stack' found" >&2; exit 255; fi
    exit 0 ;;
  "stack init")
    if [ "$exists" = yes ]; then echo "error: stack '$stack' already exists" >&2; exit 255; fi
    exit 0 ;;
esac
case "$1" in
  preview)
    case " ${STUB_PREVIEW_FAILS:-} " in *" ${stack##*/} "*) echo "error: preview failed"; exit 1 ;; esac
    if [ -n "$save" ]; then printf '{"resourcePlans": {}}' > "$save"; fi
    exit 0 ;;
  up)
    n=$(grep -c '^pulumi up' "$CALLS")
    code=$(printf '%s' "${STUB_UP_RCS:-0}" | cut -d, -f"$n")
    exit "${code:-0}" ;;
esac
exit 0
"""

PYTHON3 = r"""#!/bin/sh
printf 'python3 %s\n' "$*" >> "$CALLS"
if [ "$1 $2" = "-m tools.gitlab_plans" ]; then
  case "${STUB_FETCH:-refuse}" in
    plan) mkdir -p "$6" && printf '{"resourcePlans": {}}' > "$6/$4.json" ;;
    new) mkdir -p "$6" && : > "$6/$4.new" ;;
    *) echo "gitlab_plans: refused" >&2; exit 1 ;;
  esac
fi
exit 0
"""

VENV_TOOL = r"""#!/bin/sh
printf '%s %s\n' "${0##*/}" "$*" >> "$CALLS"
for arg in "$@"; do
  case " ${STUB_OFFLINE_FAILS:-} " in *" $arg "*) exit 1 ;; esac
done
exit 0
"""


@dataclass(frozen=True)
class JobRun:
    code: int
    output: str
    calls: list[str]
    workdir: Path


def functions(config: Mapping[str, Any]) -> str:
    """The shell functions every Pulumi job defines before its script (templates.yml's `pulumi-functions`)."""
    [block] = config[".scripts"]["pulumi-functions"]
    return block


def _flat(items: Any) -> list[str]:
    if isinstance(items, str):
        return [items]
    return [line for item in items or [] for line in _flat(item)]


def run_job(
    config: Mapping[str, Any],
    job: Mapping[str, Any],
    workdir: Path,
    env: Mapping[str, str] | None = None,
    stacks: list[str] | None = None,
) -> JobRun:
    """Run `job`'s script (after the shared functions) in `workdir`, a git checkout made here if it is not one."""
    bin_dir = workdir.parent / f"{workdir.name}-bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("pulumi", PULUMI), ("python3", PYTHON3)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    venv = workdir / ".venv" / "bin"
    venv.mkdir(parents=True, exist_ok=True)
    for name in ("python", "check-jsonschema"):
        (venv / name).write_text(VENV_TOOL)
        (venv / name).chmod(0o755)
    if not (workdir / ".git").exists():
        subprocess.run(["git", "init", "-q", str(workdir)], check=True)
    if stacks is not None:
        (workdir / "stacks.txt").write_text("".join(f"{stack}\n" for stack in stacks))
    calls = workdir.parent / f"{workdir.name}-calls.txt"
    calls.write_text("")
    # The one retry's pause is a minute in CI (checked where the apply is tested); here it is none.
    shared = functions(config).replace("pause=60", "pause=0")
    script = "set -e\n" + shared + "\n" + "\n".join(_flat(job.get("script")))
    environment = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(workdir),
        "CALLS": str(calls),
        **(env or {}),
    }
    done = subprocess.run(
        ["sh", "-c", script], cwd=workdir, env=environment, capture_output=True, text=True, check=False, timeout=60
    )
    return JobRun(done.returncode, done.stdout + done.stderr, calls.read_text().splitlines(), workdir)
