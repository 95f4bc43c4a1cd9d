"""Audit events, kept in the public schema and never updated or deleted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded action. Rows are append-only: a database trigger refuses UPDATE and DELETE."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    commune = models.ForeignKey(
        "tenants.Commune", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor = models.CharField(
        _("actor"), max_length=254, help_text=_("Who acted, e.g. 'operator:ops@example.org' or 'system'.")
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target = models.CharField(_("target"), max_length=254, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["commune", "-at"], name="audit_commune_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"
