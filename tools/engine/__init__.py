"""`make engine`: the Pulumi CLI and language hosts built from their Go modules (see __main__.py)."""
