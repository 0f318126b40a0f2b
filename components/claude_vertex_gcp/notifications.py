"""Cloud Monitoring notification channels: the one kind a team stack creates (e-mail) and where its address lives."""

from __future__ import annotations

EMAIL_CHANNEL = "email"
"""The channel `type` that sends to one e-mail address."""
EMAIL_ADDRESS_LABEL = "email_address"
"""The `labels` key of an e-mail channel that holds its address."""
