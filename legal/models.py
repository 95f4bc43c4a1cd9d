"""A commune's own wording of a legal page, in its schema; the platform's default when absent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalText(models.Model):
    class Kind(models.TextChoices):
        IMPRINT = "impressum", _("Imprint")
        PRIVACY = "datenschutz", _("Privacy policy")
        ACCESSIBILITY = "barrierefreiheit", _("Accessibility statement")

    kind = models.CharField(_("page"), max_length=20, choices=Kind.choices, unique=True)
    body = models.TextField(_("text"), max_length=50_000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("legal text")
        verbose_name_plural = _("legal texts")

    def __str__(self) -> str:
        return self.get_kind_display()
