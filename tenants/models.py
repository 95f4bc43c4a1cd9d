"""Communes (the tenants), their hosts, and the official municipality directory."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from kommunal.hosts import url_for_host
from tenants.validators import validate_ags, validate_schema_name, validate_slug


class Municipality(models.Model):
    """One entry of the official directory of German municipalities (``data/gemeinden.csv``)."""

    ags = models.CharField(_("AGS"), max_length=8, primary_key=True, validators=[validate_ags])
    name = models.CharField(_("official name"), max_length=200)
    short_name = models.CharField(_("name"), max_length=200, db_index=True)
    kreis_code = models.CharField(_("district key"), max_length=5)
    kreis = models.CharField(_("district"), max_length=200)
    land_code = models.CharField(_("Land code"), max_length=2)
    land = models.CharField(_("Land"), max_length=100)
    is_city = models.BooleanField(_("town or city"), default=False)
    retired_at = models.DateTimeField(
        _("retired"), null=True, blank=True, help_text=_("Set when a territorial reform dissolved the municipality.")
    )

    class Meta:
        ordering = ["short_name", "ags"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        indexes = [models.Index(Upper("short_name"), name="municipality_name_upper")]

    def __str__(self) -> str:
        return f"{self.name} ({self.ags})"


class DirectoryRelease(models.Model):
    """Which release of the municipality directory is loaded (its territorial status date)."""

    territorial_status = models.DateField(_("territorial status"))
    sha256 = models.CharField(max_length=64, unique=True)
    entries = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"Gebietsstand {self.territorial_status:%d.%m.%Y} ({self.entries})"


class Commune(TenantMixin):
    """A commune using the platform; its data lives in its own PostgreSQL schema."""

    class Kind(models.TextChoices):
        GEMEINDE = "gemeinde", _("Municipality (Gemeinde)")
        STADT = "stadt", _("Town (Stadt)")
        AMT = "amt", _("Association of municipalities (Verbandsgemeinde/Amt)")
        LANDKREIS = "landkreis", _("District (Landkreis)")

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("pending review")
        PROVISIONING = "provisioning", _("provisioning")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        OFFBOARDED = "offboarded", _("offboarded")

    # Schemas are created by tenants.provisioning, never as a side effect of save().
    auto_create_schema = False

    name = models.CharField(_("official name"), max_length=200)
    ags = models.CharField(_("AGS"), max_length=8, unique=True, validators=[validate_ags])
    land = models.CharField(_("Land"), max_length=100)
    landkreis = models.CharField(_("district"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GEMEINDE)
    slug = models.SlugField(_("address name"), max_length=63, unique=True, validators=[validate_slug])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_REVIEW, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    suspension_reason = models.TextField(_("reason for suspension"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Tenant-app migrations applied to the schema (see tenants.migration_state); health and the
    # operator console compare them with the code's in one query over the registry.
    applied_migrations = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    migrated_at = models.DateTimeField(null=True, blank=True)
    # The alias in DATABASES of the PostgreSQL server holding the schema (tenants.placement).
    placement = models.CharField(
        _("database server"),
        max_length=63,
        default="default",
        db_index=True,
        help_text=_("Changed only by 'kommunal move_commune'."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None):  # type: ignore[no-untyped-def]
        super().clean_fields(exclude=exclude)
        validate_schema_name(self.schema_name)

    @property
    def primary_host(self) -> str:
        """``<slug>.<KOMMUNAL_DOMAIN>``, where the commune always answers."""
        return f"{self.slug}.{settings.KOMMUNAL_DOMAIN}"

    @property
    def portal_url(self) -> str:
        """Base URL of the commune's portal and API on its primary host."""
        return url_for_host(self.primary_host)


class StatusTransition(models.Model):
    """One change of a commune's lifecycle status, with its time and who made it."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Commune.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Commune.Status.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=254)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.commune_id}: {self.from_status or '-'} -> {self.to_status}"


class Domain(DomainMixin):
    """A host name that routes to a commune: its primary ``<slug>.<KOMMUNAL_DOMAIN>`` or a custom one."""

    verification_token = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Custom hosts route only once their DNS TXT token is verified.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("host name")
        verbose_name_plural = _("host names")

    def __str__(self) -> str:
        return self.domain


class DueWork(models.Model):
    """The earliest time a schema has background work of one kind due (an index in public).

    Written in the transaction that creates the work (``tenants.due_work.note``), so that the
    periodic jobs find the schemas with due work in one query over this table instead of visiting
    every commune's schema every minute.
    """

    class Kind(models.TextChoices):
        WEBHOOK_DELIVERY = "webhook_delivery", _("webhook delivery")
        IDEMPOTENCY_PURGE = "idempotency_purge", _("purge of idempotency records")
        APPOINTMENT_HOUSEKEEPING = "appointment_housekeeping", _("appointment reminders and waitlist offers")

    schema_name = models.CharField(max_length=63)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    due_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schema_name", "kind"], name="due_work_once_per_schema")]

    def __str__(self) -> str:
        return f"{self.schema_name}: {self.kind} at {self.due_at:%Y-%m-%d %H:%M:%S}"
