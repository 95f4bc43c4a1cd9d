"""Citizen requests of a commune (tenant schema) and their recorded status changes."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    REJECTED = "rejected", _("rejected")


class PaymentStatus(models.TextChoices):
    """Where the fee of a request stands; ``none`` when the commune takes no online payment for it."""

    NONE = "none", _("no online payment")
    UNPAID = "unpaid", _("unpaid")
    PAID = "paid", _("paid")
    REFUNDED = "refunded", _("refunded")
    FAILED = "failed", _("failed")


# Which status may follow which; completed and rejected are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.IN_PROGRESS, Status.REJECTED),
    Status.IN_PROGRESS: (Status.COMPLETED, Status.REJECTED),
    Status.COMPLETED: (),
    Status.REJECTED: (),
}


class CitizenRequest(models.Model):
    """One submitted request, pinned to the catalogue version whose form it was validated against.

    Service and version live in the public catalogue: no database constraint (see Activation).
    """

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    version = models.ForeignKey(
        "catalog.ServiceVersion", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    email = models.EmailField(_("e-mail address"))
    data = models.JSONField(_("submitted data"))
    language = models.CharField(_("language"), max_length=8, default="de")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    payment_status = models.CharField(
        _("payment"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.NONE
    )
    fee = models.DecimalField(_("fee (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("citizen request")
        verbose_name_plural = _("citizen requests")
        indexes = [models.Index(fields=["status", "-submitted_at"]), models.Index(fields=["service", "-submitted_at"])]

    def __str__(self) -> str:
        return self.tracking_number

    def allowed_transitions(self) -> tuple[str, ...]:
        """The statuses this request may move to next."""
        return TRANSITIONS[self.status]


class StatusChange(models.Model):
    """A recorded change of a request's status: who, when, from what to what, and why."""

    request = models.ForeignKey(CitizenRequest, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.CharField(_("by"), max_length=254)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} -> {self.to_status}"


class Attachment(models.Model):
    """A file a citizen attached to a request; the bytes live in the commune's store (see attachments.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(CitizenRequest, on_delete=models.CASCADE, related_name="attachments")
    field = models.CharField(_("form field"), max_length=100)
    name = models.CharField(_("file name"), max_length=200)
    media_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=300, unique=True)
    virus_scanned = models.BooleanField(_("virus-scanned"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["field", "created_at", "name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
