"""The citizen's uploaded files reach the office: each one its own encrypted FIT-Connect attachment
(decrypted and checked by the stand-in office), or attached to the office mail."""

from __future__ import annotations

import hashlib
import json
import re
import uuid

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from jwcrypto import jwk

from citizen_requests import attachments
from citizen_requests.models import Attachment, CitizenRequest, Status
from devservices.fitconnect import FitConnectStandIn
from tests.helpers import host_client, signed_in_client
from tests.transmission.helpers import delivery_of, retried_until_accepted, route, schema, submit, uri
from transmission import fitconnect, services
from transmission.demo import SAMPLE_PDF
from transmission.models import Delivery, DeliveryPart, Route

pytestmark = pytest.mark.django_db

# A JPEG as far as Kommunal's type check goes (it reads the first bytes), with a body of its own.
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 40 + b"\xff\xd9"


def front_and_back() -> list[SimpleUploadedFile]:
    """Both sides of the vehicle registration: a PDF and a photo."""
    return [
        SimpleUploadedFile("vorderseite.pdf", SAMPLE_PDF, "application/pdf"),
        SimpleUploadedFile("rueckseite.jpg", PHOTO, "image/jpeg"),
    ]


def _uploaded(received: dict) -> dict[str, bytes]:  # type: ignore[type-arg]
    return {part["filename"]: part["content"] for part in received["attachments"] if part["purpose"] == "attachment"}


