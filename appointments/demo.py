"""Demo for ``make run``: Zeitz's Bürgerbüro with two counters and a service that needs an appointment."""

from __future__ import annotations

from datetime import time

from django.db import transaction
from django_tenants.utils import tenant_context

from activations.models import Activation
from appointments.models import Mode, Resource, ServiceSettings, WeeklyPeriod
from tenants.models import Commune

SERVICE = "meldebescheinigung"
COUNTERS = ["Bürgerbüro Schalter 1", "Bürgerbüro Schalter 2"]
LOCATION = "Rathaus Zeitz, Altmarkt 1, Erdgeschoss"
# Monday to Friday mornings, Tuesday and Thursday afternoons too; a short break at ten.
HOURS = [(day, time(8), time(12)) for day in range(5)] + [(day, time(13), time(18)) for day in (1, 3)]
BREAKS = [(day, time(10), time(10, 15)) for day in range(5)]


def seed_demo_appointments(commune: Commune) -> None:
    """Counters, hours and the appointment settings of SERVICE in ``commune``; idempotent."""
    with tenant_context(commune), transaction.atomic():
        activation = Activation.objects.filter(service__slug=SERVICE, is_active=True).first()
        if activation is None or ServiceSettings.objects.filter(activation=activation).exists():
            return
        settings = ServiceSettings.objects.create(
            activation=activation, mode=Mode.REQUIRED, slot_minutes=15, buffer_minutes=5, horizon_days=30
        )
        for name in COUNTERS:
            resource = Resource.objects.create(name=name, location=LOCATION)
            WeeklyPeriod.objects.bulk_create(
                [WeeklyPeriod(resource=resource, weekday=d, starts=s, ends=e) for d, s, e in HOURS]
                + [WeeklyPeriod(resource=resource, weekday=d, starts=s, ends=e, kind="break") for d, s, e in BREAKS]
            )
            settings.resources.add(resource)
