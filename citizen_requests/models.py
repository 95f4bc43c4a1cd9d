"""Citizen requests of a commune (tenant schema) and their recorded status changes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    REJECTED = "rejected", _("rejected")


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
