"""A commune's activations (tenant schema)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from activations import texts as service_texts
from catalog import information


class PaymentMode(models.TextChoices):
    """When a citizen pays the activation's fee online (docs/payments.md)."""

    NONE = "none", _("no online payment")
    BEFORE_SUBMISSION = "before_submission", _("before the request is submitted")
    AFTER_DECISION = "after_decision", _("after approval (payment link by e-mail)")


class Activation(models.Model):
    """A catalogue service this commune offers, pinned to the version it activated.

    The references into the public catalogue carry no database constraint: with one constraint
    per tenant schema, every change of a catalogue row would be checked against 10,000 tables.
    Catalogue rows are never deleted (versions are retired), and Django's PROTECT still guards.
    """

    service = models.OneToOneField("catalog.Service", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    version = models.ForeignKey(
        "catalog.ServiceVersion", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    fee = models.DecimalField(_("fee (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)
    office_name = models.CharField(_("responsible office"), max_length=200, blank=True)
    office_address = models.TextField(_("office address"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    notes = models.TextField(_("additional notes"), blank=True)
    online_submission = models.BooleanField(_("online submission enabled"), default=True)
    payment_mode = models.CharField(
        _("online payment of the fee"), max_length=20, choices=PaymentMode.choices, default=PaymentMode.NONE
    )
    texts = models.JSONField(
        _("own texts per language"),
        default=dict,
        blank=True,
        help_text=_("The commune's own wording of the service's texts, by language (see activations.texts)."),
    )
    activated_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service__title_de"]
        verbose_name = _("activated service")
        verbose_name_plural = _("activated services")

    def __str__(self) -> str:
        return f"{self.service_id} v{self.version_id}"

    @property
    def title(self) -> str:
        """The title the portal shows in the active language: the commune's own, else the catalogue's."""
        return service_texts.shown(self.texts, "title") or self.service.title

    @property
    def summary(self) -> str:
        """The short description in the active language: the commune's own, else the catalogue's."""
        return service_texts.shown(self.texts, "summary") or self.service.summary

    @property
    def description(self) -> str:
        """The long description in the active language: the commune's own, else the catalogue's."""
        return service_texts.shown(self.texts, "description") or self.service.description

    @property
    def leichte_sprache(self) -> str:
        """The service in Leichte Sprache: the commune's own text, else the catalogue's; "" when neither."""
        return self.texts.get("de", {}).get(service_texts.LEICHTE_SPRACHE, "") or self.service.leichte_sprache

    def information_for_display(self) -> dict[str, Any]:
        """The citizen information of the pinned version in the active language, with the commune's texts."""
        return information.for_display(self.version.information, service_texts.shown_modules(self.texts))


class ActivationEvent(models.Model):
    """A recorded change of an activation: who did what, when, from which version to which."""

    class Action(models.TextChoices):
        ACTIVATED = "activated", _("activated")
        DEACTIVATED = "deactivated", _("deactivated")
        REACTIVATED = "reactivated", _("reactivated")
        UPGRADED = "upgraded", _("upgraded")
        SETTINGS_CHANGED = "settings_changed", _("settings changed")
        TEXTS_CHANGED = "texts_changed", _("texts changed")

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.CharField(max_length=254)
    at = models.DateTimeField(auto_now_add=True)
    from_version = models.PositiveIntegerField(null=True, blank=True)
    to_version = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"
