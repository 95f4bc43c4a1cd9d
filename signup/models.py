"""Applications of communes to use Kommunal, and domains trusted for automatic approval."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.validators import validate_ags


class Application(models.Model):
    """One commune's application, from the first form to the running portal.

    The id is a random UUID: it is the applicant's only handle on the status page and API, so
    it must not be guessable.
    """

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("pending review")
        PROVISIONING = "provisioning", _("being set up")
        ACTIVE = "active", _("ready")
        FAILED = "failed", _("set-up failed")
        REJECTED = "rejected", _("rejected")
        EXPIRED = "expired", _("expired")

    # Statuses in which an application holds its commune: at most one per AGS (database constraint).
    OPEN_STATUSES = (Status.PENDING_REVIEW, Status.PROVISIONING, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ags = models.CharField(_("AGS"), max_length=8, validators=[validate_ags])
    commune_name = models.CharField(_("commune"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_REVIEW, db_index=True
    )
    applicant_name = models.CharField(_("name"), max_length=200)
    applicant_role = models.CharField(_("role"), max_length=200)
    applicant_email = models.EmailField(_("official e-mail address"))
    applicant_phone = models.CharField(_("phone"), max_length=40, blank=True)
    terms_version = models.CharField(max_length=20)
    terms_accepted_at = models.DateTimeField()
    dpa_version = models.CharField(max_length=20)
    dpa_accepted_at = models.DateTimeField()
    language = models.CharField(max_length=8, default="de", help_text="Language of the e-mails to the applicant.")
    services = models.JSONField(_("services"), default=list, blank=True, help_text=_("Slugs of catalogue services."))
    invoice_recipient = models.CharField(_("invoice recipient"), max_length=200, blank=True)
    invoice_street = models.CharField(_("street and number"), max_length=200, blank=True)
    invoice_postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    invoice_city = models.CharField(_("city"), max_length=100, blank=True)
    invoice_email = models.EmailField(_("invoice e-mail address"), blank=True)
    leitweg_id = models.CharField(_("Leitweg-ID"), max_length=46, blank=True)
    verification_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    verification_sent_at = models.DateTimeField(null=True, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    reviewed_by = models.CharField(max_length=254, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    commune = models.ForeignKey(
        "tenants.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    steps_done = models.JSONField(default=list, blank=True)
    provisioning_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["ags"],
                condition=Q(status__in=["pending_review", "provisioning", "failed"]),
                name="signup_one_open_application_per_ags",
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune_name} ({self.ags}): {self.status}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def email_domain(self) -> str:
        return self.applicant_email.rsplit("@", 1)[-1].lower()


class TrustedDomain(models.Model):
    """An e-mail domain the operator confirmed belongs to a commune: verified addresses there are approved at once."""

    ags = models.CharField(_("AGS"), max_length=8, validators=[validate_ags])
    domain = models.CharField(_("e-mail domain"), max_length=253)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ags", "domain"]
        verbose_name = _("trusted e-mail domain")
        verbose_name_plural = _("trusted e-mail domains")
        constraints = [models.UniqueConstraint(fields=["ags", "domain"], name="signup_trusted_domain_unique")]

    def __str__(self) -> str:
        return f"{self.domain} ({self.ags})"
