"""No free slot: the waitlist gets freed slots in turn, each held for a while; reminders the day before."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from appointments import availability, services
from appointments.models import Booking, WaitlistEntry
from tenants import due_work
from tenants.models import DueWork
from tests.appointments.conftest import SERVICE, counter_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_office(catalogue, communes):  # type: ignore[no-untyped-def]
    """One slot a day on weekdays within a two-week horizon, all of them taken."""
    settings = counter_office(communes.zeitz, opens=time(8), closes=time(8, 30), horizon_days=14)
    with tenant_context(communes.zeitz):
        today = availability.local_day(datetime.now(UTC))
        for slot in availability.free_slots(settings, ags=communes.zeitz.ags, first=today, last=today + timedelta(14)):
            services.book(settings, starts_at=slot.starts_at, email="early@example.org", actor="citizen")
    mail.outbox.clear()
    return settings


def test_a_full_horizon_offers_the_waitlist(full_office, zeitz_client):
    page = zeitz_client.get(f"/termine/{SERVICE}/").content.decode()
    assert 'name="slot"' not in page
    assert f"/termine/{SERVICE}/warteliste/" in page
    assert zeitz_client.post(f"/termine/{SERVICE}/warteliste/", {"email": "anna@example.org"}).status_code == 200
    assert zeitz_client.post(f"/termine/{SERVICE}/warteliste/", {"email": "nope"}).status_code == 400


def test_a_freed_slot_is_held_for_the_first_in_line_then_passed_on(
    full_office, communes, zeitz_client, django_capture_on_commit_callbacks
):
    with tenant_context(communes.zeitz):
        services.join_waitlist(full_office, email="anna@example.org")
        services.join_waitlist(full_office, email="ben@example.org")
        freed = Booking.objects.filter(status=Booking.Status.BOOKED).order_by("starts_at").reverse()[0]
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel(freed, actor="early@example.org")
        hold = Booking.objects.get(status=Booking.Status.HELD)
        assert (hold.email, hold.starts_at, hold.resource_id) == (
            "anna@example.org",
            freed.starts_at,
            freed.resource_id,
        )
        offer = next(m for m in mail.outbox if m.to == ["anna@example.org"])
        assert f"/termine/b/{hold.token}/" in offer.body
        # The held slot is not free for anyone else.
        with pytest.raises(services.SlotTaken):
            services.book(full_office, starts_at=freed.starts_at, email="carla@example.org", actor="citizen")
        Booking.objects.filter(pk=hold.pk).update(held_until=timezone.now() - timedelta(minutes=1))
    # The offer was indexed as due work of Zeitz when it expires; let that time pass.
    due = DueWork.objects.get(schema_name=communes.zeitz.schema_name, kind=DueWork.Kind.APPOINTMENT_HOUSEKEEPING)
    assert hold.held_until is not None
    assert due.due_at <= hold.held_until
    DueWork.objects.filter(pk=due.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    call_command("appointment_housekeeping")
    with tenant_context(communes.zeitz):
        second = Booking.objects.get(status=Booking.Status.HELD)
        assert second.email == "ben@example.org"
        assert WaitlistEntry.objects.get(email="anna@example.org").status == WaitlistEntry.Status.LEFT
    assert zeitz_client.post(f"/termine/b/{hold.token}/", {"action": "accept"}).status_code == 302
    assert zeitz_client.post(f"/termine/b/{second.token}/", {"action": "accept"}).status_code == 302
    with tenant_context(communes.zeitz):
        second.refresh_from_db()
        assert second.status == Booking.Status.BOOKED
        assert WaitlistEntry.objects.get(email="ben@example.org").status == WaitlistEntry.Status.BOOKED


def test_reminder_goes_out_once_on_the_day_before(catalogue, communes):
    settings = counter_office(communes.zeitz)
    with tenant_context(communes.zeitz):
        resource = settings.resources.get()
        tomorrow = availability.local_day(datetime.now(UTC)) + timedelta(days=1)
        for offset, email in ((1, "tomorrow@example.org"), (2, "later@example.org")):
            starts_at = datetime.combine(tomorrow, time(9), tzinfo=availability.BERLIN) + timedelta(days=offset - 1)
            Booking.objects.create(
                resource=resource,
                settings=settings,
                email=email,
                token=email,
                **services.booking_range(settings, starts_at),
            )
        due_work.note(DueWork.Kind.APPOINTMENT_HOUSEKEEPING, timezone.now())
    call_command("appointment_housekeeping")
    call_command("appointment_housekeeping")
    # Afterwards Zeitz is next due for the later appointment's reminder, not before.
    due = DueWork.objects.get(schema_name=communes.zeitz.schema_name, kind=DueWork.Kind.APPOINTMENT_HOUSEKEEPING)
    assert availability.local_day(due.due_at) == tomorrow
    assert [m.to for m in mail.outbox] == [["tomorrow@example.org"]]
    assert mail.outbox[0].attachments[0][0] == "termin.ics"
