"""The whole citizen login in a real browser (Debian chromium via Playwright).

The browser talks to the local OpenID Connect provider over real HTTP on loopback; requests to
the commune's host are handed to Django's test client (inside the test's transaction, with its
own cookie jar), the way tests/branding/test_browser.py does it.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django_tenants.utils import tenant_context

from citizens.models import Login, RequestOwner
from tests.browser import launch, needs_chromium
from tests.catalog_helpers import activate

pytestmark = [
    pytest.mark.django_db,
    needs_chromium,
]


def _forward(client: Client, host: str, main_connection: BaseDatabaseWrapper) -> Any:
    """A Playwright route handler that answers requests to ``host`` with Django's test client.

    Handlers run in Playwright's greenlet, whose context would open a new database connection;
    they use the test's connection (taken before Playwright starts), so they see what it wrote.
    """

    def handle(route: Any) -> None:
        request = route.request
        if f"//{host}/" not in request.url:
            route.continue_()
            return
        path = request.url.split(host, 1)[1]
        connections["default"] = main_connection  # the test's transaction, not a new connection
        if request.method == "POST":
            response = client.post(
                path, data=request.post_data or "", content_type=request.headers.get("content-type", "")
            )
        else:
            response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
        location = response.get("Location", "")
        if response.status_code in (301, 302) and location.startswith("/"):
            # Chromium does not hand the target of a fulfilled redirect back to the route: let
            # the page navigate there itself, so the next request reaches this handler too.
            target = html.escape(f"http://{host}{location}")
            page = f'<meta http-equiv="refresh" content="0;url={target}">'
            route.fulfill(status=200, headers={"Content-Type": "text/html"}, body=page)
            return
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
        route.fulfill(status=response.status_code, headers=headers, body=body)

    return handle


def test_citizen_logs_in_at_the_provider_and_applies_with_prefilled_fields(
    catalogue, communes, provider, monkeypatch
) -> None:
    from playwright.sync_api import sync_playwright

    # Route handlers run on Playwright's event loop, in this thread and its database transaction.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    activate(communes.zeitz, "meldebescheinigung")
    host = communes.zeitz.primary_host
    client = Client(HTTP_HOST=host)
    main_connection = connections["default"]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.route("**/*", _forward(client, host, main_connection))
        page.goto(f"http://{host}/leistungen/meldebescheinigung/antrag/")
        assert "substanziell" in page.inner_text("#login-required")
        page.click("text=Mit Bürgerkonto anmelden")
        page.wait_for_url(f"{provider.issuer}/authorize?*")
        assert "code_challenge_method=S256" in page.url
        page.click("button:has-text('Max Muster')")
        page.wait_for_url(f"http://{host}/leistungen/meldebescheinigung/antrag/")
        assert page.input_value("#field-vorname") == "Max"
        assert page.input_value("#field-geburtsdatum") == "1990-02-01"
        assert page.locator(".badge.from-account").count() == 7
        page.check("input[name=art][value=einfach]")
        page.fill("#field-zweck", "Arbeitgeber")
        page.click("button:has-text('Antrag absenden')")
        page.wait_for_url(f"http://{host}/antrag/eingegangen/")
        number = re.search(r"ZEI-\d{4}-\w{6}", page.content())
        assert number is not None
        page.click("text=Meine Anträge")
        page.wait_for_url(f"http://{host}/buerger/antraege/")
        assert number.group(0) in page.inner_text("main")
        browser.close()
    with tenant_context(communes.zeitz):
        assert Login.objects.get().trust_level == "substantial"
        owner = RequestOwner.objects.get(request__tracking_number=number.group(0))
        assert owner.citizen.given_name == "Max"
