"""The wizard in a real browser (headless Chromium): type-ahead, form, confirmation page.

Needs Debian's ``/usr/bin/chromium`` (``apt-get install chromium``); the test is skipped without it.
Saves ``docs/screenshots/signup.png`` for the README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from signup.models import Application
from tests.browser import launch, needs_chromium
from tests.factories import ServiceVersionFactory

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "signup.png"

pytestmark = needs_chromium


@pytest.mark.django_db(transaction=True)
def test_applicant_finds_the_commune_by_typing_and_applies(directory, live_server) -> None:
    from playwright.sync_api import sync_playwright

    ServiceVersionFactory(service__slug="anwohnerparken", service__title_de="Bewohnerparkausweis beantragen")
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://localhost:{port}"  # the platform host, served by the live server on 127.0.0.1
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(locale="de-DE", viewport={"width": 1100, "height": 900})
            page.goto(f"{base}/signup/")
            page.fill("#id_q", "Leipz")  # no submit: the type-ahead fetches the API
            choose = page.locator("#search-results a", has_text="Auswählen").first
            choose.wait_for(timeout=10_000)
            choose.click()
            page.wait_for_url("**/signup/apply/14713000/")
            page.fill("#id_applicant_name", "Anna Amtsleiterin")
            page.fill("#id_applicant_role", "Leiterin Bürgeramt")
            page.fill("#id_applicant_email", "amt@leipzig.de")
            page.check("#id_accept_terms")
            page.check("#id_accept_dpa")
            page.check("input[name=services][value=anwohnerparken]")
            page.fill("#id_invoice_recipient", "Stadt Leipzig, Kämmerei")
            page.fill("#id_leitweg_id", "04011000-1234512345-06")
            honeypot = page.locator("#id_website").bounding_box()
            assert honeypot is not None
            assert honeypot["x"] < 0  # the honeypot is off-screen for people
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            page.click("button[type=submit] >> text=Antrag absenden")
            page.wait_for_selector("h1")
            heading = page.inner_text("h1")
        finally:
            browser.close()
    assert "E-Mail-Adresse" in heading
    application = Application.objects.get(ags="14713000")
    assert application.services == ["anwohnerparken"]
    assert application.leitweg_id == "04011000-1234512345-06"
