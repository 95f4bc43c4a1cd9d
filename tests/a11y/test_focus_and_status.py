"""Focus and live updates in a real browser (Debian chromium via Playwright).

After a failed submit the error summary has the focus and its links move the focus to the input;
the applicant's waiting page never reloads itself, and "Status prüfen" updates it in place with a
polite announcement. Requests are answered by Django's test client inside the test's transaction
(see tests/citizens/test_browser.py).
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client

from signup.models import Application
from tests.a11y.test_axe import AXE, WCAG_AA
from tests.browser import launch, needs_chromium
from tests.catalog_helpers import activate, load_shipped_catalogue
from tests.citizens.test_browser import _forward
from tests.signup.helpers import submit

pytestmark = [
    pytest.mark.django_db,
    needs_chromium,
]


def _axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.1 AA violations of the page as it is now (evaluated past the page's CSP)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [f"{violation['id']}: {node['target']}" for violation in result["violations"] for node in violation["nodes"]]


def _wait_until(page, expression: str) -> None:  # type: ignore[no-untyped-def]
    """Poll ``expression`` (page.wait_for_function would need 'unsafe-eval', which the CSP forbids)."""
    for _attempt in range(100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def test_failed_submit_moves_the_focus_to_the_summary_and_its_links_to_the_inputs(communes, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    load_shipped_catalogue()
    activate(communes.zeitz, "sperrmuell")
    host = communes.zeitz.primary_host
    main_connection = connections["default"]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.route("**/*", _forward(Client(HTTP_HOST=host), host, main_connection))
        page.goto(f"http://{host}/leistungen/sperrmuell/antrag/")
        page.fill("#field-kontakt_email", "keine-adresse")
        page.click("button:has-text('Antrag absenden')")
        page.wait_for_selector("#error-summary")
        _wait_until(page, "document.activeElement && document.activeElement.id === 'error-summary'")
        assert page.title().startswith("Fehler: Antrag stellen \N{EN DASH} Sperrmüllabholung anmelden")
        page.click("#error-summary a[href='#field-kontakt_email']")
        assert page.evaluate("document.activeElement.id") == "field-kontakt_email"
        assert _axe_violations(page) == []
        browser.close()


def test_signup_errors_take_the_focus_the_same_way(communes, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    load_shipped_catalogue()
    main_connection = connections["default"]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.route("**/*", _forward(Client(HTTP_HOST="localhost"), "localhost", main_connection))
        page.goto("http://localhost/signup/apply/14713000/")
        page.fill("#id_applicant_name", "Anna Amtsleiterin")
        page.click("button:has-text('Antrag absenden')")
        page.wait_for_selector("#error-summary")
        _wait_until(page, "document.activeElement && document.activeElement.id === 'error-summary'")
        page.click("#error-summary a[href='#id_accept_terms']")
        assert page.evaluate("document.activeElement.id") == "id_accept_terms"
        assert page.input_value("#id_applicant_name") == "Anna Amtsleiterin"  # what was typed stays
        assert _axe_violations(page) == []
        browser.close()


def test_waiting_page_checks_the_status_in_place_when_asked(communes, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    application = submit()
    main_connection = connections["default"]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.route("**/*", _forward(Client(HTTP_HOST="localhost"), "localhost", main_connection))
        page.goto(f"http://localhost/signup/{application.pk}/")
        assert page.locator("meta[http-equiv]").count() == 0
        toggle = page.locator("#status-poll-toggle")
        toggle.wait_for(state="visible")
        toggle.click()
        assert toggle.inner_text() == "Automatische Prüfung fortsetzen"
        toggle.click()
        page.evaluate("window.notReloaded = true")
        page.click("button:has-text('Status prüfen')")
        _wait_until(page, "document.getElementById('status-live').textContent.includes('Noch keine Änderung')")
        connections["default"] = main_connection  # Playwright's context would open a second connection
        Application.objects.filter(pk=application.pk).update(
            status=Application.Status.REJECTED, rejection_reason="Keine Gemeinde"
        )
        page.click("button:has-text('Status prüfen')")
        _wait_until(page, "document.getElementById('status-live').textContent.includes('abgelehnt')")
        assert "Keine Gemeinde" in page.inner_text("#application-progress")
        assert page.evaluate("window.notReloaded") is True  # updated in place, never reloaded
        assert not page.is_visible("#status-check")  # decided: nothing left to check
        browser.close()
