"""Free slots of a service served by 20 counters over 90 days, against the 100 ms goal.

Creates a throwaway commune schema (migrated like a real one), 20 counters open Monday to Friday
08:00-12:00 and Tuesday/Thursday 13:00-18:00 with a break, 15-minute slots with a 5-minute buffer,
and every third slot booked; then times ``availability.free_slots`` and removes everything.
Run with ``make bench`` (uses DATABASE_URL or the embedded PostgreSQL).
"""

import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunal.settings")
django.setup()

from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from activations.models import Activation  # noqa: E402
from appointments import availability  # noqa: E402
from appointments.demo import BREAKS, HOURS  # noqa: E402
from appointments.models import Booking, Mode, Resource, ServiceSettings, WeeklyPeriod  # noqa: E402
from appointments.services import booking_range  # noqa: E402
from tenants.models import Commune  # noqa: E402

RESOURCES, DAYS, RUNS, GOAL_MS = 20, 90, 15, 100.0
SCHEMA = "bench_appointments"


def setup() -> tuple[Commune, ServiceSettings]:
    commune = Commune(
        name="Bench Termine", ags="15999999", land="Bench", landkreis="Bench", slug="bench-termine", schema_name=SCHEMA
    )
    commune.save()
    commune.create_schema(check_if_exists=True)
    with tenant_context(commune):
        activation = Activation.objects.create(service_id=999_999, version_id=999_999)
        settings = ServiceSettings.objects.create(
            activation=activation, mode=Mode.REQUIRED, slot_minutes=15, buffer_minutes=5, horizon_days=DAYS
        )
        for number in range(RESOURCES):
            resource = Resource.objects.create(name=f"Schalter {number + 1}")
            WeeklyPeriod.objects.bulk_create(
                [WeeklyPeriod(resource=resource, weekday=d, starts=s, ends=e) for d, s, e in HOURS]
                + [WeeklyPeriod(resource=resource, weekday=d, starts=s, ends=e, kind="break") for d, s, e in BREAKS]
            )
            settings.resources.add(resource)
        first, last = window()
        slots = availability.free_slots(settings, ags=commune.ags, first=first, last=last)
        Booking.objects.bulk_create(
            [
                Booking(
                    resource_id=s.resource_id,
                    settings=settings,
                    email="bench@example.org",
                    token=f"t{i}",
                    **booking_range(settings, s.starts_at),
                )
                for i, s in enumerate(slots[::3])
            ],
            batch_size=2000,
        )
    return commune, settings


def window() -> tuple[date, date]:
    today = availability.local_day(datetime.now(UTC))
    return today, today + timedelta(days=DAYS - 1)


def main() -> None:
    commune, settings = setup()
    try:
        with tenant_context(commune):
            first, last = window()
            timings, count = [], 0
            for _ in range(RUNS):
                settings = ServiceSettings.objects.get(pk=settings.pk)  # nothing cached between runs
                started = time.perf_counter()
                count = len(availability.free_slots(settings, ags=commune.ags, first=first, last=last))
                timings.append((time.perf_counter() - started) * 1000)
            booked = Booking.objects.count()
        median = statistics.median(timings)
        print(f"{RESOURCES} counters x {DAYS} days: {count} free slots, {booked} booked")
        print(
            f"free_slots: median {median:.1f} ms, best {min(timings):.1f} ms, worst {max(timings):.1f} ms "
            f"(goal {GOAL_MS:.0f} ms; median is {median / GOAL_MS:.2f}x the goal)"
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        Commune.objects.filter(schema_name=SCHEMA).delete()


if __name__ == "__main__":
    main()
