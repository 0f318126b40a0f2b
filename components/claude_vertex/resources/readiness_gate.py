"""The readiness gate as a Pulumi resource: IAM-dependent resources wait on it instead of on a fixed sleep.

`IamReady` is a dynamic resource (type `pulumi-python:dynamic/readiness:IamReady`, the name is the class's)
whose create polls the IAM API for the team project (`claude_vertex/resources/readiness.py`) until it serves it, with
capped exponential backoff bounded in total. On a healthy apply the first round answers 200 and the gate
costs two small GETs; on a fresh project it waits exactly as long as GCP needs. It does nothing on later
`pulumi up`s (nothing changed) and is replaced with the project (a new project ID polls again).

Credentials: Application Default Credentials, the ones the Google provider also finds by default
(`gcloud auth application-default login` locally; workload identity federation in CI sets
GOOGLE_APPLICATION_CREDENTIALS). The provider is pickled by reference (this module), so the dynamic
provider process imports it from the project directory, which is where Pulumi starts it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.dynamic

from claude_vertex.resources.readiness import (
    CLOUD_PLATFORM_SCOPE,
    DEFAULT_BACKOFF,
    IAM_ENDPOINT,
    Backoff,
    NotReadyError,
    iam_probe_urls,
    wait_until_ready,
)

IAM_SERVICE = "iam.googleapis.com"
# The inputs that decide what the gate waited for: a change to any of them means waiting again.
_IDENTITY_KEYS = ("project", "service", "endpoint")


class AdcHeaders:
    """Authorization headers from Application Default Credentials, refreshed when the token expires."""

    def __init__(self) -> None:
        self._credentials: Any = None

    def __call__(self) -> Mapping[str, str]:
        import google.auth
        import google.auth.credentials
        import google.auth.exceptions
        import google.auth.transport.requests

        try:
            if self._credentials is None:
                # Scopes after, not in, `default()`: with scopes it also looks up a project ID for keyless
                # (external_account) credentials, one more call and one more permission the gate does not need.
                credentials, _ = google.auth.default()
                self._credentials = google.auth.credentials.with_scopes_if_required(credentials, [CLOUD_PLATFORM_SCOPE])
            if not self._credentials.valid:
                self._credentials.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.GoogleAuthError as error:
            raise NotReadyError(
                "no usable Application Default Credentials for the IAM readiness gate "
                f"({' '.join(str(error).split())[:300]}); run `gcloud auth application-default login` "
                "or set GOOGLE_APPLICATION_CREDENTIALS, as for the Google provider"
            ) from None
        return {"Authorization": f"Bearer {self._credentials.token}"}


class IamReadyProvider(pulumi.dynamic.ResourceProvider):
    """Create = wait until IAM serves the project; nothing to update, read or delete in GCP."""

    def __init__(self, backoff: Backoff = DEFAULT_BACKOFF) -> None:
        super().__init__()
        self.backoff = backoff

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        project, endpoint = str(props["project"]), str(props.get("endpoint") or IAM_ENDPOINT)
        try:
            wait_until_ready(
                f"{props.get('service', IAM_SERVICE)} in project {project}",
                iam_probe_urls(project, endpoint),
                AdcHeaders(),
                self.backoff,
            )
        except NotReadyError as error:
            # The dynamic provider host reports `traceback.format_exc()`; with no frames it is one line.
            sys.tracebacklimit = 0
            raise NotReadyError(str(error)) from None
        outs = {k: props[k] for k in _IDENTITY_KEYS if k in props}
        return pulumi.dynamic.CreateResult(id_=f"projects/{project}/services/{IAM_SERVICE}/ready", outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        """Replace (and so wait again) only when the project, service or endpoint changes."""
        changed = [key for key in _IDENTITY_KEYS if olds.get(key) != news.get(key)]
        return pulumi.dynamic.DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=True)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing exists in GCP for a gate: deleting it is forgetting it."""


class IamReady(pulumi.dynamic.Resource, module="readiness", name="IamReady"):
    """Ready once IAM answers for the project; make service accounts, custom roles and pools depend on it."""

    project: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        project: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        endpoint: str = IAM_ENDPOINT,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        super().__init__(
            IamReadyProvider(backoff),
            name,
            {"project": project, "service": IAM_SERVICE, "endpoint": endpoint},
            opts,
        )


TYPE_TOKEN = f"pulumi-python:{IamReady._resource_type_name}"
