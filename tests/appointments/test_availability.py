"""Free slots: opening hours, breaks, Land holidays, closures, buffers and daylight-saving time."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from django_tenants.utils import tenant_context

from appointments import availability
from appointments.models import Booking, Closure, WeeklyPeriod
from appointments.services import book
from tests.appointments.conftest import counter_office

pytestmark = pytest.mark.django_db
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def local_times(slots):  # type: ignore[no-untyped-def]
    return [s.starts_at.astimezone(availability.BERLIN).strftime("%H:%M") for s in slots]


def test_slots_fill_the_opening_hours_minus_the_break(catalogue, communes):
    settings = counter_office(communes.zeitz, opens=time(8), closes=time(12))
    with tenant_context(communes.zeitz):
        resource = settings.resources.get()
        WeeklyPeriod.objects.create(resource=resource, weekday=0, kind="break", starts=time(9), ends=time(10))
        monday = date(2026, 12, 7)
        slots = availability.free_slots(settings, ags=communes.zeitz.ags, first=monday, last=monday, now=LONG_AGO)
    assert local_times(slots) == ["08:00", "08:30", "10:00", "10:30", "11:00", "11:30"]


def test_buffer_comes_before_each_slot(catalogue, communes):
    settings = counter_office(communes.zeitz, opens=time(8), closes=time(9), slot_minutes=20, buffer_minutes=10)
    with tenant_context(communes.zeitz):
        monday = date(2026, 12, 7)
        slots = availability.free_slots(settings, ags=communes.zeitz.ags, first=monday, last=monday, now=LONG_AGO)
    assert local_times(slots) == ["08:10", "08:40"]


def test_holidays_of_the_land_and_local_closures_have_no_slots(catalogue, communes):
    # Zeitz (AGS 15...) is in Saxony-Anhalt: Epiphany (6 January) is a holiday there, not in Saxony.
    settings = counter_office(communes.zeitz, days=(0, 1, 2, 3, 4, 5, 6))
    with tenant_context(communes.zeitz):
        Closure.objects.create(first_day=date(2027, 1, 8), last_day=date(2027, 1, 8), reason="Betriebsausflug")
        slots = availability.free_slots(
            settings, ags=communes.zeitz.ags, first=date(2027, 1, 5), last=date(2027, 1, 9), now=LONG_AGO
        )
    days = sorted({availability.local_day(s.starts_at) for s in slots})
    assert days == [date(2027, 1, 5), date(2027, 1, 7), date(2027, 1, 9)]
    assert availability.public_holidays("14729050", date(2027, 1, 6), date(2027, 1, 6)) == set()
    assert availability.public_holidays("15084590", date(2027, 1, 6), date(2027, 1, 6)) == {date(2027, 1, 6)}


@pytest.mark.parametrize(
    ("sunday", "hours_of_slots", "first_utc"),
    [(date(2026, 3, 29), 2, "00:00"), (date(2026, 10, 25), 4, "23:00")],
    ids=["march-clocks-forward", "october-clocks-back"],
)
def test_daylight_saving_sundays_count_real_time(catalogue, communes, sunday, hours_of_slots, first_utc):
    settings = counter_office(communes.zeitz, days=(6,), opens=time(1), closes=time(4), slot_minutes=30)
    with tenant_context(communes.zeitz):
        slots = availability.free_slots(settings, ags=communes.zeitz.ags, first=sunday, last=sunday, now=LONG_AGO)
    assert len(slots) == hours_of_slots * 2
    assert slots[0].starts_at.strftime("%H:%M") == first_utc
    assert all(b.starts_at - a.starts_at == timedelta(minutes=30) for a, b in pairwise(slots))


def test_nine_oclock_is_eight_utc_in_winter_and_seven_in_summer(catalogue, communes):
    settings = counter_office(communes.zeitz, days=(5, 0), opens=time(9), closes=time(10), slot_minutes=60)
    with tenant_context(communes.zeitz):
        saturday, monday = date(2026, 3, 28), date(2026, 3, 30)
        slots = availability.free_slots(settings, ags=communes.zeitz.ags, first=saturday, last=monday, now=LONG_AGO)
    assert [s.starts_at for s in slots] == [
        datetime(2026, 3, 28, 8, tzinfo=UTC),
        datetime(2026, 3, 30, 7, tzinfo=UTC),
    ]


def test_a_booked_slot_is_no_longer_free_and_is_stored_in_utc(catalogue, communes):
    settings = counter_office(communes.zeitz, opens=time(8), closes=time(9), slot_minutes=30, horizon_days=366)
    with tenant_context(communes.zeitz):
        monday = availability.local_day(datetime.now(UTC)) + timedelta(days=7)
        monday -= timedelta(days=monday.weekday())
        first = availability.free_slots(settings, ags=communes.zeitz.ags, first=monday, last=monday)[0]
        booking = book(settings, starts_at=first.starts_at, email="erika@example.org", actor="citizen")
        remaining = availability.free_slots(settings, ags=communes.zeitz.ags, first=monday, last=monday)
        stored = Booking.objects.get(pk=booking.pk)
    assert local_times(remaining) == ["08:30"]
    assert stored.starts_at.utcoffset() == timedelta(0)
    assert stored.starts_at.astimezone(availability.BERLIN).strftime("%H:%M") == "08:00"
