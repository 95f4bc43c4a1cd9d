"""Two citizens book the last slot at the same moment: PostgreSQL lets exactly one of them win."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connections
from django.utils import translation
from django_tenants.utils import tenant_context

from activations.models import Activation
from appointments import availability, services
from appointments.models import Booking, Resource, ServiceSettings
from tests.appointments.conftest import counter_office
from tests.catalog_helpers import load_shipped_catalogue


@pytest.fixture
def last_slot(communes):  # type: ignore[no-untyped-def]
    """One counter with a single free slot next week; cleaned out of Zeitz's schema afterwards."""
    load_shipped_catalogue()
    settings = counter_office(communes.zeitz, opens=time(8), closes=time(8, 30), slot_minutes=30, horizon_days=366)
    with tenant_context(communes.zeitz):
        day = availability.local_day(datetime.now(UTC)) + timedelta(days=7)
        day -= timedelta(days=day.weekday())
        (slot,) = availability.free_slots(settings, ags=communes.zeitz.ags, first=day, last=day)
    yield settings, slot
    with tenant_context(communes.zeitz):  # transactional tests commit: remove what this one wrote
        Booking.objects.all().delete()
        ServiceSettings.objects.all().delete()
        Resource.objects.all().delete()
        Activation.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_of_the_last_slot_exactly_one_wins(last_slot, communes, monkeypatch):
    settings, slot = last_slot
    both_saw_it_free = threading.Barrier(2, timeout=10)
    original = services.free_resources

    def free_resources_then_wait(*args):  # type: ignore[no-untyped-def]
        found = original(*args)
        both_saw_it_free.wait()  # neither inserts before both have seen the slot as free
        return found

    monkeypatch.setattr(services, "free_resources", free_resources_then_wait)
    outcomes: list[str] = []

    def attempt(email: str) -> None:
        try:
            with tenant_context(communes.zeitz), translation.override("en"):
                services.book(settings, starts_at=slot.starts_at, email=email, actor="citizen")
            outcomes.append("booked")
        except services.SlotTaken as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(f"person{n}@example.org",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [
        "This time has just been booked by someone else. Please choose another time.",
        "booked",
    ]
    with tenant_context(communes.zeitz):
        assert Booking.objects.exclude(status=Booking.Status.CANCELLED).count() == 1
