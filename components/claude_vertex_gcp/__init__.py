"""GCP facts claude-vertex relies on, declared once: type tokens, API names, org-policy constraints, IAM roles and
permissions, resource name formats, the IAM member grammar, and the CI OIDC issuers and claims.

The program (`claude_vertex`), the policy pack (`claude_vertex_policies`), the offline mocks, the fleet view and the
developers' doctor all read these from here instead of writing them down again, so a fact cannot drift between
them. That is also why the package is what it is:

- dependency-free: the standard library only, Python 3.10 (the doctor's floor), no I/O at import;
- importing nothing of the program: the pack and the doctor import it, and neither may depend on the program or
  pulumi-gcp (tests/test_facts_boundaries.py);
- shipped inside each distribution that needs it rather than as a dependency: the `claude-vertex` wheel holds it as
  a second top-level package, the doctor's wheel copies it in at build time (doctor/hatch_build.py), and a pack
  published to Pulumi Cloud carries it beside its rules (`python -m tools.policy_bundle`).

One module per kind of fact; each says where its facts come from.
"""
