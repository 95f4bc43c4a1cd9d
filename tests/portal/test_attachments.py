"""Attachments: the form's rules (type by content, size, count), the commune's store, staff and API access."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from citizen_requests.models import Attachment, CitizenRequest
from tests.catalog_helpers import activate, staff_user
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
FORM = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Markt 1",
    "plz": "06712",
    "ort": "Zeitz",
    "kennzeichen": "BLK-AB 123",
    "halter": "halter",
    "gueltig_ab": "2026-12-01",
    "kontakt_email": "erika@example.org",
}
FIELD = "zulassungsbescheinigung"


@pytest.fixture(autouse=True)
def store_root(settings, tmp_path: Path) -> Path:
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


@pytest.fixture
def parking(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(communes.zeitz, "anwohnerparkausweis", fee=Decimal("30.70"))
    activate(communes.borna, "anwohnerparkausweis", fee=Decimal("30.70"))
    return communes


def _submit(client, *files: SimpleUploadedFile):  # type: ignore[no-untyped-def]
    return client.post("/leistungen/anwohnerparkausweis/antrag/", {**FORM, FIELD: list(files)})


def _stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_form_shows_the_upload_with_its_rules(parking, zeitz_client) -> None:
    page = zeitz_client.get("/leistungen/anwohnerparkausweis/antrag/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert (
        f'type="file" id="field-{FIELD}" name="{FIELD}" accept="application/pdf,image/jpeg,image/png" multiple required'
        in page
    )
    assert "PDF, JPEG, PNG, je höchstens 5 MB, bis zu 2 Dateien." in page


def test_a_pdf_and_a_png_are_stored_under_the_communes_prefix(parking, zeitz_client, store_root) -> None:
    response = _submit(
        zeitz_client,
        SimpleUploadedFile("schein vorne.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("../../etc/rückseite.png", PNG, "image/png"),
    )
    assert response.status_code == 302
    with tenant_context(parking.zeitz):
        request = CitizenRequest.objects.get()
        files = list(Attachment.objects.order_by("name"))
        assert [(f.name, f.media_type, f.size) for f in files] == [
            ("rückseite.png", "image/png", len(PNG)),
            ("schein vorne.pdf", "application/pdf", len(PDF)),
        ]
        assert sorted(d["name"] for d in request.data[FIELD]) == ["rückseite.png", "schein vorne.pdf"]
    stored = _stored_files(store_root)
    assert stored == sorted(
        f"tenants/{parking.zeitz.schema_name}/attachments/{f.id}.{ext}"
        for f, ext in zip(files, ["png", "pdf"], strict=True)
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ((), "Bitte hängen Sie eine Datei an."),
        (
            (SimpleUploadedFile("schein.pdf", b"MZ\x90\0 this is an exe", "application/pdf"),),
            "schein.pdf ist keine PDF oder JPEG oder PNG-Datei.",
        ),
        (
            (SimpleUploadedFile("bild.png", b"<svg onload=alert(1)>", "image/png"),),
            "bild.png ist keine PDF oder JPEG oder PNG-Datei.",
        ),
        (
            (SimpleUploadedFile("gross.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf"),),
            "gross.pdf ist größer als 5 MB.",
        ),
        (
            tuple(SimpleUploadedFile(f"{n}.pdf", PDF, "application/pdf") for n in range(3)),
            "Bitte hängen Sie höchstens 2 Dateien an.",
        ),
    ],
)
def test_refused_files_store_nothing(parking, zeitz_client, store_root, files, message) -> None:
    response = _submit(zeitz_client, *files)
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(parking.zeitz):
        assert not CitizenRequest.objects.exists()
        assert not Attachment.objects.exists()
    assert _stored_files(store_root) == []


def test_a_failing_store_leaves_neither_request_nor_files(parking, zeitz_client, store_root) -> None:
    backend = storages["attachments"]
    real_save, calls = backend.save, []

    def save_then_fail(name, content, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(name, content, *args, **kwargs)

    with mock.patch.object(backend, "save", side_effect=save_then_fail):
        response = _submit(
            zeitz_client,
            SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("b.pdf", PDF, "application/pdf"),
        )
    assert response.status_code == 400
    assert "Das Hochladen ist fehlgeschlagen; es wurde nichts gespeichert." in response.content.decode()
    assert len(calls) == 2
    with tenant_context(parking.zeitz):
        assert not CitizenRequest.objects.exists()
        assert not Attachment.objects.exists()
    assert _stored_files(store_root) == []


def test_attachments_cannot_be_faked_through_the_api(parking, zeitz_client) -> None:
    data: dict[str, Any] = {k: v for k, v in FORM.items() if k != "kontakt_email"}
    data[FIELD] = [
        {"id": "00000000-0000-0000-0000-000000000000", "name": "x.pdf", "mediaType": "application/pdf", "size": 1}
    ]
    response = zeitz_client.post(
        "/api/v1/requests/",
        {"service": "anwohnerparkausweis", "email": "erika@example.org", "data": data},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert f"data.{FIELD}" in response.content.decode()


def _submitted_with_pdf(parking, zeitz_client) -> tuple[CitizenRequest, Attachment]:  # type: ignore[no-untyped-def]
    assert _submit(zeitz_client, SimpleUploadedFile("schein.pdf", PDF, "application/pdf")).status_code == 302
    with tenant_context(parking.zeitz):
        return CitizenRequest.objects.get(), Attachment.objects.get()


def test_staff_download_the_file_as_an_attachment(parking, zeitz_client) -> None:
    request, attachment = _submitted_with_pdf(parking, zeitz_client)
    staff_user(parking.zeitz, "sb@zeitz.de")
    staff = signed_in_client(parking.zeitz, "sb@zeitz.de")
    detail = staff.get(f"/verwaltung/anfragen/{request.tracking_number}/").content.decode()
    url = f"/verwaltung/anfragen/{request.tracking_number}/anhang/{attachment.id}/"
    assert url in detail
    assert "nicht auf Viren geprüft" in detail
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="schein.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_citizens_and_other_communes_get_nothing(parking, zeitz_client) -> None:
    request, attachment = _submitted_with_pdf(parking, zeitz_client)
    url = f"/verwaltung/anfragen/{request.tracking_number}/anhang/{attachment.id}/"
    assert zeitz_client.get(url).status_code in (302, 403)  # not signed in
    staff_user(parking.borna, "sb@borna.de")
    borna_staff = signed_in_client(parking.borna, "sb@borna.de")
    assert borna_staff.get(url).status_code == 404
    api = f"/api/v1/requests/{request.tracking_number}/attachments/{attachment.id}/"
    assert borna_staff.get(api).status_code == 404


def test_api_lists_and_streams_attachments_with_requests_read(parking, zeitz_client) -> None:
    request, _attachment = _submitted_with_pdf(parking, zeitz_client)
    staff_user(parking.zeitz, "sb@zeitz.de")
    staff = signed_in_client(parking.zeitz, "sb@zeitz.de")
    detail = staff.get(f"/api/v1/requests/{request.tracking_number}/").json()
    assert detail["payment_status"] == "none"
    [listed] = detail["attachments"]
    assert listed["name"] == "schein.pdf"
    assert listed["media_type"] == "application/pdf"
    response = staff.get(listed["download"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_clamd_refuses_an_infected_file(parking, zeitz_client, settings, store_root) -> None:
    settings.KOMMUNAL_CLAMD = "tcp:127.0.0.1:1"
    with mock.patch("citizen_requests.attachments.clamd_instream", return_value="stream: Eicar-Signature FOUND"):
        response = _submit(zeitz_client, SimpleUploadedFile("schein.pdf", PDF, "application/pdf"))
    assert response.status_code == 400
    assert "schein.pdf wurde vom Virenscan abgelehnt." in response.content.decode()
    assert _stored_files(store_root) == []


def test_an_unreachable_clamd_stores_nothing(parking, zeitz_client, settings, store_root) -> None:
    settings.KOMMUNAL_CLAMD = "tcp:127.0.0.1:1"
    response = _submit(zeitz_client, SimpleUploadedFile("schein.pdf", PDF, "application/pdf"))
    assert response.status_code == 400
    assert "Der Virenscan ist gerade nicht erreichbar" in response.content.decode()
    with tenant_context(parking.zeitz):
        assert not CitizenRequest.objects.exists()
    assert _stored_files(store_root) == []
