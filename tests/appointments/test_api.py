"""The appointments API: free slots, booking (409 for a taken slot), staff list and cancel, webhooks."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from appointments.models import Booking
from integrations.models import WebhookDelivery, WebhookSubscription
from tests.api.helpers import create_key, key_client
from tests.appointments.conftest import SERVICE, counter_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(catalogue, communes):  # type: ignore[no-untyped-def]
    return counter_office(communes.zeitz, days=tuple(range(7)), opens=time(8), closes=time(9), horizon_days=14)


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_free_slots_then_book_then_the_slot_is_gone(office, zeitz_client):
    slots = zeitz_client.get(f"/api/v1/appointments/slots/?service={SERVICE}").json()
    assert slots
    assert set(slots[0]) == {"starts_at", "ends_at", "resource"}
    body = {"service": SERVICE, "starts_at": slots[0]["starts_at"], "email": "erika@example.org"}
    created = post(zeitz_client, "/api/v1/appointments/bookings/", body)
    assert created.status_code == 201
    assert created.json()["status"] == "booked"
    assert "email" not in created.json()
    again = post(zeitz_client, "/api/v1/appointments/bookings/", {**body, "email": "max@example.org"})
    assert again.status_code == 409
    assert again["Content-Type"].startswith("application/problem+json")
    remaining = zeitz_client.get(f"/api/v1/appointments/slots/?service={SERVICE}").json()
    assert slots[0] not in remaining


@pytest.mark.parametrize(
    "query",
    [
        f"service={SERVICE}&date_from=yesterday",
        "service=",
        "service=sperrmuell",
    ],
)
def test_bad_slot_queries_are_400_not_500(office, zeitz_client, query):
    assert zeitz_client.get(f"/api/v1/appointments/slots/?{query}").status_code in (400, 404)


def test_slot_period_is_cut_to_the_horizon_and_an_empty_period_is_an_empty_list(office, zeitz_client):
    url = f"/api/v1/appointments/slots/?service={SERVICE}"
    everything = zeitz_client.get(url).json()
    assert zeitz_client.get(f"{url}&date_to=2999-01-01").json() == everything
    assert zeitz_client.get(f"{url}&date_from=2999-01-01").json() == []
    assert zeitz_client.get(f"{url}&date_from=2026-12-10&date_to=2026-12-01").json() == []


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"starts_at": "soon"}, 400),
        ({"starts_at": "2020-01-06T08:00:00Z"}, 400),
        ({"starts_at": "0001-01-01T00:00:00+05:00"}, 400),
        ({"service": "sperrmuell"}, 404),
        ({"x": 1}, 400),
    ],
    ids=["not-a-time", "past", "year-one", "no-appointments", "unknown-field"],
)
def test_bad_bookings_are_refused_and_nothing_is_stored(office, communes, zeitz_client, changes, status):
    body = {"service": SERVICE, "starts_at": "2026-12-07T08:00:00Z", "email": "a@example.org", **changes}
    assert post(zeitz_client, "/api/v1/appointments/bookings/", body).status_code == status
    with tenant_context(communes.zeitz):
        assert not Booking.objects.exists()


def test_staff_key_lists_and_cancels_and_webhook_event_has_no_personal_data(
    office, communes, zeitz_client, django_capture_on_commit_callbacks
):
    with tenant_context(communes.zeitz):
        WebhookSubscription.objects.create(
            url="https://hooks.example/zeitz",
            events=["appointment.booked", "appointment.cancelled"],
            secret="s" * 32,
            created_by=User.objects.get(email="admin@zeitz.example"),
        )
    slot = zeitz_client.get(f"/api/v1/appointments/slots/?service={SERVICE}").json()[0]
    body = {"service": SERVICE, "starts_at": slot["starts_at"], "email": "erika@example.org"}
    # Run the after-commit work (e-mail, event) but not the deliveries it queues: no network here.
    with django_capture_on_commit_callbacks() as after_booking:
        post(zeitz_client, "/api/v1/appointments/bookings/", body)
    for callback in after_booking:
        callback()
    reader = key_client(communes.zeitz, create_key(communes.zeitz, ["appointments:read"]))
    (listed,) = reader.get("/api/v1/appointments/bookings/").json()["results"]
    assert listed["email"] == "erika@example.org"
    assert post(reader, f"/api/v1/appointments/bookings/{listed['id']}/cancel/", {}).status_code == 403
    writer = key_client(communes.zeitz, create_key(communes.zeitz, ["appointments:write"]))
    with django_capture_on_commit_callbacks() as after_cancel:
        cancelled = post(writer, f"/api/v1/appointments/bookings/{listed['id']}/cancel/", {})
    for callback in after_cancel:
        callback()
    assert cancelled.json()["status"] == "cancelled"
    with tenant_context(communes.zeitz):
        events = list(WebhookDelivery.objects.order_by("id").values_list("event", "payload"))
    assert [event for event, _payload in events] == ["appointment.booked", "appointment.cancelled"]
    assert "erika" not in json.dumps([payload for _event, payload in events])


def test_booking_id_of_one_commune_is_404_on_another_host(office, communes, zeitz_client):
    slot = zeitz_client.get(f"/api/v1/appointments/slots/?service={SERVICE}").json()[0]
    post(
        zeitz_client,
        "/api/v1/appointments/bookings/",
        {"service": SERVICE, "starts_at": slot["starts_at"], "email": "erika@example.org"},
    )
    with tenant_context(communes.zeitz):
        booking_id = Booking.objects.get().pk
    borna = key_client(communes.borna, create_key(communes.borna, ["appointments:read", "appointments:write"]))
    assert borna.get(f"/api/v1/appointments/bookings/{booking_id}/").status_code == 404
    assert post(borna, f"/api/v1/appointments/bookings/{booking_id}/cancel/", {}).status_code == 404
    assert borna.get(f"/api/v1/appointments/slots/?service={SERVICE}").status_code == 404
    with tenant_context(communes.zeitz):
        assert Booking.objects.get().status == Booking.Status.BOOKED
