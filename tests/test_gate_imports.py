"""What the offline gate loads (benchmarks/bench_preview.py measures it against the SDK's import): the Google SDK's
modules of the resources the stack registers and nothing more, and a package import that loads nothing heavy.

`pulumi_gcp` loads each of its modules (`pulumi_gcp.monitoring`, ...) on first use, and each one whole: every
resource of that module, a fifth of the SDK's own import time for `iam`. A module loaded for less than a resource
(a function called through its SDK wrapper) is time every preview and every `pulumi up` pays for nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_stacks import DEV, PAYMENTS, fixture_args
from tests.support.render import ROOT

RENDER_AND_REPORT = """
import contextlib, io, json, sys
from tools import preview

document = io.StringIO()
with contextlib.redirect_stdout(document):
    preview.main(sys.argv[1:])
loaded = [
    name.split(".")[1]
    for name, module in sys.modules.items()
    # Not yet loaded, a module of the SDK is a placeholder of this type (pulumi._utils.lazy_import).
    if name.startswith("pulumi_gcp.") and name.count(".") == 1 and type(module).__name__ != "_LazyModule"
    and hasattr(module, "__path__")
]
print(json.dumps({"document": json.loads(document.getvalue()), "loaded": sorted(loaded)}))
"""


def sdk_modules_of(resource_types: set[str]) -> set[str]:
    """`gcp:monitoring/dashboard:Dashboard` -> `monitoring`: the SDK module that defines a resource type."""
    return {type_.split(":")[1].split("/")[0] for type_ in resource_types if type_.startswith("gcp:")}


@pytest.mark.slow
@pytest.mark.parametrize("stack_file", [DEV, PAYMENTS], ids=lambda path: path.stem)
def test_the_gate_loads_the_sdk_modules_of_its_resources_only(stack_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RENDER_AND_REPORT, *fixture_args(stack_file), "--json", "--no-policy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    registered = {resource["type"] for resource in report["document"]["resources"]}

    assert set(report["loaded"]) == sdk_modules_of(registered)


HEAVY = ("pulumi", "pulumi_gcp", "pydantic", "yaml")
"""What `import claude_vertex` must leave for first use: the SDKs, the config models' library, the catalog reader."""


def test_importing_the_package_loads_neither_the_sdks_nor_the_config_models() -> None:
    probe = "import json, sys, claude_vertex; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)

    assert set(json.loads(done.stdout)) & set(HEAVY) == set()
