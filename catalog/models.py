"""The shared catalogue: services every commune can offer, each with versioned form definitions."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from citizens.trust import TrustLevel


class Category(models.TextChoices):
    """The OZG Themenfelder (subject areas of the Onlinezugangsgesetz)."""

    WORK = "arbeit-ruhestand", _("Work & retirement")
    BUILDING = "bauen-wohnen", _("Building & housing")
    EDUCATION = "bildung", _("Education")
    MIGRATION = "ein-auswanderung", _("Immigration & emigration")
    VOLUNTEERING = "engagement-hobby", _("Volunteering & hobbies")
    FAMILY = "familie-kind", _("Family & children")
    RESEARCH = "forschung-foerderung", _("Research & funding")
    HEALTH = "gesundheit", _("Health")
    MOBILITY = "mobilitaet-reisen", _("Mobility & travel")
    GENERAL = "querschnitt", _("General services")
    LAW = "recht-ordnung", _("Law & order")
    TAXES = "steuern-zoll", _("Taxes & customs")
    ENVIRONMENT = "umwelt", _("Environment")
    BUSINESS = "unternehmen", _("Business")


class FeeModel(models.TextChoices):
    FREE = "free", _("free of charge")
    FIXED = "fixed", _("fixed fee")
    RANGE = "range", _("fee within a range set by statute")
    BY_STATUTE = "by_statute", _("fee according to the local statute")


class Service(models.Model):
    """A citizen service as the catalogue describes it, the same for every commune."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_de = models.CharField(_("short description (German)"), max_length=300)
    summary_en = models.CharField(_("short description (English)"), max_length=300)
    description_de = models.TextField(_("description (German)"))
    description_en = models.TextField(_("description (English)"))
    leichte_sprache = models.TextField(
        _("Leichte Sprache"),
        blank=True,
        help_text=_("The service explained in Leichte Sprache (German easy-to-read language); empty: no such page."),
    )
    category = models.CharField(_("subject area"), max_length=40, choices=Category.choices, db_index=True)
    leika_key = models.CharField(
        _("LeiKa key"),
        max_length=14,
        blank=True,
        help_text=_("Leistungsschlüssel of the LeiKa; empty where none exists."),
    )
    office_type = models.CharField(_("responsible office"), max_length=120)
    fee_model = models.CharField(_("fee model"), max_length=20, choices=FeeModel.choices, default=FeeModel.FREE)
    is_emobility = models.BooleanField(_("e-mobility service"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title_de"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.title_de

    def _localized(self, field: str) -> str:
        language = (translation.get_language() or "de")[:2]
        return str(getattr(self, f"{field}_{'en' if language == 'en' else 'de'}"))

    @property
    def title(self) -> str:
        """The title in the active language."""
        return self._localized("title")

    @property
    def summary(self) -> str:
        """The short description in the active language."""
        return self._localized("summary")

    @property
    def description(self) -> str:
        """The long description in the active language."""
        return self._localized("description")


class ServiceVersion(models.Model):
    """One version of a service's form definition and of what communes may set locally.

    A published version never changes; a new version is a new row. Communes run the version they
    activated until they upgrade explicitly.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    form_schema = models.JSONField(_("form (JSON Schema)"), help_text=_("JSON Schema of the request form."))
    ui_schema = models.JSONField(_("form UI hints"), default=dict, blank=True)
    default_fee = models.DecimalField(_("default fee (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)
    min_fee = models.DecimalField(_("lowest fee (EUR)"), max_digits=8, decimal_places=2, default=Decimal("0"))
    max_fee = models.DecimalField(_("highest fee (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)
    online_submission_allowed = models.BooleanField(_("online submission allowed"), default=True)
    min_trust_level = models.CharField(
        _("minimum trust level"),
        max_length=20,
        choices=TrustLevel.choices,
        blank=True,
        help_text=_("Blank: guests may apply. Otherwise only citizens logged in at this level or higher."),
    )
    information = models.JSONField(
        _("citizen information"),
        default=dict,
        blank=True,
        help_text=_("FIM/XZuFi text modules: full text, requirements, documents, durations, legal bases."),
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    changelog = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["service", "-number"]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalog_version_unique_number"),
            models.CheckConstraint(
                condition=Q(max_fee__isnull=True) | Q(max_fee__gte=models.F("min_fee")),
                name="catalog_version_fee_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.slug} v{self.number} ({self.status})"