def test_two_uploaded_files_arrive_decrypted_byte_for_byte_with_hashes_in_the_metadata(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)

    request = submit(communes.zeitz, django_capture_on_commit_callbacks, files=front_and_back())

    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.ACCEPTED
    received = stand_in.received[-1]
    assert _uploaded(received) == {"vorderseite.pdf": SAMPLE_PDF, "rueckseite.jpg": PHOTO}
    described = received["metadata"]["contentStructure"]["attachments"]
    assert [(entry["purpose"], entry["mimeType"], entry["filename"]) for entry in described] == [
        ("form", "application/pdf", "antrag.pdf"),
        ("attachment", "application/pdf", "vorderseite.pdf"),
        ("attachment", "image/jpeg", "rueckseite.jpg"),
    ]
    assert described[2]["hash"] == {"type": "sha512", "content": hashlib.sha512(PHOTO).hexdigest()}
    assert all(re.fullmatch(r"[0-9a-f]{128}", entry["hash"]["content"]) for entry in described)
    assert described[2]["description"] == schema()["properties"]["zulassungsbescheinigung"]["title"]
    # Announced, uploaded and described: the same ids, each file uploaded once, as ciphertext only.
    stored = stand_in.submissions[delivery.submission_id]
    ids = [entry["attachmentId"] for entry in described]
    assert stored["announcedAttachments"] == ids
    assert stored["uploads"] == dict.fromkeys(ids, 1)
    assert all(token.count(".") == 4 for token in stored["attachments"].values())
    assert "JFIF" not in json.dumps(stored)
    with tenant_context(communes.zeitz):
        assert list(DeliveryPart.objects.filter(delivery=delivery).values_list("fitconnect_id", flat=True)) == [
            uuid.UUID(value) for value in ids
        ]
    staff_page = signed_in_client(communes.zeitz, "admin@zeitz.example").get(
        f"/verwaltung/anfragen/{request.tracking_number}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Files sent: antrag.pdf, vorderseite.pdf, rueckseite.jpg" in staff_page.content.decode()


@pytest.mark.parametrize(
    ("mishap", "reason"),
    [
        ("swapped", "Attachment rueckseite.jpg does not match its hash in the metadata."),
        ("lost", "Attachment rueckseite.jpg is described but did not arrive."),
    ],
)
def test_a_swapped_or_lost_attachment_is_rejected_and_the_reason_shows_on_the_request(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, mishap, reason
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)

    def in_transit(submission: dict) -> None:  # type: ignore[type-arg]
        _form, front, back = submission["announcedAttachments"]
        files = submission["attachments"]
        if mishap == "swapped":
            files[front], files[back] = files[back], files[front]
        else:
            del files[back]

    stand_in.in_transit = in_transit

    request = submit(communes.zeitz, django_capture_on_commit_callbacks, files=front_and_back())

    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.REJECTED
    assert reason in delivery.reason
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    staff_page = signed_in_client(communes.zeitz, "admin@zeitz.example").get(
        f"/verwaltung/anfragen/{request.tracking_number}/"
    )
    assert reason in staff_page.content.decode()
    citizen_page = host_client(communes.zeitz).post(
        "/status/", {"tracking_number": request.tracking_number, "email": request.email}, follow=True
    )
    assert "rueckseite.jpg" in citizen_page.content.decode()


def _worker_killed_at_upload(monkeypatch, upload: int):  # type: ignore[no-untyped-def]
    """Make the worker die at its ``upload``-th attachment upload; returns the real ``Client.expect``."""
    real_expect = fitconnect.Client.expect
    uploads: list[str] = []

    def dies_at_that_upload(self, expected, method, path, **kwargs):  # type: ignore[no-untyped-def]
        if "/attachments/" in path:
            uploads.append(path)
            if len(uploads) == upload:
                raise SystemExit("worker killed")
        return real_expect(self, expected, method, path, **kwargs)

    monkeypatch.setattr(fitconnect.Client, "expect", dies_at_that_upload)
    return real_expect


def test_a_crash_between_two_uploads_resumes_without_uploading_anything_twice_or_skipping_one(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    # Form PDF and front are up; the worker dies before the back.
    real_expect = _worker_killed_at_upload(monkeypatch, 3)
    with pytest.raises(SystemExit):
        submit(communes.zeitz, django_capture_on_commit_callbacks, files=front_and_back())
    with tenant_context(communes.zeitz):
        delivery = Delivery.objects.latest("id")
        assert [bool(part.sha512) for part in delivery.parts.all()] == [True, True, False]
    assert delivery.status == Delivery.Status.PENDING

    monkeypatch.setattr(fitconnect.Client, "expect", real_expect)
    delivery = retried_until_accepted(communes.zeitz, delivery.pk)
    stored = stand_in.submissions[delivery.submission_id]
    assert stored["uploads"] == dict.fromkeys(stored["announcedAttachments"], 1)
    assert _uploaded(stand_in.received[-1]) == {"vorderseite.pdf": SAMPLE_PDF, "rueckseite.jpg": PHOTO}


def test_a_destination_key_replaced_between_two_uploads_starts_a_new_submission_the_office_can_read(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    destination = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=destination.id)
    # The form PDF is up, encrypted to the key of that day; the worker dies before the next file.
    real_expect = _worker_killed_at_upload(monkeypatch, 2)
    with pytest.raises(SystemExit):
        submit(communes.zeitz, django_capture_on_commit_callbacks, files=front_and_back())
    with tenant_context(communes.zeitz):
        abandoned = Delivery.objects.latest("id").submission_id
    # The office replaces its key: what was uploaded under the old one it can no longer read.
    replacement = jwk.JWK.generate(kty="RSA", size=4096, kid="enc-replacement")
    destination.encryption_key = replacement
    destination.published_encryption_key = {
        **json.loads(replacement.export_public()),
        "use": "enc",
        "alg": "RSA-OAEP-256",
        "key_ops": ["wrapKey"],
    }

    monkeypatch.setattr(fitconnect.Client, "expect", real_expect)
    with tenant_context(communes.zeitz):
        abandoned_delivery = Delivery.objects.get(submission_id=abandoned).pk
    delivery = retried_until_accepted(communes.zeitz, abandoned_delivery)
    assert delivery.submission_id != abandoned
    assert delivery.key_id == "enc-replacement"
    assert stand_in.submissions[abandoned]["status"] == "incomplete"
    assert _uploaded(stand_in.received[-1]) == {"vorderseite.pdf": SAMPLE_PDF, "rueckseite.jpg": PHOTO}


def test_one_communes_files_never_go_out_in_another_communes_submission(
    catalogue, communes, stand_in: FitConnectStandIn, django_capture_on_commit_callbacks
) -> None:
    zeitz_office = stand_in.add_destination({uri(): schema()})
    borna_office = stand_in.add_destination({uri(): schema()})
    route(communes.zeitz, Route.FITCONNECT, destination_id=zeitz_office.id)
    route(communes.borna, Route.FITCONNECT, destination_id=borna_office.id)
    zeitz_file = SAMPLE_PDF + b"% Zeitz\n"
    borna_file = SAMPLE_PDF + b"% Borna\n"

    borna_request = submit(
        communes.borna,
        django_capture_on_commit_callbacks,
        files=[SimpleUploadedFile("borna.pdf", borna_file, "application/pdf")],
    )
    zeitz_request = submit(
        communes.zeitz,
        django_capture_on_commit_callbacks,
        files=[SimpleUploadedFile("zeitz.pdf", zeitz_file, "application/pdf")],
    )

    by_destination = {
        stand_in.submissions[record["submission"]]["destinationId"]: _uploaded(record) for record in stand_in.received
    }
    assert by_destination[zeitz_office.id] == {"zeitz.pdf": zeitz_file}
    assert by_destination[borna_office.id] == {"borna.pdf": borna_file}

    # Zeitz's request is made to point at Borna's stored file: it is refused, nothing of Borna's goes out.
    with tenant_context(communes.borna):
        borna_key = Attachment.objects.get(request_id=borna_request.pk).storage_key
    with tenant_context(communes.zeitz):
        request = CitizenRequest.objects.get(pk=zeitz_request.pk)
        Attachment.objects.filter(request=request).update(storage_key=borna_key)
        Delivery.objects.filter(request=request).delete()
        received_before = len(stand_in.received)
        with django_capture_on_commit_callbacks(execute=True):
            services.start_delivery(request)
        delivery = Delivery.objects.get(request=request)
        form_part = delivery.parts.get(purpose=DeliveryPart.Purpose.FORM)
    assert delivery.status == Delivery.Status.FAILED
    assert "zeitz.pdf is not stored in this commune's store" in delivery.last_error
    assert len(stand_in.received) == received_before  # nothing was submitted
    assert list(stand_in.submissions[delivery.submission_id]["uploads"]) == [str(form_part.fitconnect_id)]


def test_a_stored_file_that_changed_since_submission_is_not_sent(
    catalogue, communes, django_capture_on_commit_callbacks
) -> None:
    route(communes.zeitz, Route.EMAIL, office_email="verkehr@zeitz.example")
    request = submit(communes.zeitz, django_capture_on_commit_callbacks)
    with tenant_context(communes.zeitz):
        upload = Attachment.objects.get(request=request)
        store = attachments.open_store(communes.zeitz.schema_name)
        store.delete(upload.storage_key)
        store.backend.save(upload.storage_key, ContentFile(SAMPLE_PDF.replace(b"842", b"843")))
        Delivery.objects.filter(request=request).update(status=Delivery.Status.PENDING)
        mail.outbox.clear()
        delivery = services.attempt_delivery(Delivery.objects.get(request=request).pk)
    assert delivery.status == Delivery.Status.FAILED
    assert "zulassung.pdf no longer matches what the citizen uploaded" in delivery.last_error
    assert not mail.outbox


def test_the_office_mail_carries_the_uploaded_files_byte_for_byte(
    catalogue, communes, django_capture_on_commit_callbacks
) -> None:
    route(communes.zeitz, Route.EMAIL, office_email="verkehr@zeitz.example")

    request = submit(communes.zeitz, django_capture_on_commit_callbacks, files=front_and_back())

    assert delivery_of(communes.zeitz, request).status == Delivery.Status.DELIVERED
    (message,) = [m for m in mail.outbox if m.to == ["verkehr@zeitz.example"]]
    attached = {name: (content, kind) for name, content, kind in message.attachments}
    assert attached["vorderseite.pdf"] == (SAMPLE_PDF, "application/pdf")
    assert attached["rueckseite.jpg"] == (PHOTO, "image/jpeg")
    assert set(attached) == {"antrag.pdf", f"{request.tracking_number}.json", "vorderseite.pdf", "rueckseite.jpg"}


def test_a_mail_above_the_size_limit_is_not_sent_and_says_why(
    catalogue, communes, django_capture_on_commit_callbacks, settings
) -> None:
    settings.KOMMUNAL_TRANSMISSION_MAIL_MAX_BYTES = 4096
    route(communes.zeitz, Route.EMAIL, office_email="verkehr@zeitz.example")

    request = submit(communes.zeitz, django_capture_on_commit_callbacks, files=front_and_back())

    delivery = delivery_of(communes.zeitz, request)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1  # no retries: a smaller mail will not come of waiting
    assert "the office's mail may have" in delivery.last_error
    assert not [m for m in mail.outbox if m.to == ["verkehr@zeitz.example"]]
    request.refresh_from_db()
    assert request.status == Status.RECEIVED  # still in the inbox
    staff_page = signed_in_client(communes.zeitz, "admin@zeitz.example").get(
        f"/verwaltung/anfragen/{request.tracking_number}/"
    )
    assert "mail may have" in staff_page.content.decode()
