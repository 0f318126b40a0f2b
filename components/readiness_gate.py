"""Upgrade aid, not part of the package: lets the engine forget the readiness gate of a stack deployed before it.

Before the package, the program registered a dynamic resource, `<team>-iam-ready`
(`pulumi-python:dynamic/readiness:IamReady`), whose provider the engine keeps in the stack's state pickled by
reference to `components.readiness_gate.IamReadyProvider` (holding a `components.readiness.Backoff`). The package
registers no such resource (claude_vertex/resources/readiness_gate.py waits without one), so the first
`pulumi up` after the upgrade deletes it, and its `--refresh` first reads it: both have the engine's dynamic
provider process, started in the project directory, unpickle that reference from here. Nothing exists in GCP for
a gate: reading gives back the state as it is, deleting forgets it (ResourceProvider's defaults).

Delete this file and `readiness.py` beside it once every stack has had one `pulumi up` with the package.
"""

import pulumi.dynamic


class IamReadyProvider(pulumi.dynamic.ResourceProvider):
    """The old gate's provider, for reading and deleting only: creating one again is refused."""
