"""Requests reach the back office: FIT-Connect (really encrypted, decrypted by the stand-in office),
e-mail to the office, or the inbox; failures retry, resume and show up for operators."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.core import mail
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from jwcrypto import jwk

from citizen_requests.models import CitizenRequest, Status
from devservices.fitconnect import DEMO_SERVICE, FitConnectStandIn
from operators.models import Role
from tenants.db import connection
from tests.catalog_helpers import activate
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import verified_operator_client
from tests.transmission.helpers import (
    PERMIT,
    delivery_of,
    event_kind,
    retried_until_accepted,
    route,
    schema,
    submit,
    uri,
)
from transmission import fitconnect, selectors, services
from transmission.demo import SAMPLE_PDF
from transmission.index.models import DeliveryIndex
from transmission.models import Delivery, Route

pytestmark = pytest.mark.django_db


def test_a_request_submitted_in_zeitz_goes_out_encrypted_and_comes_back_accepted(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    activate(communes.zeitz, DEMO_SERVICE)
    settings_page = admin.get(f"/verwaltung/leistungen/{DEMO_SERVICE}/").content.decode()
    assert "FIT-Connect" in settings_page
    assert "route-destination_id" in settings_page
    response = admin.post(
        f"/verwaltung/zustellung/{DEMO_SERVICE}/",
        {"route-route": "fitconnect", "route-destination_id": destination.id, "route-office_email": ""},
    )
    assert response.status_code == 302

    request = submit(communes.zeitz, django_capture_on_commit_callbacks)

    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.ACCEPTED
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    # The office decrypted exactly what the citizen sent; on the wire it was ciphertext only.
    received = stand_in.received[-1]
    assert {name: value for name, value in received["data"].items() if name != "zulassungsbescheinigung"} == PERMIT
    assert [file["name"] for file in received["data"]["zulassungsbescheinigung"]] == ["zulassung.pdf"]
    assert received["metadata"]["contentStructure"]["data"]["submissionSchema"]["schemaUri"] == uri()
    assert [(part["filename"], part["purpose"]) for part in received["attachments"]] == [
        ("antrag.pdf", "form"),
        ("zulassung.pdf", "attachment"),
    ]
    assert received["attachments"][0]["content"].startswith(b"%PDF")
    assert received["attachments"][1]["content"] == SAMPLE_PDF
    stored = stand_in.submissions[delivery.submission_id]
    assert "Mustermann" not in json.dumps(stored)
    assert stored["encryptedData"].count(".") == 4  # compact JWE
    # Staff see the delivery and the office's answer on the request.
    with tenant_context(communes.zeitz):
        detail = admin.get(f"/verwaltung/anfragen/{request.tracking_number}/").content.decode()
    assert "accepted by the office" in detail or "angenommen" in detail


def test_the_office_rejects_with_a_reason_and_the_citizen_sees_it(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    strict = {**schema(), "required": [*schema()["required"], "aktenzeichen"]}
    destination = stand_in.add_destination({uri(): strict})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)

    request = submit(communes.zeitz, django_capture_on_commit_callbacks)

    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.REJECTED
    assert "'aktenzeichen' is a required property" in delivery.reason
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    with tenant_context(communes.zeitz):
        assert "aktenzeichen" in request.changes.last().comment
    page = host_client(communes.zeitz).post(
        "/status/", {"tracking_number": request.tracking_number, "email": request.email}, follow=True
    )
    assert "aktenzeichen" in page.content.decode()


def _certificate(key: jwk.JWK, *, not_after: dt.datetime) -> str:
    import base64

    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding

    issuer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Zustellpunkt Zeitz")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.get_op_key("wrapKey"))
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=365))
        .not_valid_after(not_after)
        .sign(issuer_key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"use": "sig"}, "not for encryption"),
        ({"alg": "RSA1_5"}, "not RSA-OAEP-256"),
        ("expired", "is not valid now"),
    ],
)
def test_an_unacceptable_destination_key_is_refused_and_the_request_stays_pending(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, override, reason
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    if override == "expired":
        expired = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        destination.published_encryption_key["x5c"] = [_certificate(destination.encryption_key, not_after=expired)]
    else:
        destination.published_encryption_key.update(override)
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    announced_before = len(stand_in.submissions)

    request = submit(communes.zeitz, django_capture_on_commit_callbacks)

    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.PENDING
    assert reason in delivery.last_error
    assert len(stand_in.submissions) == announced_before  # nothing was sent
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_a_certificate_must_belong_to_the_key_and_be_valid(stand_in: FitConnectStandIn) -> None:
    destination = stand_in.add_destination({})
    valid = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    published = destination.published_encryption_key
    stranger = jwk.JWK.generate(kty="RSA", size=2048)
    with pytest.raises(fitconnect.KeyRejected, match="does not match"):
        fitconnect.validate_encryption_key({**published, "x5c": [_certificate(stranger, not_after=valid)]})
    own = [_certificate(destination.encryption_key, not_after=valid)]
    assert fitconnect.validate_encryption_key({**published, "x5c": own}).get("kid") == destination.encryption_key.get(
        "kid"
    )


def test_a_down_api_is_retried_with_backoff_and_a_permanent_failure_shows_for_operators(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, settings
) -> None:
    settings.KOMMUNAL_TRANSMISSION_MAX_ATTEMPTS = 2
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    stand_in.failures_to_inject = 100

    request = submit(communes.zeitz, django_capture_on_commit_callbacks)

    delivery = delivery_of(communes.zeitz, request)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "HTTP 503" in delivery.last_error
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > delivery.updated_at
    with tenant_context(communes.zeitz):
        delivery = services.attempt_delivery(delivery.pk)
    assert delivery.status == Delivery.Status.FAILED
    request.refresh_from_db()
    assert request.status == Status.RECEIVED  # never lost: still in the inbox
    staff_page = signed_in_client(communes.zeitz, "admin@zeitz.example").get(
        f"/verwaltung/anfragen/{request.tracking_number}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "failed" in staff_page.content.decode()
    assert "HTTP 503" in staff_page.content.decode()

    connection.set_schema_to_public()
    operator = verified_operator_client("ops@kommunal.example", Role.OPERATOR)
    page = operator.get("/operator/zustellungen/?status=failed").content.decode()
    assert request.tracking_number in page
    assert "HTTP 503" in page
    row = DeliveryIndex.objects.get(commune=communes.zeitz, delivery_id=delivery.pk)
    stand_in.failures_to_inject = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(f"/operator/zustellungen/{row.pk}/retry/")
    assert response.status_code == 302
    assert delivery_of(communes.zeitz, request).status == Delivery.Status.ACCEPTED
    row.refresh_from_db()
    assert row.status == "accepted"


def test_a_crash_between_announce_and_submit_resumes_without_a_second_submission(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    real_expect = fitconnect.Client.expect

    def dies_after_announce(self, expected, method, path, **kwargs):  # type: ignore[no-untyped-def]
        if method == "PUT":
            raise SystemExit("worker killed")
        return real_expect(self, expected, method, path, **kwargs)

    monkeypatch.setattr(fitconnect.Client, "expect", dies_after_announce)
    with pytest.raises(SystemExit):
        submit(communes.zeitz, django_capture_on_commit_callbacks)
    with tenant_context(communes.zeitz):
        delivery = Delivery.objects.latest("id")
    assert delivery.submission_id
    assert delivery.status == Delivery.Status.PENDING
    announced = len(stand_in.submissions)

    def dies_after_submit(self, expected, method, path, **kwargs):  # type: ignore[no-untyped-def]
        answer = real_expect(self, expected, method, path, **kwargs)
        if method == "PUT" and "/attachments/" not in path:
            raise SystemExit("worker killed after the submit went out")
        return answer

    monkeypatch.setattr(fitconnect.Client, "expect", dies_after_submit)
    with tenant_context(communes.zeitz), pytest.raises(SystemExit):
        services.attempt_delivery(delivery.pk)
    monkeypatch.setattr(fitconnect.Client, "expect", real_expect)
    delivery = retried_until_accepted(communes.zeitz, delivery.pk)
    assert len(stand_in.submissions) == announced  # announced once
    submit_events = [t for t in stand_in.event_log[delivery.case_id] if event_kind(t) == "submit-submission"]
    assert len(submit_events) == 1  # submitted once


def test_forged_and_unsigned_events_are_ignored_and_logged(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, caplog
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    destination.answers = False
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    request = submit(communes.zeitz, django_capture_on_commit_callbacks)
    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.SUBMITTED
    submission = stand_in.submissions[delivery.submission_id]

    attacker = jwk.JWK.generate(kty="RSA", size=2048, kid=destination.signing_key.get("kid"))
    forged = stand_in.sign_event(attacker, destination.id, submission, "accept-submission", {})
    header = fitconnect._b64url_json(forged.split(".")[0])
    unsigned_header = json.dumps({**header, "alg": "none"}).encode()
    import base64

    unsigned = base64.urlsafe_b64encode(unsigned_header).decode().rstrip("=") + "." + forged.split(".")[1] + "."
    stand_in.event_log[delivery.case_id] += [forged, unsigned]
    with tenant_context(communes.zeitz), caplog.at_level(logging.WARNING):
        assert services.poll_events(delivery.pk).status == Delivery.Status.SUBMITTED
    ignored = [r for r in caplog.records if r.getMessage() == "fitconnect.event_ignored"]
    assert {r.reason for r in ignored} >= {"bad signature", "unsigned or wrong alg"}  # type: ignore[attr-defined]

    problems = {"problems": [{"title": "x", "detail": "Zone 4 gibt es nicht."}]}
    genuine = stand_in.sign_event(destination.signing_key, destination.id, submission, "reject-submission", problems)
    stand_in.event_log[delivery.case_id].append(genuine)
    with tenant_context(communes.zeitz):
        delivery = services.poll_events(delivery.pk)
    assert (delivery.status, delivery.reason) == (Delivery.Status.REJECTED, "Zone 4 gibt es nicht.")


def test_the_email_route_sends_pdf_and_json_with_nothing_personal_in_the_subject(
    catalogue, communes, django_capture_on_commit_callbacks
) -> None:
    route(communes.zeitz, Route.EMAIL, office_email="verkehr@zeitz.example")

    request = submit(communes.zeitz, django_capture_on_commit_callbacks)

    assert delivery_of(communes.zeitz, request).status == Delivery.Status.DELIVERED
    office = [m for m in mail.outbox if m.to == ["verkehr@zeitz.example"]]
    assert len(office) == 1
    message = office[0]
    assert request.tracking_number in message.subject
    assert "Mustermann" not in message.subject
    assert request.email not in message.subject
    names = {name: (content, kind) for name, content, kind in message.attachments}
    assert names["antrag.pdf"][0].startswith(b"%PDF")
    assert names["antrag.pdf"][1] == "application/pdf"
    sent = json.loads(names[f"{request.tracking_number}.json"][0])
    assert {name: value for name, value in sent.items() if name != "zulassungsbescheinigung"} == PERMIT


def test_the_inbox_stays_the_default_and_routes_never_cross_communes(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    activate(communes.borna, DEMO_SERVICE)
    sent_before = len(stand_in.received)

    borna_request = submit(communes.borna, django_capture_on_commit_callbacks)

    assert len(stand_in.received) == sent_before  # Zeitz's route does not apply in Borna
    with tenant_context(communes.borna):
        assert not Delivery.objects.exists()
        assert CitizenRequest.objects.filter(pk=borna_request.pk, status=Status.RECEIVED).exists()
    zeitz_request = submit(communes.zeitz, django_capture_on_commit_callbacks)
    rows = DeliveryIndex.objects.filter(
        tracking_number__in=[zeitz_request.tracking_number, borna_request.tracking_number]
    )
    assert [(row.commune_id, row.tracking_number) for row in rows] == [
        (communes.zeitz.pk, zeitz_request.tracking_number)
    ]
    # Borna's admin cannot see or change Zeitz's route from Borna's host.
    borna_admin = signed_in_client(communes.borna, "admin@borna.example")
    page = borna_admin.get(f"/verwaltung/leistungen/{DEMO_SERVICE}/").content.decode()
    assert destination.id not in page


def test_fitconnect_needs_a_destination_id(catalogue, communes, stand_in: FitConnectStandIn) -> None:
    activate(communes.zeitz, DEMO_SERVICE)
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    response = admin.post(
        f"/verwaltung/zustellung/{DEMO_SERVICE}/",
        {"route-route": "fitconnect", "route-destination_id": " ", "route-office_email": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Enter the destination id" in response.content.decode()


def test_without_a_broker_transmit_requests_picks_up_due_retries(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    stand_in.failures_to_inject = 1
    request = submit(communes.zeitz, django_capture_on_commit_callbacks)
    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.PENDING

    call_command("transmit_requests", stdout=io.StringIO())
    assert delivery_of(communes.zeitz, request).status == Delivery.Status.PENDING  # not due yet: backoff

    with tenant_context(communes.zeitz):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    DeliveryIndex.objects.filter(delivery_id=delivery.pk, commune=communes.zeitz).update(next_attempt_at=timezone.now())
    out = io.StringIO()
    call_command("transmit_requests", stdout=out)
    assert "1 deliveries attempted" in out.getvalue()
    assert delivery_of(communes.zeitz, request).status == Delivery.Status.ACCEPTED


def test_the_operator_list_reads_every_commune_in_one_query(communes) -> None:
    now = timezone.now()
    for commune, status in ((communes.zeitz, "failed"), (communes.borna, "rejected"), (communes.borna, "accepted")):
        DeliveryIndex.objects.create(
            commune=commune,
            delivery_id=DeliveryIndex.objects.count() + 1,
            tracking_number=f"{commune.slug[:3].upper()}-{status}",
            route="fitconnect",
            status=status,
            updated_at=now,
        )
    with CaptureQueriesContext(connection) as queries:
        rows = [(row.commune.slug, row.status) for row in selectors.deliveries_needing_attention()]
    assert sorted(rows) == [("borna", "rejected"), ("zeitz", "failed")]
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1  # the schema switch django-tenants issues is not a read
    assert "transmission_index_deliveryindex" in selects[0]
