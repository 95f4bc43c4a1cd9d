"""The provider's operators: their roles, API tokens, and the per-commune figures the console shows.

Everything here lives in the public schema; operator accounts are ``accounts.User`` rows of the
public schema, so they never appear in a commune's user list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What an operator may do; each role includes the ones before it."""

    VIEWER = "viewer", _("viewer (read only)")
    OPERATOR = "operator", _("operator (tenant actions)")
    ADMIN = "admin", _("administrator (tokens and roles)")


ROLE_RANK = {Role.VIEWER: 1, Role.OPERATOR: 2, Role.ADMIN: 3}


class OperatorProfile(models.Model):
    """Makes a public-schema account an operator with a role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_profile", verbose_name=_("account")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")

    def __str__(self) -> str:
        return f"{self.user.email} ({self.role})"


class OperatorToken(models.Model):
    """A bearer token for the operator API; only its SHA-256 is stored, its prefix stays visible."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_tokens", verbose_name=_("operator")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("operator API token")
        verbose_name_plural = _("operator API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_usable(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > timezone.now()


class OperatorInvitation(models.Model):
    """A one-time link with which an operator enrols a second factor; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="operator_invitations",
        verbose_name=_("operator"),
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.CharField(_("created by"), max_length=254)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("operator invitation")
        verbose_name_plural = _("operator invitations")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.expires_at:%Y-%m-%d %H:%M})"

    @property
    def is_usable(self) -> bool:
        """Neither used nor expired."""
        return self.used_at is None and self.expires_at > timezone.now()


class TenantStats(models.Model):
    """Figures of one commune's schema, refreshed in bulk by ``kommunal refresh_tenant_stats``.

    The console reads this table instead of querying thousands of schemas per page view.
    """

    commune = models.OneToOneField(
        "tenants.Commune", on_delete=models.CASCADE, primary_key=True, related_name="stats", verbose_name=_("commune")
    )
    active_services = models.PositiveIntegerField(_("activated services"), default=0)
    open_requests = models.PositiveIntegerField(_("open requests"), default=0)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        verbose_name = _("tenant figures")
        verbose_name_plural = _("tenant figures")

    def __str__(self) -> str:
        return f"{self.commune_id}: {self.active_services} services"


class ServiceUsage(models.Model):
    """How many communes have a catalogue service active, refreshed with ``TenantStats``."""

    service = models.OneToOneField(
        "catalog.Service", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("service")
    )
    active_communes = models.PositiveIntegerField(_("communes"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        ordering = ["-active_communes"]
        verbose_name = _("service usage")
        verbose_name_plural = _("service usage")

    def __str__(self) -> str:
        return f"{self.service_id}: {self.active_communes}"


class RequestsPerWeek(models.Model):
    """Citizens' requests submitted in one week across all communes, refreshed with ``TenantStats``."""

    week = models.DateField(_("week"), primary_key=True, help_text=_("Monday of the week."))
    requests = models.PositiveIntegerField(_("requests"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        ordering = ["week"]
        verbose_name = _("requests per week")
        verbose_name_plural = _("requests per week")

    def __str__(self) -> str:
        return f"{self.week}: {self.requests}"
