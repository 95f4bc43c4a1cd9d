"""A Bürgerbüro with counters and a service that requires an appointment, per commune."""

from __future__ import annotations

from datetime import time

import pytest
from django_tenants.utils import tenant_context

from appointments.models import Mode, Resource, ServiceSettings, WeeklyPeriod
from tenants.models import Commune
from tests.catalog_helpers import activate, load_shipped_catalogue

SERVICE = "meldebescheinigung"


def counter_office(
    commune: Commune,
    *,
    counters: int = 1,
    days: tuple[int, ...] = (0, 1, 2, 3, 4),
    opens: time = time(8),
    closes: time = time(12),
    slot_minutes: int = 30,
    buffer_minutes: int = 0,
    horizon_days: int = 30,
) -> ServiceSettings:
    """Activate SERVICE with appointments required, served by ``counters`` counters."""
    activation = activate(commune, SERVICE)
    with tenant_context(commune):
        settings = ServiceSettings.objects.create(
            activation=activation,
            mode=Mode.REQUIRED,
            slot_minutes=slot_minutes,
            buffer_minutes=buffer_minutes,
            horizon_days=horizon_days,
        )
        for number in range(1, counters + 1):
            resource = Resource.objects.create(name=f"Schalter {number}")
            WeeklyPeriod.objects.bulk_create(
                WeeklyPeriod(resource=resource, weekday=day, starts=opens, ends=closes) for day in days
            )
            settings.resources.add(resource)
        return settings


@pytest.fixture
def catalogue(db) -> None:  # type: ignore[no-untyped-def]
    load_shipped_catalogue()
