"""Reading appointment settings, free times and day plans of the current commune."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from appointments import availability
from appointments.models import Booking, Mode, ServiceSettings
from tenants.models import Commune

PICKER_DAYS = 14


def commune_ags() -> str:
    tenant = getattr(connection, "tenant", None)
    return tenant.ags if isinstance(tenant, Commune) else ""


def bookable(slug: str) -> ServiceSettings | None:
    """Appointment settings of the active service ``slug`` when citizens can book for it."""
    return (
        ServiceSettings.objects.select_related("activation__service")
        .exclude(mode=Mode.NONE)
        .filter(activation__is_active=True, activation__service__slug=slug)
        .first()
    )


def today() -> date:
    return timezone.now().astimezone(availability.BERLIN).date()


def picker_window(settings: ServiceSettings, first: date | None = None) -> tuple[date, date, date | None]:
    """The days the picker shows from ``first`` (today by default), and the start of the next page."""
    start, horizon_end = today(), today() + timedelta(days=settings.horizon_days)
    first = min(max(first or start, start), horizon_end)
    last = min(first + timedelta(days=PICKER_DAYS - 1), horizon_end)
    return first, last, (last + timedelta(days=1) if last < horizon_end else None)


def free_slots_in_horizon(settings: ServiceSettings) -> list[availability.Slot]:
    return availability.free_slots(
        settings, ags=commune_ags(), first=today(), last=today() + timedelta(days=settings.horizon_days)
    )


def day_plan(resource_id: int, day: date) -> QuerySet[Booking]:
    """The live appointments of a counter on a local day, in order, with service and request."""
    begins = datetime.combine(day, time.min, tzinfo=availability.BERLIN)
    ends = datetime.combine(day + timedelta(days=1), time.min, tzinfo=availability.BERLIN)
    return (
        Booking.objects.filter(resource_id=resource_id, starts_at__gte=begins, starts_at__lt=ends)
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("settings__activation__service", "request")
    )
