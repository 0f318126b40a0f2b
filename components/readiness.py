"""Upgrade aid, not part of the package: the old readiness gate's backoff, as its pickled provider names it.

See readiness_gate.py beside this file; delete both once every stack has had one `pulumi up` with the package.
"""


class Backoff:
    """The settings the old gate waited with; unpickling restores them as attributes, and nothing reads them."""
