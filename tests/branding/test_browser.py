"""Two branded portals in a real browser (Debian chromium via Playwright).

Django's test client fetches each page and every same-host file it references (stylesheet,
logo, favicons) inside the test's transaction; Playwright's request routing hands exactly
these responses to the browser, and anything else is a 404.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from branding import services
from tests.branding.conftest import image_bytes
from tests.browser import launch, needs_chromium

pytestmark = [
    pytest.mark.django_db,
    needs_chromium,
]


Responses = dict[str, tuple[int, dict[str, str], bytes]]


def _fetch(client: Client, path: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, dict(response.items()), body


def _fetch_page_with_its_files(host: str, responses: Responses) -> str:
    """Fetch ``/`` on ``host`` and the same-host files it links; returns the page's URL."""
    client = Client(HTTP_HOST=host)
    page = _fetch(client, "/")
    responses[f"http://{host}/"] = page
    for path in set(re.findall(r'(?:href|src)="(/[^"]*)"', page[2].decode())):
        responses[f"http://{host}{path}"] = _fetch(client, path)
    return f"http://{host}/"


def test_two_communes_render_with_their_own_colours_and_coat_of_arms(communes):
    from playwright.sync_api import sync_playwright

    for commune, name, primary in (
        (communes.zeitz, "Stadt Zeitz", "#8a1538"),
        (communes.borna, "Stadt Borna", "#0d5c46"),
    ):
        with tenant_context(commune):
            services.update_branding(commune=commune, actor="test", display_name=name, primary_color=primary)
            services.replace_logo(commune=commune, actor="test", data=image_bytes())

    responses: Responses = {}
    urls = {
        commune.slug: _fetch_page_with_its_files(commune.primary_host, responses)
        for commune in (communes.zeitz, communes.borna)
    }

    def fulfil(route) -> None:
        status, headers, body = responses.get(route.request.url, (404, {}, b""))
        route.fulfill(status=status, headers=headers, body=body)

    seen = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.route("**/*", fulfil)
        for commune in (communes.zeitz, communes.borna):
            page.goto(urls[commune.slug])
            seen[commune.slug] = page.evaluate(
                """() => {
                    const logo = document.querySelector('.brand-logo');
                    return {
                        title: document.title,
                        header: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
                        logoLoaded: logo !== null && logo.complete && logo.naturalHeight > 0,
                        favicon: document.querySelector('link[rel=icon]').href,
                    };
                }"""
            )
        browser.close()

    assert seen["zeitz"]["title"] == "Stadt Zeitz"
    assert seen["zeitz"]["header"] == "rgb(138, 21, 56)"
    assert seen["borna"]["title"] == "Stadt Borna"
    assert seen["borna"]["header"] == "rgb(13, 92, 70)"
    assert seen["zeitz"]["logoLoaded"]
    assert seen["borna"]["logoLoaded"]
    assert seen["zeitz"]["favicon"] != seen["borna"]["favicon"]


def test_colour_picker_and_text_field_stay_in_step_and_the_preview_warns_about_contrast(communes):
    from playwright.sync_api import sync_playwright

    from tests.a11y.test_axe import Responses as Files
    from tests.a11y.test_axe import _fetch_with_files, _path
    from tests.helpers import signed_in_client

    host = communes.zeitz.primary_host
    files: Files = _fetch_with_files(signed_in_client(communes.zeitz, "admin@zeitz.example"), "/branding/", {})

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        status, headers, body = files.get(_path(route.request.url), (404, {}, b""))
        route.fulfill(status=status, headers=headers, body=body)

    preview_js = """() => {
        const style = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
        return {
            header: style('.brand-preview__header', 'backgroundColor'),
            button: style('.brand-preview__button', 'backgroundColor'),
            link: style('.brand-preview__link', 'color'),
            tag: style('.brand-preview__tag', 'backgroundColor'),
            picker: document.getElementById('id_primary_color_picker').value,
            pickerShown: !document.getElementById('id_primary_color_picker').hidden,
            text: document.getElementById('id_primary_color').value,
            message: document.getElementById('contrast-message').textContent,
            state: document.getElementById('contrast-message').dataset.state,
        };
    }"""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.route("**/*", serve)
        page.goto(f"http://{host}/branding/")
        initial = page.evaluate(preview_js)
        page.fill("#id_primary_color", "#8a1538")
        typed = page.evaluate(preview_js)
        page.eval_on_selector(
            "#id_accent_color_picker", "p => { p.value = '#ffcc00'; p.dispatchEvent(new Event('input')); }"
        )
        picked = page.evaluate(preview_js)
        accent_text = page.input_value("#id_accent_color")
        page.fill("#id_primary_color", "#8a15")
        unfinished = page.evaluate(preview_js)
        browser.close()

    assert initial["pickerShown"]
    assert initial["picker"] == initial["text"] == "#0b4f8a"
    assert initial["state"] == "pass"
    assert "mindestens 4,5:1" in initial["message"]

    assert typed["picker"] == "#8a1538"
    assert typed["header"] == typed["button"] == typed["link"] == "rgb(138, 21, 56)"

    assert accent_text == "#ffcc00"
    assert picked["tag"] == "rgb(255, 204, 0)"
    assert picked["state"] == "fail"
    assert "Akzentfarbe: Weiße Schrift erreicht nur 1,5:1" in picked["message"]

    assert unfinished["header"] == "rgb(138, 21, 56)"  # the preview keeps the last valid colour
    assert "Hauptfarbe: Geben Sie die Farbe als #rrggbb an" in unfinished["message"]
