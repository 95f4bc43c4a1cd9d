"""Appointments of a commune (tenant schema): counters, their hours, bookings and the waitlist.

Times are stored in UTC; opening hours are wall-clock times in Europe/Berlin (see availability).
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Resource(models.Model):
    """Something citizens book: a counter (Schalter) or a member of staff."""

    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    is_active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return self.name


class WeeklyPeriod(models.Model):
    """A recurring weekly period of a resource: open, or a break inside the opening hours."""

    class Kind(models.TextChoices):
        OPEN = "open", _("open")
        BREAK = "break", _("break")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.OPEN)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["resource", "weekday", "starts"]
        verbose_name = _("weekly period")
        verbose_name_plural = _("weekly periods")
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")), name="period_starts_before_end")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.weekday} {self.kind} {self.starts}-{self.ends}"


class Closure(models.Model):
    """Local closure days (inclusive), of one resource or, without one, of every resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closures", null=True, blank=True)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["first_day", "id"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(condition=Q(first_day__lte=models.F("last_day")), name="closure_first_before_last")
        ]

    def __str__(self) -> str:
        return f"{self.first_day}..{self.last_day} {self.reason}"


class Mode(models.TextChoices):
    NONE = "none", _("no appointment")
    OPTIONAL = "optional", _("appointment optional")
    REQUIRED = "required", _("appointment required")


class ServiceSettings(models.Model):
    """How citizens book appointments for one activated service."""

    activation = models.OneToOneField(
        "activations.Activation", on_delete=models.CASCADE, related_name="appointment_settings"
    )
    mode = models.CharField(_("appointment"), max_length=8, choices=Mode.choices, default=Mode.NONE)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=15)
    buffer_minutes = models.PositiveSmallIntegerField(_("buffer before the slot (minutes)"), default=0)
    horizon_days = models.PositiveSmallIntegerField(_("bookable days ahead"), default=30)
    resources = models.ManyToManyField(Resource, related_name="services", verbose_name=_("counters"), blank=True)

    class Meta:
        verbose_name = _("appointment settings")
        verbose_name_plural = _("appointment settings")
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5, slot_minutes__lte=480), name="slot_minutes_range"),
            models.CheckConstraint(condition=Q(horizon_days__gte=1, horizon_days__lte=366), name="horizon_range"),
        ]

    def __str__(self) -> str:
        return f"{self.activation_id}: {self.mode}"


class Booking(models.Model):
    """A booked (or held) slot of a resource. ``blocked`` is the buffer plus the slot itself.

    The exclusion constraint makes PostgreSQL refuse a second live booking whose blocked range
    overlaps another of the same resource, whatever the number of concurrent writers.
    """

    class Status(models.TextChoices):
        HELD = "held", _("held for the waitlist")
        BOOKED = "booked", _("booked")
        CHECKED_IN = "checked_in", _("checked in")
        NO_SHOW = "no_show", _("no-show")
        CANCELLED = "cancelled", _("cancelled")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    settings = models.ForeignKey(ServiceSettings, on_delete=models.PROTECT, related_name="bookings")
    request = models.ForeignKey(
        "citizen_requests.CitizenRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, default="de")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    blocked = DateTimeRangeField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    token = models.CharField(max_length=43, unique=True)
    held_until = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["resource", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            ExclusionConstraint(
                name="booking_no_overlap",
                expressions=[("resource", RangeOperators.EQUAL), ("blocked", RangeOperators.OVERLAPS)],
                condition=~Q(status="cancelled"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingChange(models.Model):
    """Who changed a booking, when, and how."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=20)
    actor = models.CharField(_("by"), max_length=254)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_starts_at = models.DateTimeField(null=True, blank=True)
    to_starts_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.action} by {self.actor}"


class WaitlistEntry(models.Model):
    """A citizen waiting for a slot of a service; offered freed slots in order of joining."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        OFFERED = "offered", _("offered a slot")
        BOOKED = "booked", _("booked")
        LEFT = "left", _("left the waitlist")

    settings = models.ForeignKey(ServiceSettings, on_delete=models.CASCADE, related_name="waitlist")
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(max_length=8, default="de")
    request = models.ForeignKey(
        "citizen_requests.CitizenRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    offer = models.ForeignKey(Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [models.Index(fields=["settings", "status", "joined_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"
