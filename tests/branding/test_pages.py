"""Where the branding shows: portal header and footer, title, favicon, API docs and e-mails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from branding import services
from tests.branding.conftest import image_bytes
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

ZEITZ = {
    "display_name": "Stadt Zeitz",
    "primary_color": "#8a1538",
    "accent_color": "#1d5f8a",
    "contact": "Altmarkt 1\n06712 Zeitz",
    "contact_email": "buergerservice@zeitz.example",
    "imprint_url": "https://www.zeitz.example/impressum",
    "privacy_url": "https://www.zeitz.example/datenschutz",
    "accessibility_url": "https://www.zeitz.example/barrierefreiheit",
}


def _brand(commune, **values):
    with tenant_context(commune):
        services.update_branding(commune=commune, actor="test", **values)
        return services.replace_logo(commune=commune, actor="test", data=image_bytes()).assets


def test_portal_shows_name_colours_logo_favicon_and_legal_links(communes, zeitz_client, borna_client):
    assets = _brand(communes.zeitz, **ZEITZ)

    page = zeitz_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<title>Stadt Zeitz</title>" in page
    assert "--brand: #8a1538; --accent: #1d5f8a;" in page
    assert f'src="{services.asset_path(assets["logo_96"])}"' in page
    assert f'rel="icon" type="image/png" sizes="32x32" href="{services.asset_path(assets["favicon_32"])}"' in page
    assert f'href="{services.asset_path(assets["favicon_180"])}"' in page
    for label, url in (
        ("Imprint", ZEITZ["imprint_url"]),
        ("Privacy policy", ZEITZ["privacy_url"]),
        ("Accessibility statement", ZEITZ["accessibility_url"]),
    ):
        assert f'<a href="{url}">{label}</a>' in page
    assert "Altmarkt 1<br>06712 Zeitz" in page

    other = borna_client.get("/").content.decode()
    assert "#8a1538" not in other
    assert "Stadt Zeitz" not in other
    assert "zeitz.example" not in other


def test_legal_links_are_translated_to_german(communes, zeitz_client):
    _brand(communes.zeitz, **ZEITZ)

    page = zeitz_client.get("/").content.decode()

    assert ">Impressum</a>" in page
    assert ">Datenschutzerklärung</a>" in page
    assert ">Erklärung zur Barrierefreiheit</a>" in page


def test_branding_costs_one_query_per_request_and_none_once_cached(communes, zeitz_client):
    _brand(communes.zeitz, display_name="Stadt Zeitz")

    def branding_queries() -> int:
        with CaptureQueriesContext(db_connection) as queries:
            assert zeitz_client.get("/").status_code == 200
        return sum("branding_branding" in query["sql"] for query in queries.captured_queries)

    assert branding_queries() == 1
    assert branding_queries() == 0


def test_saving_the_branding_shows_at_once(communes, zeitz_client):
    _brand(communes.zeitz, display_name="Stadt Zeitz")
    assert "Stadt Zeitz" in zeitz_client.get("/").content.decode()

    with tenant_context(communes.zeitz):
        services.update_branding(commune=communes.zeitz, actor="test", display_name="Zeitz an der Weißen Elster")

    assert "Zeitz an der Weißen Elster" in zeitz_client.get("/").content.decode()


def test_api_documentation_is_titled_with_the_communes_name(communes, zeitz_client, borna_client):
    _brand(communes.zeitz, display_name="Stadt Zeitz")

    assert "<title>Stadt Zeitz - API-Dokumentation</title>" in zeitz_client.get("/api/docs/").content.decode()
    assert (
        f"<title>{communes.borna.name} - API-Dokumentation</title>" in borna_client.get("/api/docs/").content.decode()
    )


def test_branded_mail_has_html_and_text_with_logo_colours_and_legal_links(communes):
    assets = _brand(communes.zeitz, **ZEITZ)

    with tenant_context(communes.zeitz):
        sent = services.send_branded_mail(
            template="branding/email/notice",
            subject="Ihr Antrag ist eingegangen",
            to=["buerger@example.org"],
            commune=communes.zeitz,
            context={"text": "Wir melden uns <bald>."},
        )

    assert sent == 1
    message = mail.outbox[0]
    assert message.reply_to == ["buergerservice@zeitz.example"]
    assert "Stadt Zeitz" in message.body
    assert "Wir melden uns <bald>." in message.body
    assert ZEITZ["imprint_url"] in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'src="{communes.zeitz.portal_url}{services.asset_path(assets["logo_96"])}"' in html
    assert "background:#8a1538" in html
    assert "Wir melden uns &lt;bald&gt;." in html
    assert f'href="{ZEITZ["privacy_url"]}"' in html


def test_platform_host_shows_no_communes_branding(communes, platform_client):
    _brand(communes.zeitz, **ZEITZ)

    page = platform_client.get("/").content.decode()

    assert "#8a1538" not in page
    assert "Stadt Zeitz" not in page


def test_demo_shields_are_accepted_uploads_and_demo_colours_pass(communes):
    from branding import colors, demo, images

    for brand in demo.DEMO_BRANDS:
        assert colors.passes(brand.primary)
        assert colors.passes(brand.accent)
        assert images.logo_renditions(demo.shield_png(brand.field, brand.charge))["logo_96"].data


def test_header_image_shows_behind_the_header_until_removed(communes, zeitz_client, django_capture_on_commit_callbacks):
    with tenant_context(communes.zeitz):
        assets = services.replace_header_image(
            commune=communes.zeitz, actor="test", data=image_bytes("JPEG", size=(2400, 600), mode="RGB")
        ).assets
    header_path = services.asset_path(assets["header"])
    served = zeitz_client.get(header_path)
    assert served["Content-Type"] == "image/webp"
    assert f'url("{header_path}")' in zeitz_client.get("/").content.decode()

    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post("/branding/image/header/remove/").status_code == 302

    assert header_path not in zeitz_client.get("/").content.decode()
    assert zeitz_client.get(header_path).status_code == 404
