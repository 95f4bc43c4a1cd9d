"""The requests API: anyone submits, the commune's staff read and move requests along."""

import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from citizen_requests import services
from citizen_requests.models import CitizenRequest, StatusChange
from tests.catalog_helpers import BULKY_WASTE, activate, staff_user
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def zeitz_offers(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(communes.zeitz, "sperrmuell")
    activate(communes.zeitz, "maengelmelder")
    return communes


def submit(client, body, **extra):  # type: ignore[no-untyped-def]
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/requests/", raw, content_type="application/json", **extra)


def fields(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {error["field"] for error in response.json()["errors"]}


def stored(commune) -> int:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        return CitizenRequest.objects.count()


def test_anyone_can_submit_and_gets_a_tracking_number(zeitz_offers, zeitz_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(zeitz_client, {"service": "sperrmuell", "email": "erika@example.org", "data": BULKY_WASTE})
    assert response.status_code == 201
    body = response.json()
    assert body["tracking_number"].startswith("ZEI-")
    assert body["status"] == "received"
    assert "data" not in body
    assert len(mail.outbox) == 1
    assert body["tracking_number"] in mail.outbox[0].body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", None),
        ({"service": "sperrmuell", "email": "erika@example.org", "data": BULKY_WASTE, "admin": True}, "admin"),
        ({"service": "sperrmuell", "email": "erika@example.org", "data": {**BULKY_WASTE, "x": 1}}, "data.x"),
        ({"service": "sperrmuell", "email": "erika(at)example.org", "data": BULKY_WASTE}, "email"),
        (
            {"service": "sperrmuell", "email": "erika@example.org", "data": {**BULKY_WASTE, "volumen": 9}},
            "data.volumen",
        ),
        ({"service": "sperrmuell", "email": "erika@example.org", "data": {**BULKY_WASTE, "plz": None}}, "data.plz"),
        ({"service": "sperrmuell", "email": "erika@example.org", "data": [1, 2]}, "data"),
        ({"service": "sperrmuell", "email": "erika@example.org"}, "data"),
        (
            {
                "service": "sperrmuell",
                "email": "erika@example.org",
                "data": {**BULKY_WASTE, "gegenstaende": "x" * 70000},
            },
            "data",
        ),
    ],
    ids=[
        "malformed",
        "unknown-field",
        "unknown-form-field",
        "email",
        "maximum",
        "type",
        "not-object",
        "missing",
        "oversized",
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(zeitz_offers, zeitz_client, body, field) -> None:
    response = submit(zeitz_client, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    if field:
        assert field in fields(response)
    assert stored(zeitz_offers.zeitz) == 0
    assert not AuditEvent.objects.filter(action="request.submitted").exists()


def test_unknown_service_is_404(zeitz_offers, zeitz_client) -> None:
    response = submit(zeitz_client, {"service": "gewerbeanmeldung", "email": "a@example.org", "data": {}})
    assert response.status_code == 404


def _submitted(commune):  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        return services.submit_request(service_slug="sperrmuell", email="erika@example.org", data=BULKY_WASTE)


def test_staff_move_a_request_along_and_the_citizen_is_told(zeitz_offers, django_capture_on_commit_callbacks) -> None:
    request = _submitted(zeitz_offers.zeitz)
    staff_user(zeitz_offers.zeitz, "sachbearbeitung@zeitz.example")
    client = signed_in_client(zeitz_offers.zeitz, "sachbearbeitung@zeitz.example")
    url = f"/api/v1/requests/{request.tracking_number}/"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            url, {"status": "in_progress", "comment": "Abholung am 3.12."}, content_type="application/json"
        )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["changes"][-1]["actor"] == "sachbearbeitung@zeitz.example"
    assert len(mail.outbox) == 1
    assert "Abholung am 3.12." in mail.outbox[0].body

    refused = client.patch(url, {"status": "received"}, content_type="application/json")
    assert refused.status_code == 400
    assert "status" in fields(refused)
    assert client.patch(url, {"status": "completed"}, content_type="application/json").status_code == 200
    assert client.patch(url, {"status": "rejected"}, content_type="application/json").status_code == 400
    with tenant_context(zeitz_offers.zeitz):
        history = list(StatusChange.objects.filter(request=request).values_list("to_status", flat=True))
    assert history == ["received", "in_progress", "completed"]


def test_signals_are_sent_after_commit(zeitz_offers, django_capture_on_commit_callbacks) -> None:
    from citizen_requests.signals import request_status_changed, request_submitted

    received = []

    def listener(sender, **kwargs):  # type: ignore[no-untyped-def]
        received.append(kwargs)

    request_submitted.connect(listener)
    request_status_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            request = _submitted(zeitz_offers.zeitz)
        assert received == []
        for callback in callbacks:
            callback()
        assert received[0]["request"] == request
        assert received[0]["commune"] == zeitz_offers.zeitz
        with django_capture_on_commit_callbacks(execute=True), tenant_context(zeitz_offers.zeitz):
            change = services.change_status(request, to_status="rejected", comment="Doppelt", actor="a@zeitz.example")
        assert received[-1]["change"] == change
    finally:
        request_submitted.disconnect(listener)
        request_status_changed.disconnect(listener)


def test_anonymous_callers_cannot_read_requests(zeitz_offers, zeitz_client) -> None:
    request = _submitted(zeitz_offers.zeitz)
    assert zeitz_client.get("/api/v1/requests/").status_code in (401, 403)
    assert zeitz_client.get(f"/api/v1/requests/{request.tracking_number}/").status_code in (401, 403)


def test_requests_of_one_commune_are_invisible_through_another_host(zeitz_offers) -> None:
    request = _submitted(zeitz_offers.zeitz)
    borna = signed_in_client(zeitz_offers.borna, "admin@borna.example")
    assert borna.get("/api/v1/requests/").json()["results"] == []
    assert borna.get(f"/api/v1/requests/{request.tracking_number}/").status_code == 404
    patched = borna.patch(
        f"/api/v1/requests/{request.tracking_number}/", {"status": "rejected"}, content_type="application/json"
    )
    assert patched.status_code == 404
    assert borna.get(f"/verwaltung/anfragen/{request.tracking_number}/").status_code == 404
    assert request.tracking_number not in borna.get("/verwaltung/anfragen/").content.decode()


def test_filters_and_query_budget_of_the_request_list(zeitz_offers, django_assert_max_num_queries) -> None:
    for _ in range(5):
        _submitted(zeitz_offers.zeitz)
    with tenant_context(zeitz_offers.zeitz):
        services.submit_request(
            service_slug="maengelmelder",
            email="max@example.org",
            data={"kategorie": "muell", "ort_mangel": "Park", "beschreibung": "Sperrmüll im Park abgeladen."},
        )
    client = signed_in_client(zeitz_offers.zeitz, "admin@zeitz.example")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/requests/?service=maengelmelder")
    assert [r["service"] for r in response.json()["results"]] == ["maengelmelder"]
    assert len(client.get("/api/v1/requests/?status=received").json()["results"]) == 6
    client.get("/verwaltung/anfragen/")  # steady state: the commune's branding is cached (else +1 query)
    with django_assert_max_num_queries(12):  # session, user, count, rows, filter choices, ...: never per row
        page = client.get("/verwaltung/anfragen/?service=sperrmuell")
    assert page.content.decode().count('<tr><td><a href="/verwaltung/anfragen/ZEI-') == 5
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/requests/")
    for _ in range(5):
        _submitted(zeitz_offers.zeitz)
    with CaptureQueriesContext(connection) as more:
        client.get("/api/v1/requests/")
    assert len(more) == len(few)


def test_inbox_page_changes_status_with_comment(zeitz_offers, django_capture_on_commit_callbacks) -> None:
    request = _submitted(zeitz_offers.zeitz)
    client = signed_in_client(zeitz_offers.zeitz, "admin@zeitz.example")
    url = f"/verwaltung/anfragen/{request.tracking_number}/"
    page = client.get(url).content.decode()
    assert "Erika" in page
    assert "Sofa" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "rejected", "comment": "Nicht zuständig."})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert client.post(url, {"status": "in_progress"}).status_code == 400  # rejected is final


def test_inbox_requires_sign_in(zeitz_offers) -> None:
    response = host_client(zeitz_offers.zeitz).get("/verwaltung/anfragen/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_failing_mail_server_does_not_fail_the_submission(
    zeitz_offers, zeitz_client, django_capture_on_commit_callbacks, monkeypatch, caplog
) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("mail server unreachable")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(zeitz_client, {"service": "sperrmuell", "email": "erika@example.org", "data": BULKY_WASTE})
    assert response.status_code == 201
    assert stored(zeitz_offers.zeitz) == 1
    assert "Could not send the submitted e-mail" in caplog.text
