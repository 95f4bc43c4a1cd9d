"""Two citizens book the last slot at the same moment: PostgreSQL lets exactly one of them win."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import psycopg.errors
import pytest
from django.db import OperationalError, connections
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


def _insert_failing_with(cause: Exception):  # type: ignore[no-untyped-def]
    def create(**fields):  # type: ignore[no-untyped-def]
        raise OperationalError(str(cause)) from cause

    return create


def test_a_booking_insert_cancelled_as_a_deadlock_is_a_lost_race_not_an_error(last_slot, communes, monkeypatch):
    # Two simultaneous inserts into the exclusion constraint can wait for each other; PostgreSQL
    # then cancels one as a deadlock. Its citizen is told the time is taken, like any loser.
    settings, slot = last_slot
    monkeypatch.setattr(Booking.objects, "create", _insert_failing_with(psycopg.errors.DeadlockDetected("deadlock")))
    with tenant_context(communes.zeitz), translation.override("en"), pytest.raises(services.SlotTaken):
        services.book(settings, starts_at=slot.starts_at, email="person@example.org", actor="citizen")


def test_a_booking_insert_failing_otherwise_is_not_mistaken_for_a_lost_race(last_slot, communes, monkeypatch):
    settings, slot = last_slot
    monkeypatch.setattr(Booking.objects, "create", _insert_failing_with(psycopg.errors.AdminShutdown("shutdown")))
    with tenant_context(communes.zeitz), pytest.raises(OperationalError):
        services.book(settings, starts_at=slot.starts_at, email="person@example.org", actor="citizen")
