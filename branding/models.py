"""The branding of one commune: one row in the commune's own schema."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from branding.colors import HEX_COLOR

validate_hex_color = RegexValidator(HEX_COLOR, _("Enter a colour as #rrggbb, for example #0b4f8a."))

DEFAULT_PRIMARY = "#0b4f8a"
DEFAULT_ACCENT = "#1d6f42"
# Languages of the Sorbian settlement area (Lausitz) a commune may switch on for its portal.
REGIONAL_LANGUAGES = [("hsb", _("Upper Sorbian")), ("dsb", _("Lower Sorbian"))]


class Branding(models.Model):
    """How the commune's portal, e-mails and API documentation look.

    ``assets`` maps a rendition name (``logo_96``, ``logo_192``, ``favicon_32``,
    ``favicon_180``, ``header``) to its storage key under ``tenants/<schema>/branding/``.
    """

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    display_name = models.CharField(
        _("display name"), max_length=120, blank=True, help_text=_("Shown in the header; the official name if empty.")
    )
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default=DEFAULT_PRIMARY, validators=[validate_hex_color]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default=DEFAULT_ACCENT, validators=[validate_hex_color]
    )
    contact = models.TextField(
        _("contact"), blank=True, help_text=_("Address, telephone and opening hours, shown in the footer.")
    )
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    imprint_url = models.URLField(_("imprint (Impressum)"), blank=True)
    privacy_url = models.URLField(_("privacy policy (Datenschutzerklärung)"), blank=True)
    accessibility_url = models.URLField(_("accessibility statement (Barrierefreiheitserklärung)"), blank=True)
    regional_language = models.CharField(
        _("regional language"),
        max_length=3,
        choices=REGIONAL_LANGUAGES,
        blank=True,
        help_text=_("Offered on the portal in addition to German and English (Sorbian settlement area)."),
    )
    assets = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("branding")
        verbose_name_plural = _("branding")
        constraints = [models.CheckConstraint(condition=models.Q(singleton=1), name="branding_single_row")]

    def __str__(self) -> str:
        return self.display_name or "branding"
