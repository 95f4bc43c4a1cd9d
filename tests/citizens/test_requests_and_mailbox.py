"""Meine Anträge, trust levels and prefill, the Postfach, and that nobody sees another's data."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from citizen_requests.models import CitizenRequest, PaymentStatus
from citizens import services
from citizens.models import Message, RequestOwner
from operators.archive import walk_storage
from tests.catalog_helpers import BULKY_WASTE, activate, post_form, staff_user
from tests.citizens.conftest import log_in
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db

CERTIFICATE = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Heidestraße 17",
    "plz": "06712",
    "ort": "Zeitz",
}


@pytest.fixture
def offers(catalogue, communes):  # type: ignore[no-untyped-def]
    for commune in (communes.zeitz, communes.borna):
        activate(commune, "sperrmuell")
        activate(commune, "meldebescheinigung")
    return communes


def _submit(client, slug: str = "sperrmuell", data=None) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/leistungen/{slug}/antrag/").content.decode()
    email = re.search(r'name="kontakt_email" value="([^"]*)"', page)
    response = post_form(
        client, slug, data or BULKY_WASTE, email=email.group(1) if email and email.group(1) else "x@example.org"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.session["submitted_request"]


def _certificate_form(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get("/leistungen/meldebescheinigung/antrag/").content.decode()
    required = dict(re.findall(r'<input id="field-(\w+)" name="\w+" value="([^"]*)"', page))
    return required


def test_service_with_minimum_trust_level_is_closed_to_guests_and_lower_levels(offers) -> None:
    guest = host_client(offers.zeitz)
    response = guest.get("/leistungen/meldebescheinigung/antrag/")
    assert response.status_code == 403
    assert "Vertrauensniveau „substanziell“" in response.content.decode()
    assert guest.post("/leistungen/meldebescheinigung/antrag/", CERTIFICATE).status_code == 403
    basic = log_in(offers.zeitz, citizen="lena")
    assert basic.get("/leistungen/meldebescheinigung/antrag/").status_code == 403
    with tenant_context(offers.zeitz):
        assert not CitizenRequest.objects.exists()


def test_guest_submission_stays_for_services_without_a_minimum(offers) -> None:
    guest = host_client(offers.zeitz)
    assert post_form(guest, "sperrmuell", BULKY_WASTE).status_code == 302
    with tenant_context(offers.zeitz):
        request = CitizenRequest.objects.get()
        assert not RequestOwner.objects.filter(request=request).exists()


def test_claims_prefill_the_form_and_are_marked(offers) -> None:
    client = log_in(offers.zeitz, citizen="max")
    page = client.get("/leistungen/meldebescheinigung/antrag/").content.decode()
    # vorname, nachname, geburtsdatum, strasse, plz, ort and the e-mail address are marked
    assert page.count('class="badge from-account"') == 7
    assert "wurden aus Ihrer Anmeldung ausgefüllt" in page
    values = _certificate_form(client)
    assert values["vorname"] == "Max"
    assert values["geburtsdatum"] == "1990-02-01"
    assert values["ort"] == "Borna"
    assert 'value="max.muster@example.org"' in page


def test_request_of_a_citizen_appears_in_meine_antraege_with_status_and_history(offers) -> None:
    client = log_in(offers.zeitz, citizen="erika")
    data = {**CERTIFICATE, "geburtsdatum": "1964-08-12", "art": "einfach", "zweck": "Arbeitgeber"}
    response = client.post(
        "/leistungen/meldebescheinigung/antrag/", {**data, "kontakt_email": "erika.mustermann@example.org"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    number = client.session["submitted_request"]
    with tenant_context(offers.zeitz):
        owner = RequestOwner.objects.get(request__tracking_number=number)
        assert owner.trust_level == "high"
        assert "vorname" in owner.prefilled
        assert "kontakt_email" in owner.prefilled
        assert "zweck" not in owner.prefilled
    listing = client.get("/buerger/antraege/").content.decode()
    assert number in listing
    assert "Eingegangen" in listing or "eingegangen" in listing
    detail = client.get(f"/buerger/antraege/{number}/").content.decode()
    assert "aus Ihrem Konto" in detail
    download = client.get(f"/buerger/antraege/{number}/daten.json")
    assert download["Content-Disposition"] == f'attachment; filename="{number}.json"'
    assert download.json()["data"]["zweck"] == "Arbeitgeber"


def test_citizen_cannot_open_another_citizens_request_or_message_by_enumeration(offers) -> None:
    erika = log_in(offers.zeitz, citizen="erika")
    number = _submit(erika)
    staff_user(offers.zeitz, "sb@zeitz.example")
    staff = signed_in_client(offers.zeitz, "sb@zeitz.example")
    upload = SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4 Bescheid", content_type="application/pdf")
    staff.post(
        f"/verwaltung/postfach/{number}/senden/", {"subject": "Bescheid", "body": "Anbei.", "attachment": upload}
    )
    with tenant_context(offers.zeitz):
        message_ids = list(Message.objects.values_list("pk", flat=True))
        request_ids = list(CitizenRequest.objects.values_list("tracking_number", flat=True))
    assert message_ids
    max_client = log_in(offers.zeitz, citizen="max")
    assert number not in max_client.get("/buerger/antraege/").content.decode()
    assert "Bescheid" not in max_client.get("/buerger/postfach/").content.decode()
    for tracking in request_ids:
        assert max_client.get(f"/buerger/antraege/{tracking}/").status_code == 404
        assert max_client.get(f"/buerger/antraege/{tracking}/daten.json").status_code == 404
        assert max_client.post(f"/buerger/antraege/{tracking}/", {"body": "Hallo"}).status_code == 404
    for message_id in range(1, max(message_ids) + 5):
        assert max_client.get(f"/buerger/postfach/anhang/{message_id}/").status_code == 404
    assert erika.get(f"/buerger/postfach/anhang/{message_ids[0]}/").status_code == 200
    with tenant_context(offers.zeitz):
        assert Message.objects.count() == 1  # Max's replies were not stored


def test_requests_of_one_commune_are_not_listed_on_another(offers) -> None:
    zeitz = log_in(offers.zeitz, citizen="erika")
    number = _submit(zeitz)
    borna = log_in(offers.borna, citizen="erika")
    assert number not in borna.get("/buerger/antraege/").content.decode()
    assert borna.get(f"/buerger/antraege/{number}/").status_code == 404


def test_staff_message_reaches_the_postfach_and_the_email_has_no_content(
    offers, django_capture_on_commit_callbacks
) -> None:
    citizen = log_in(offers.zeitz, citizen="erika")
    number = _submit(citizen)
    staff_user(offers.zeitz, "sb@zeitz.example")
    staff = signed_in_client(offers.zeitz, "sb@zeitz.example")
    mail.outbox.clear()
    upload = SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4 geheimer Bescheid", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/verwaltung/postfach/{number}/senden/",
            {"subject": "Ihr Termin", "body": "Abholung am Dienstag, Tor 3.", "attachment": upload},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["erika.mustermann@example.org"]
    assert "Dienstag" not in email.body
    assert "Ihr Termin" not in f"{email.subject} {email.body}"
    assert "/buerger/postfach/" in email.body
    mailbox = citizen.get("/buerger/postfach/").content.decode()
    assert "Ihr Termin" in mailbox
    detail = citizen.get(f"/buerger/antraege/{number}/").content.decode()
    assert "Abholung am Dienstag" in detail
    with tenant_context(offers.zeitz):
        message = Message.objects.get()
        assert message.read_at is not None
    download = citizen.get(f"/buerger/postfach/anhang/{message.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 geheimer Bescheid"
    reply = citizen.post(f"/buerger/antraege/{number}/", {"body": "Danke, passt."})
    assert reply.status_code == 302
    thread = staff.get(f"/verwaltung/anfragen/{number}/").content.decode()
    assert "Ihr Termin" in thread
    assert "Danke, passt." in thread
    assert AuditEvent.objects.filter(action="citizen.message_replied", target=number).exists()


def test_staff_cannot_message_a_guest_request_and_bad_attachments_are_refused(offers) -> None:
    guest = host_client(offers.zeitz)
    post_form(guest, "sperrmuell", BULKY_WASTE)
    number = guest.session["submitted_request"]
    staff_user(offers.zeitz, "sb@zeitz.example")
    staff = signed_in_client(offers.zeitz, "sb@zeitz.example")
    response = staff.post(f"/verwaltung/postfach/{number}/senden/", {"subject": "x", "body": "y"}, follow=True)
    assert "nicht mit einem Bürgerkonto" in response.content.decode()
    citizen = log_in(offers.zeitz)
    own = _submit(citizen)
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/x-msdownload")
    response = staff.post(
        f"/verwaltung/postfach/{own}/senden/", {"subject": "x", "body": "y", "attachment": exe}, follow=True
    )
    assert "PDF-, PNG-, JPEG- oder Textdatei" in response.content.decode()
    with tenant_context(offers.zeitz):
        assert not Message.objects.exists()


def test_citizens_and_guests_cannot_use_the_staff_message_endpoints(offers) -> None:
    citizen = log_in(offers.zeitz)
    number = _submit(citizen)
    response = citizen.post(f"/verwaltung/postfach/{number}/senden/", {"subject": "x", "body": "y"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    with tenant_context(offers.zeitz):
        assert not Message.objects.exists()


def test_a_message_that_fails_half_way_leaves_neither_row_nor_file(offers, monkeypatch) -> None:
    citizen = log_in(offers.zeitz)
    number = _submit(citizen)
    with tenant_context(offers.zeitz):
        request = CitizenRequest.objects.get(tracking_number=number)

        def broken_audit(*args: object, **kwargs: object) -> None:
            raise RuntimeError("audit log unavailable")

        monkeypatch.setattr(services.audit, "record", broken_audit)
        upload = SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4", content_type="application/pdf")
        with pytest.raises(RuntimeError):
            services.send_message(request, sender="sb@zeitz.example", subject="x", body="y", attachment=upload)
        assert not Message.objects.exists()
    assert not list(walk_storage(f"tenants/zeitz/messages/{request.pk}/"))


def test_staff_of_another_commune_cannot_reach_a_message_or_its_attachment(offers) -> None:
    citizen = log_in(offers.zeitz)
    number = _submit(citizen)
    with tenant_context(offers.zeitz):
        request = CitizenRequest.objects.get(tracking_number=number)
        upload = SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4", content_type="application/pdf")
        message = services.send_message(request, sender="sb@zeitz.example", subject="x", body="y", attachment=upload)
    staff_user(offers.borna, "sb@borna.example")
    borna_staff = signed_in_client(offers.borna, "sb@borna.example")
    assert borna_staff.get(f"/verwaltung/postfach/anhang/{message.pk}/").status_code == 404
    response = borna_staff.post(f"/verwaltung/postfach/{number}/senden/", {"subject": "x", "body": "y"})
    assert response.status_code == 404
    with tenant_context(offers.zeitz):
        assert Message.objects.count() == 1


def test_meine_antraege_shows_the_payment_state_of_a_request_with_a_fee(offers) -> None:
    client = log_in(offers.zeitz, citizen="erika")
    number = _submit(client)
    with tenant_context(offers.zeitz):
        CitizenRequest.objects.filter(tracking_number=number).update(
            payment_status=PaymentStatus.PAID, fee=Decimal("30.70")
        )
    listing = client.get("/buerger/antraege/").content.decode()
    assert "bezahlt (30.70 EUR)" in listing or "bezahlt (30,70 EUR)" in listing
    detail = client.get(f"/buerger/antraege/{number}/").content.decode()
    assert re.search(r'<strong id="request-payment">bezahlt</strong>', detail)
