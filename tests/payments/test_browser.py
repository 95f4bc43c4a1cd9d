"""A citizen in a real browser (Debian chromium via Playwright): information, form, upload, payment.

The commune's pages come from Django's test client (Playwright's routing hands its responses to the
browser, as in tests/branding/test_browser.py); the checkout page is the Stripe stand-in's, over
loopback. The stand-in's event is delivered to the webhook like Stripe would.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from activations.models import PaymentMode
from citizen_requests.models import Attachment, CitizenRequest, PaymentStatus
from tests.browser import launch, needs_chromium
from tests.catalog_helpers import activate
from tests.payments.conftest import connect, deliver

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Playwright calls the route handler from its own greenlet, which gets its own database connection:
# the data must be committed to be seen there.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]


def test_citizen_reads_applies_uploads_and_pays(catalogue, communes, fake, settings, tmp_path, monkeypatch) -> None:
    from playwright.sync_api import FilePayload, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the route handler calls Django
    # synchronously from it (the documented switch for exactly this case).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    activate(
        communes.zeitz,
        "anwohnerparkausweis",
        fee=Decimal("30.70"),
        office_name="Straßenverkehrsbehörde Zeitz",
        payment_mode=PaymentMode.BEFORE_SUBMISSION,
    )
    connect(fake, communes.zeitz)
    host = communes.zeitz.primary_host
    django = Client(HTTP_HOST=host)

    def to_django(route) -> None:  # type: ignore[no-untyped-def]
        request = route.request
        path = request.url.split(host, 1)[1]
        response = django.generic(
            request.method,
            path,
            data=request.post_data_buffer or b"",
            content_type=request.headers.get("content-type", "application/octet-stream"),
            HTTP_ACCEPT_LANGUAGE="de",
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = {k: v for k, v in response.items() if k.lower() != "set-cookie"}
        if headers.get("Location", "").startswith("/"):
            headers["Location"] = f"http://{host}{headers['Location']}"
        route.fulfill(status=response.status_code, headers=headers, body=body)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.route(f"http://{host}/**", to_django)
        page.goto(f"http://{host}/leistungen/anwohnerparkausweis/")
        assert page.get_by_role("heading", name="Voraussetzungen").is_visible(), page.content()[-3000:]
        assert page.get_by_text("Zulassungsbescheinigung Teil I (Fahrzeugschein) als Kopie").is_visible()
        page.get_by_role("link", name="Online beantragen").first.click()

        page.fill("#field-vorname", "Erika")
        page.fill("#field-nachname", "Mustermann")
        page.fill("#field-strasse", "Markt 1")
        page.fill("#field-plz", "06712")
        page.fill("#field-ort", "Zeitz")
        page.fill("#field-kennzeichen", "BLK-AB 123")
        page.select_option("#field-halter", "halter")
        page.fill("#field-gueltig_ab", "2026-12-01")
        page.fill("#field-kontakt_email", "erika@example.org")
        page.get_by_role("button", name="Antrag absenden").click()
        page.wait_for_selector("#error-summary")
        assert "Bitte hängen Sie eine Datei an." in page.content()  # the upload is required

        page.fill("#field-kontakt_email", "erika@example.org")
        page.set_input_files(
            "#field-zulassungsbescheinigung",
            files=[FilePayload(name="fahrzeugschein.pdf", mimeType="application/pdf", buffer=PDF)],
        )
        page.get_by_role("button", name="Antrag absenden").click()
        page.wait_for_url("**/zahlung/**")
        assert page.get_by_role("heading", name="Gebühr bezahlen").is_visible()
        assert "offen" in page.content()

        page.get_by_role("button", name="Jetzt bezahlen").click()
        page.wait_for_url(fake.base_url + "/checkout/**")
        assert page.url.startswith(fake.base_url + "/checkout/")
        assert "30,70 EUR" in page.content()
        page.get_by_role("button", name="Bezahlen", exact=True).click()  # the stand-in redirects back
        page.wait_for_url(f"http://{host}/zahlung/**")
        assert deliver(fake.events[-1]).content == b"applied"
        page.reload()
        assert "bezahlt" in page.content()
        browser.close()

    with tenant_context(communes.zeitz):
        request = CitizenRequest.objects.get()
        assert request.payment_status == PaymentStatus.PAID
        assert Attachment.objects.get(request=request).name == "fahrzeugschein.pdf"
