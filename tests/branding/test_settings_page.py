"""The branding settings page itself, the display name on every page and the suspended commune's page."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from branding import services
from tenants import actions
from tests.branding.conftest import image_bytes
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db

DISPLAY_NAME = "Zeitz an der Weißen Elster"


def _admin(commune):  # type: ignore[no-untyped-def]
    return signed_in_client(commune, f"admin@{commune.slug}.example")


def test_image_upload_asks_for_the_type_of_image_in_german(communes) -> None:
    page = _admin(communes.zeitz).get("/branding/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert '<label for="id_kind">Art des Bildes:</label>' in page
    assert ">Kind" not in page


def test_colour_fields_come_with_pickers_and_a_preview_driven_by_a_static_script(communes) -> None:
    page = _admin(communes.zeitz).get("/branding/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    for field in ("primary_color", "accent_color"):
        assert re.search(rf'<input type="text" name="{field}" value="#[0-9a-f]{{6}}"[^>]*id="id_{field}"', page)
        picker = re.search(rf'<input type="color" id="id_{field}_picker"[^>]*>', page)
        assert picker, field
        assert 'data-color-for="id_' + field + '"' in picker.group(0)
        assert "Farbwähler" in picker.group(0)
    assert 'id="brand-preview"' in page
    assert 'id="contrast-message" role="status"' in page
    assert re.search(r'<script src="/static/branding/colors\.js[^"]*" defer></script>', page)
    assert "<script>" not in page
    assert " style=" not in page


def test_a_colour_below_the_contrast_rule_is_still_refused_by_the_server(communes) -> None:
    response = _admin(communes.zeitz).post(
        "/branding/", {"primary_color": "#ffcc00", "accent_color": "#1d6f42"}, HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 400
    assert "4.5:1" in response.content.decode() or "4,5:1" in response.content.decode()


ADMIN_PAGES = ["/verwaltung/leistungen/", "/verwaltung/anfragen/", "/integrations/", "/verwaltung/rechnungen/"]


def test_the_display_name_heads_the_portal_and_titles_every_admin_page(communes) -> None:
    with tenant_context(communes.zeitz):
        services.update_branding(commune=communes.zeitz, actor="test", display_name=DISPLAY_NAME)

    home = host_client(communes.zeitz).get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert DISPLAY_NAME in home.split("<h1>")[1].split("</h1>")[0]
    assert f"<title>{DISPLAY_NAME}</title>" in home

    admin = _admin(communes.zeitz)
    for path in [*ADMIN_PAGES, "/branding/"]:
        page = admin.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title, path
        assert title.group(1).strip().endswith(DISPLAY_NAME), (path, title.group(1))

    other = _admin(communes.borna).get("/verwaltung/leistungen/").content.decode()
    assert DISPLAY_NAME not in other


def test_suspended_commune_keeps_its_branding_and_shows_how_to_reach_it(communes) -> None:
    for commune, name, colour, contact in (
        (communes.zeitz, DISPLAY_NAME, "#8a1538", "Altmarkt 1\n06712 Zeitz\nTelefon 03441 83-0"),
        (communes.borna, "Stadt Borna", "#0d5c46", "Markt 1\n04552 Borna"),
    ):
        with tenant_context(commune):
            services.update_branding(
                commune=commune,
                actor="test",
                display_name=name,
                primary_color=colour,
                contact=contact,
                contact_email=f"rathaus@{commune.slug}.example",
            )
            services.replace_logo(commune=commune, actor="test", data=image_bytes())
    actions.suspend_commune(communes.zeitz, actor="operator:test", reason="Zahlungsverzug")

    response = host_client(communes.zeitz).get("/", HTTP_ACCEPT_LANGUAGE="de")
    page = response.content.decode()

    assert response.status_code == 503
    assert f"<title>Vorübergehend nicht verfügbar \N{EN DASH} {DISPLAY_NAME}</title>" in page
    assert "--brand: #8a1538;" in page
    assert re.search(r'<img class="brand-logo" src="/branding/assets/logo-96[^"]*"', page)
    assert "sind vorübergehend nicht verfügbar" in page
    assert "So erreichen Sie uns direkt" in page
    assert "Altmarkt 1<br>06712 Zeitz<br>Telefon 03441 83-0" in page
    assert '<a href="mailto:rathaus@zeitz.example">rathaus@zeitz.example</a>' in page
    for borna in ("Stadt Borna", "#0d5c46", "Markt 1", "rathaus@borna.example"):
        assert borna not in page


def test_suspended_commune_without_contact_details_points_to_the_town_hall(communes) -> None:
    actions.suspend_commune(communes.borna, actor="operator:test", reason="Test")

    response = host_client(communes.borna).get("/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 503
    assert "wenden Sie sich bitte direkt an die Verwaltung" in response.content.decode()
