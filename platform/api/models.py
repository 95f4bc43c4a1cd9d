"""Stored responses of ``POST`` requests that carried an ``Idempotency-Key`` (every schema)."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The response a caller got for one idempotency key, replayed for 24 hours.

    ``caller`` is the authenticated principal (``key:<id>``, ``operator-token:<id>``,
    ``user:<pk>`` or ``address:<ip>``), so two callers using the same key never see each other's
    responses. ``status`` stays ``None`` while the first request is still being processed.
    ``secret_withheld`` marks a body stored with its secrets redacted (replayed as a 409).
    """

    caller = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")
    secret_withheld = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_caller_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
