"""One row per delivery of any commune (public schema), mirrored from the commune's Delivery."""

from __future__ import annotations

from django.db import models


class DeliveryIndex(models.Model):
    """What the operator console lists: where a delivery stands, never the citizen's data."""

    commune = models.ForeignKey("tenants.Commune", on_delete=models.CASCADE, related_name="+")
    delivery_id = models.PositiveBigIntegerField()
    tracking_number = models.CharField(max_length=20)
    route = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["commune", "delivery_id"], name="delivery_index_unique")]
        indexes = [models.Index(fields=["status", "-updated_at"], name="delivery_index_status")]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.tracking_number} ({self.status})"
