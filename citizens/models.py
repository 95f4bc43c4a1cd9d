"""Citizen accounts of one commune (tenant schema), their logins, requests and mailbox."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from citizens.trust import TrustLevel
from tenants.db import connection

DEFAULT_RETENTION_DAYS = 90


class LoginSettings(models.Model):
    """The commune's own identity provider (overrides the platform's) and its retention period.

    One row at most; without it the platform's provider (``KOMMUNAL_OIDC_*``) and 90 days apply.
    """

    issuer = models.URLField(_("issuer"), blank=True)
    client_id = models.CharField(_("client id"), max_length=200, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    retention_days = models.PositiveIntegerField(_("retention after completion (days)"), default=DEFAULT_RETENTION_DAYS)

    class Meta:
        verbose_name = _("citizen login settings")

    def __str__(self) -> str:
        return self.issuer or "platform provider"


class Citizen(models.Model):
    """A citizen account: the subject at one issuer, with the claims of the last login.

    A deleted account keeps only its id until the retention period of its requests has passed.
    """

    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    given_name = models.CharField(_("given name"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    birthdate = models.CharField(_("date of birth"), max_length=10, blank=True)
    street_address = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    locality = models.CharField(_("place"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], condition=models.Q(deleted_at__isnull=True), name="citizen_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"citizen {self.pk}"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Login(models.Model):
    """One successful login with the trust level the provider stated for it."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="logins")
    trust_level = models.CharField(_("trust level"), max_length=20, choices=TrustLevel.choices)
    acr = models.CharField(_("acr claim"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("citizen login")

    def __str__(self) -> str:
        return f"{self.citizen_id} {self.trust_level} {self.at:%Y-%m-%d}"


class RequestOwner(models.Model):
    """Which citizen account submitted a request (guest requests have no row)."""

    request = models.OneToOneField(
        "citizen_requests.CitizenRequest", on_delete=models.CASCADE, related_name="owner", primary_key=True
    )
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="requests")
    trust_level = models.CharField(_("trust level"), max_length=20, choices=TrustLevel.choices)
    prefilled = models.JSONField(_("fields taken from the account"), default=list, blank=True)
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("request owner")

    def __str__(self) -> str:
        return f"{self.request_id} -> {self.citizen_id}"


def attachment_path(message: Message, filename: str) -> str:
    """``tenants/<schema>/messages/<request>/<random>/<name>``: per commune, never guessable."""
    return f"tenants/{connection.schema_name}/messages/{message.request_id}/{uuid.uuid4().hex}/{filename}"


class Message(models.Model):
    """A message about a request between the office and the citizen who submitted it."""

    class Direction(models.TextChoices):
        TO_CITIZEN = "to_citizen", _("to the citizen")
        FROM_CITIZEN = "from_citizen", _("from the citizen")

    request = models.ForeignKey("citizen_requests.CitizenRequest", on_delete=models.CASCADE, related_name="messages")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    sender = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True, max_length=300)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.subject
