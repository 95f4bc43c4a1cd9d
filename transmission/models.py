"""How a commune's requests reach its back office (tenant schema): the route per activation and
one delivery per routed request."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Route(models.TextChoices):
    INBOX = "inbox", _("Inbox (Kommunal)")
    FITCONNECT = "fitconnect", _("FIT-Connect")
    EMAIL = "email", _("E-mail to the office")


class ServiceRoute(models.Model):
    """The route a commune chose for one activated service; no row means the inbox."""

    activation = models.OneToOneField("activations.Activation", on_delete=models.CASCADE, related_name="route")
    route = models.CharField(_("delivery route"), max_length=20, choices=Route.choices, default=Route.INBOX)
    destination_id = models.CharField(_("FIT-Connect destination id"), max_length=64, blank=True)
    office_email = models.EmailField(_("office e-mail address"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.activation_id}: {self.route}"


class Delivery(models.Model):
    """One request on its way to the back office: the steps done, the attempts, the answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUBMITTED = "submitted", _("submitted, awaiting the office's answer")
        DELIVERED = "delivered", _("delivered")
        ACCEPTED = "accepted", _("accepted by the office")
        REJECTED = "rejected", _("rejected by the office")
        FAILED = "failed", _("failed")

    request = models.OneToOneField("citizen_requests.CitizenRequest", on_delete=models.CASCADE, related_name="delivery")
    route = models.CharField(max_length=20, choices=Route.choices)
    destination_id = models.CharField(max_length=64, blank=True)
    office_email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # FIT-Connect: saved as soon as the submission is announced, so a retry resumes it.
    submission_id = models.CharField(max_length=64, blank=True)
    case_id = models.CharField(max_length=64, blank=True)
    attachment_ids = models.JSONField(default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="transmission_due", condition=models.Q(status="pending"))
        ]

    def __str__(self) -> str:
        return f"{self.request_id} via {self.route} ({self.status})"
