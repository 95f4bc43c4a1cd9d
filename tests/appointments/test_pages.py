"""The citizen books, gets an e-mail with a calendar file, cancels or moves; staff run the day plan."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from icalendar import Calendar

from appointments import availability
from appointments.demo import SERVICE as DEMO_SERVICE
from appointments.demo import seed_demo_appointments
from appointments.models import Booking, BookingChange, Mode, Resource, ServiceSettings
from citizen_requests.models import CitizenRequest
from tests.abuse.test_security_headers import _assert_strict_page as assert_strict_page
from tests.appointments.conftest import SERVICE, counter_office
from tests.catalog_helpers import activate, staff_user
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(catalogue, communes):  # type: ignore[no-untyped-def]
    return counter_office(communes.zeitz, days=(0, 1, 2, 3, 4, 5, 6), opens=time(8), closes=time(10), horizon_days=14)


def first_free(settings, commune):  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        day = availability.local_day(datetime.now(UTC)) + timedelta(days=2)
        return availability.free_slots(settings, ags=commune.ags, first=day, last=day + timedelta(days=7))[0]


def book_via_form(client, slot, email="erika@example.org"):  # type: ignore[no-untyped-def]
    return client.post(f"/termine/{SERVICE}/", {"slot": slot.starts_at.isoformat(), "email": email})


def test_picker_groups_times_by_day_in_fieldsets_with_radio_buttons(office, zeitz_client):
    page = zeitz_client.get(f"/termine/{SERVICE}/").content.decode()
    assert page.count("<fieldset") >= 7
    assert '<input type="radio" name="slot"' in page
    assert "<legend>" in page
    assert "<script" not in page


def test_booking_sends_a_confirmation_with_an_ics_and_a_link_to_manage_it(
    office, communes, zeitz_client, django_capture_on_commit_callbacks
):
    slot = first_free(office, communes.zeitz)
    with django_capture_on_commit_callbacks(execute=True):
        response = book_via_form(zeitz_client, slot)
    assert response.status_code == 302
    with tenant_context(communes.zeitz):
        booking = Booking.objects.get()
    assert response["Location"] == f"/termine/b/{booking.token}/"
    (message,) = mail.outbox
    assert f"/termine/b/{booking.token}/" in message.body
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("termin.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot.starts_at
    assert "Schalter 1" in str(event.get("location"))


def test_the_same_time_cannot_be_booked_twice_and_the_citizen_is_told_why(office, communes, zeitz_client):
    slot = first_free(office, communes.zeitz)
    assert book_via_form(zeitz_client, slot).status_code == 302
    second = book_via_form(zeitz_client, slot, email="max@example.org")
    assert second.status_code == 409
    assert "booked by someone else" in second.content.decode() or "jemand" in second.content.decode()


def test_bad_input_is_a_message_not_an_error(office, communes, zeitz_client):
    slot = first_free(office, communes.zeitz)
    assert zeitz_client.post(f"/termine/{SERVICE}/", {"slot": "tomorrow", "email": "a@example.org"}).status_code == 409
    assert (
        zeitz_client.post(f"/termine/{SERVICE}/", {"slot": slot.starts_at.isoformat(), "email": "x"}).status_code == 400
    )
    far = slot.starts_at + timedelta(days=60)
    assert (
        zeitz_client.post(f"/termine/{SERVICE}/", {"slot": far.isoformat(), "email": "a@example.org"}).status_code
        == 400
    )
    with tenant_context(communes.zeitz):
        assert not Booking.objects.exists()


def test_citizen_cancels_and_moves_with_the_link(office, communes, zeitz_client):
    slot = first_free(office, communes.zeitz)
    book_via_form(zeitz_client, slot)
    with tenant_context(communes.zeitz):
        booking = Booking.objects.get()
    later = slot.starts_at + timedelta(minutes=30)
    assert zeitz_client.post(f"/termine/b/{booking.token}/verschieben/", {"slot": later.isoformat()}).status_code == 302
    zeitz_client.post(f"/termine/b/{booking.token}/", {"action": "cancel"})
    with tenant_context(communes.zeitz):
        booking.refresh_from_db()
        actions = list(BookingChange.objects.filter(booking=booking).values_list("action", flat=True))
    assert booking.starts_at == later
    assert booking.status == Booking.Status.CANCELLED
    assert actions == ["booked", "moved", "cancelled"]


def test_staff_check_in_is_recorded_with_who_and_when(office, communes, zeitz_client):
    slot = first_free(office, communes.zeitz)
    book_via_form(zeitz_client, slot)
    staff_user(communes.zeitz, "buergerbuero@zeitz.example")
    staff = signed_in_client(communes.zeitz, "buergerbuero@zeitz.example")
    with tenant_context(communes.zeitz):
        booking = Booking.objects.get()
    day = availability.local_day(slot.starts_at).isoformat()
    plan = staff.get(f"/verwaltung/termine/schalter/{booking.resource_id}/?tag={day}").content.decode()
    assert "erika@example.org" in plan
    assert staff.post(f"/verwaltung/termine/buchung/{booking.pk}/", {"action": "checked_in"}).status_code == 302
    assert staff.post(f"/verwaltung/termine/buchung/{booking.pk}/", {"action": "no_show"}).status_code == 400
    with tenant_context(communes.zeitz):
        change = BookingChange.objects.filter(booking=booking).last()
        booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    assert (change.action, change.actor) == ("checked_in", "buergerbuero@zeitz.example")


def test_a_booking_of_one_commune_is_not_found_on_another_communes_host(office, communes, zeitz_client, borna_client):
    slot = first_free(office, communes.zeitz)
    book_via_form(zeitz_client, slot)
    with tenant_context(communes.zeitz):
        booking = Booking.objects.get()
    assert borna_client.get(f"/termine/b/{booking.token}/").status_code == 404
    assert borna_client.post(f"/termine/b/{booking.token}/", {"action": "cancel"}).status_code == 404
    assert borna_client.get(f"/termine/{SERVICE}/").status_code == 404
    borna_admin = signed_in_client(communes.borna, "admin@borna.example")
    assert borna_admin.get(f"/verwaltung/termine/buchung/{booking.pk}/").status_code == 404
    with tenant_context(communes.zeitz):
        booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_demo_bürgerbüro_of_zeitz_has_two_counters_and_requires_an_appointment(catalogue, communes):
    activate(communes.zeitz, DEMO_SERVICE)
    seed_demo_appointments(communes.zeitz)
    seed_demo_appointments(communes.zeitz)
    with tenant_context(communes.zeitz):
        settings = ServiceSettings.objects.get()
        today = availability.local_day(datetime.now(UTC))
        slots = availability.free_slots(settings, ags=communes.zeitz.ags, first=today, last=today + timedelta(days=14))
        assert settings.mode == Mode.REQUIRED
        assert settings.resources.count() == 2
        assert {s.resource_id for s in slots} == set(settings.resources.values_list("pk", flat=True))


def test_staff_set_up_a_counter_with_hours_and_a_service_then_citizens_see_german_times(catalogue, communes):
    activation = activate(communes.zeitz, DEMO_SERVICE)
    staff_user(communes.zeitz, "buergerbuero@zeitz.example")
    staff = signed_in_client(communes.zeitz, "buergerbuero@zeitz.example")
    assert staff.post("/verwaltung/termine/", {"form": "resource", "resource-name": "Schalter A"}).status_code == 302
    with tenant_context(communes.zeitz):
        resource_id = Resource.objects.get().pk
    bad = {"form": "period", "period-resource": resource_id, "period-weekday": 0, "period-kind": "open"}
    assert (
        staff.post("/verwaltung/termine/", {**bad, "period-starts": "12:00", "period-ends": "08:00"}).status_code == 400
    )
    for weekday in range(7):
        hours = {**bad, "period-weekday": weekday, "period-starts": "08:00", "period-ends": "09:00"}
        assert staff.post("/verwaltung/termine/", hours).status_code == 302
    service = {
        "form": "service",
        "service-activation": activation.pk,
        "service-mode": "required",
        "service-slot_minutes": 30,
        "service-buffer_minutes": 0,
        "service-horizon_days": 3,
        "service-resources": [resource_id],
    }
    assert staff.post("/verwaltung/termine/", {**service, "service-slot_minutes": 2}).status_code == 400
    assert staff.post("/verwaltung/termine/", service).status_code == 302
    page = host_client(communes.zeitz).get(f"/termine/{DEMO_SERVICE}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Termin buchen" in page
    assert "08:30" in page
    with tenant_context(communes.zeitz):
        assert ServiceSettings.objects.get().resources.get().pk == resource_id


def test_appointment_pages_keep_the_strict_content_security_policy(office, communes, zeitz_client):
    slot = first_free(office, communes.zeitz)
    book_via_form(zeitz_client, slot)
    staff_user(communes.zeitz, "buergerbuero@zeitz.example")
    staff = signed_in_client(communes.zeitz, "buergerbuero@zeitz.example")
    with tenant_context(communes.zeitz):
        booking = Booking.objects.get()
    citizen_pages = [f"/termine/{SERVICE}/", f"/termine/b/{booking.token}/", f"/termine/b/{booking.token}/verschieben/"]
    staff_pages = [
        "/verwaltung/termine/",
        f"/verwaltung/termine/schalter/{booking.resource_id}/",
        f"/verwaltung/termine/buchung/{booking.pk}/",
    ]
    for client, paths in ((zeitz_client, citizen_pages), (staff, staff_pages)):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert_strict_page(response)


def test_after_submitting_a_request_the_booking_belongs_to_it(office, communes, zeitz_client):
    with tenant_context(communes.zeitz):
        submitted = CitizenRequest.objects.create(
            tracking_number="ZEI-2026-ABCDEF",
            service=office.activation.service,
            version=office.activation.version,
            email="erika@example.org",
            data={},
        )
        session = zeitz_client.session  # sessions live in the commune's schema
        session["submitted_request"] = submitted.tracking_number  # what the portal keeps after a submission
        session.save()
    confirmation = zeitz_client.get("/antrag/eingegangen/").content.decode()
    assert f"/termine/{SERVICE}/" in confirmation
    picker = zeitz_client.get(f"/termine/{SERVICE}/").content.decode()
    assert 'value="erika@example.org"' in picker
    book_via_form(zeitz_client, first_free(office, communes.zeitz))
    with tenant_context(communes.zeitz):
        assert Booking.objects.get().request_id == submitted.pk


def test_picker_errors_use_the_shared_summary_that_takes_the_focus(office, communes, zeitz_client):
    slot = first_free(office, communes.zeitz)
    response = zeitz_client.post(f"/termine/{SERVICE}/", {"slot": slot.starts_at.isoformat(), "email": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1"' in page
    assert '<a href="#field-email">' in page
    assert '<script src="/static/kommunal/error-summary.js" defer></script>' in page
    assert "<title>Fehler: " in page
    no_time = zeitz_client.post(f"/termine/{SERVICE}/", {"email": "erika@example.org"}).content.decode()
    assert '<a href="#times">' in no_time
