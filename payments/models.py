"""Fee payments, public schema: each commune's account at a payment provider, and the events received.

The payment state itself is part of the request (``CitizenRequest.payment_status``, tenant schema).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectedAccount(models.Model):
    """The commune's own account at the provider (a Stripe Connect account); fees go there."""

    commune = models.OneToOneField("tenants.Commune", on_delete=models.CASCADE, related_name="payment_account")
    provider = models.CharField(max_length=30, default="stripe")
    account_id = models.CharField(_("account"), max_length=100, unique=True)
    charges_enabled = models.BooleanField(_("ready for payments"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")

    def __str__(self) -> str:
        return f"{self.provider}:{self.account_id}"


class PaymentEvent(models.Model):
    """A status event received from a provider; recorded once, so a replay changes nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    account_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id
