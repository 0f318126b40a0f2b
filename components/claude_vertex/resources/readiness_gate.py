"""The readiness gate: what calls IAM takes its project ID from an Output that resolves once IAM serves the project.

Enabling `iam.googleapis.com` completes before IAM serves the project (403 SERVICE_DISABLED for a while), and the
Google provider does not retry 403 (`readiness.py`). So `iam_ready_project_id` is the IAM API's `Service`'s own
`project` output, passed through an `apply` that waits, in the process that runs the component, until IAM answers
for that project (capped, bounded backoff, no fixed sleep). The custom role, the service accounts and the workload
identity pool and providers take `project` from it: each records a dependency on the IAM API's Service (a data
dependency the engine sees, `propertyDependencies.project`), and none is sent to the engine before IAM answered.

It registers nothing, so it works wherever the component runs: in a Python program (pip), and in the component
provider process `pulumi package add` starts for every other language, where a Python dynamic resource cannot load
(pulumi/pulumi#5455). The wait follows the provider's own endpoint and credentials (`provider_environment.py`).

When it runs:

* `pulumi preview` (a dry run): never; the project ID passes through as it is.
* `pulumi up`: once per run, after the IAM API's Service is created or found unchanged. On a project IAM already
  serves, the first round answers 200: two small GETs and no sleep (the old dynamic gate did nothing after its
  create; this costs those two GETs on every `up`). A failure stops the run with one line (`pulumi.RunError`,
  which the Python language host prints without a traceback) naming the project and IAM's last answer.
* `pulumi refresh`, `pulumi destroy`: the program does not run, so nothing waits. With `--run-program` it runs
  first, and the wait does what the engine's dry-run flag says: at most the two GETs of a served project.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.services import IAM

from claude_vertex.resources.provider_environment import deployer_headers, iam_base_path
from claude_vertex.resources.readiness import (
    DEFAULT_BACKOFF,
    Backoff,
    NotReadyError,
    Readiness,
    iam_probe_urls,
    wait_until_ready,
)


def iam_ready_project_id(iam_api: gcp.projects.Service, backoff: Backoff = DEFAULT_BACKOFF) -> pulumi.Output[str]:
    """`iam_api`'s project ID, resolved only once IAM answers for that project (at once during a preview)."""

    async def when_served(project: str) -> str:
        if pulumi.runtime.is_dry_run():
            return project
        try:
            readiness = await _waited_off_the_loop(project, backoff)
        except NotReadyError as error:
            raise pulumi.RunError(str(error)) from None
        if readiness.attempts > 1:
            pulumi.log.info(
                f"{IAM} served project {project} after {readiness.waited_seconds:.0f}s ({readiness.attempts} rounds)",
                resource=iam_api,
            )
        return project

    return iam_api.project.apply(when_served)


async def _waited_off_the_loop(project: str, backoff: Backoff) -> Readiness:
    """`wait_for_iam` in a daemon thread: the event loop, and with it the rest of the program (guardrails, model
    access), goes on meanwhile; and a run that stops for another reason is neither held open by the wait nor
    kept waiting for it (being cancelled ends the wait at its next pause)."""
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[Readiness] = loop.create_future()
    stopped = threading.Event()

    def pause(seconds: float) -> None:
        if stopped.wait(seconds):
            raise NotReadyError(f"{IAM} in project {project}: the run stopped while waiting")

    def deliver(settle: Callable[[Any], object], value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
            loop.call_soon_threadsafe(lambda: outcome.done() or settle(value))

    def work() -> None:
        try:
            readiness = wait_for_iam(project, backoff, sleep=pause)
        except BaseException as error:  # delivered to the awaiting coroutine, which raises it
            deliver(outcome.set_exception, error)
        else:
            deliver(outcome.set_result, readiness)

    threading.Thread(target=work, name=f"iam-wait-{project}", daemon=True).start()
    try:
        return await outcome
    finally:
        stopped.set()


def wait_for_iam(
    project: str,
    backoff: Backoff = DEFAULT_BACKOFF,
    environ: Mapping[str, str] = os.environ,
    *,
    sleep: Callable[[float], Any] = time.sleep,
) -> Readiness:
    """Wait until IAM, at the provider's endpoint and with the provider's credentials, serves `project`."""
    return wait_until_ready(
        f"{IAM} in project {project}",
        iam_probe_urls(project, iam_base_path(environ)),
        deployer_headers(environ),
        backoff,
        sleep=sleep,
    )
