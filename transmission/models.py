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
    # FIT-Connect: saved as soon as the submission is announced (with its parts), so a retry resumes it.
    submission_id = models.CharField(max_length=64, blank=True)
    case_id = models.CharField(max_length=64, blank=True)
    # The destination key (kid) the parts of the announced submission are encrypted to.
    key_id = models.CharField(max_length=200, blank=True)
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


class DeliveryPart(models.Model):
    """One file of a FIT-Connect submission: the form rendered as PDF, or a file the citizen uploaded.

    The parts are saved together with the announced submission. ``sha512`` (of the plain bytes) is
    set as soon as the encrypted file was uploaded: a resumed attempt uploads only the parts without
    it, and the metadata describe exactly the bytes that went out.
    """

    class Purpose(models.TextChoices):
        FORM = "form", _("the form as PDF")
        ATTACHMENT = "attachment", _("uploaded file")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField()
    fitconnect_id = models.UUIDField(_("attachment id (FIT-Connect)"))
    # Null for the form PDF, and for a file deleted after announcing (the delivery then fails with why).
    upload = models.ForeignKey(
        "citizen_requests.Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    filename = models.CharField(max_length=200)
    media_type = models.CharField(max_length=50)
    description = models.CharField(max_length=200, blank=True)
    sha512 = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["delivery", "position"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "position"], name="delivery_part_position"),
            models.UniqueConstraint(fields=["delivery", "fitconnect_id"], name="delivery_part_id"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}/{self.position}: {self.filename}"
