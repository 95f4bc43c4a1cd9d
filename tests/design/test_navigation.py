"""One way through: signup call to action, commune search, one admin navigation, confirmations."""

from __future__ import annotations

import re

from django.db import connection
from django_tenants.utils import tenant_context

from activations.models import Activation
from operators.models import Role
from tests.api.helpers import create_key
from tests.catalog_helpers import activate, load_shipped_catalogue
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import verified_operator_client

ADMIN_PAGES = [
    "/verwaltung/anfragen/",
    "/verwaltung/leistungen/",
    "/branding/",
    "/integrations/",
    "/verwaltung/rechnungen/",
    "/verwaltung/rechtliches/",
    "/verwaltung/mitarbeitende/",
]
NAV_LINKS = ADMIN_PAGES


def _admin_nav(html: str) -> str:
    match = re.search(r'<nav class="admin-nav".*?</nav>', html, re.S)
    assert match, "the administration navigation is on the page"
    return match.group(0)


def test_the_landing_page_leads_to_signup_and_finds_communes_by_name_district_and_ags(communes) -> None:
    client = host_client()
    home = client.get("/").content.decode()
    assert 'href="/signup/"' in home
    assert "Zeitz" not in home, "no full list of communes"
    by_name = client.get("/?q=zeit").content.decode()
    assert "Zeitz" in by_name
    assert "Borna" not in by_name
    assert "Borna" in client.get(f"/?q={communes.borna.landkreis[:6]}").content.decode()
    by_ags = client.get(f"/?q={communes.zeitz.ags[:5]}").content.decode()
    assert "Zeitz" in by_ags
    assert "Borna" not in by_ags
    nothing = client.get("/?q=Atlantis").content.decode()
    assert 'href="/signup/"' in nothing
    assert "Zeitz" not in nothing


def test_every_admin_page_has_the_same_navigation_with_the_current_page_marked(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    for path in ADMIN_PAGES:
        response = admin.get(path)
        assert response.status_code == 200, path
        nav = _admin_nav(response.content.decode())
        assert [link for link in NAV_LINKS if f'href="{link}"' in nav] == NAV_LINKS, path
        assert re.search(rf'href="{path}" aria-current="page"', nav), path


def test_the_staff_list_shows_this_communes_accounts_only(communes) -> None:
    page = signed_in_client(communes.zeitz, "admin@zeitz.example").get("/verwaltung/mitarbeitende/").content.decode()
    assert "admin@zeitz.example" in page
    assert "admin@borna.example" not in page
    assert host_client(communes.zeitz).get("/verwaltung/mitarbeitende/").status_code == 302


def test_citizens_see_no_admin_navigation_and_find_the_staff_sign_in_in_the_footer(communes) -> None:
    html = host_client(communes.zeitz).get("/").content.decode()
    assert 'class="admin-nav"' not in html
    header, footer = html.split('<main id="main"')[0], html.split('<footer class="site-footer"')[1]
    assert 'href="/accounts/login/"' not in header
    assert 'href="/accounts/login/"' in footer
    assert "Für Mitarbeitende" in footer


def test_flash_messages_are_list_items_of_one_list(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    html = admin.post("/verwaltung/rechtliches/impressum/", {"body": "Text"}, follow=True).content.decode()
    messages = re.search(r'<ul class="messages"[^>]*>(.*?)</ul>', html, re.S)
    assert messages
    assert re.fullmatch(r"\s*(<li [^>]*>.*?</li>\s*)+", messages.group(1), re.S)


def _confirm_blocks(html: str) -> list[str]:
    return re.findall(r'<details class="confirm">.*?</details>', html, re.S)


def test_deactivating_a_service_asks_first_and_nothing_changes_until_confirmed(communes) -> None:
    load_shipped_catalogue()
    activate(communes.zeitz, "sperrmuell")
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    page = admin.get("/verwaltung/leistungen/").content.decode()
    blocks = [block for block in _confirm_blocks(page) if "/sperrmuell/" in block]
    assert len(blocks) == 1, "the deactivate button sits inside a confirmation"
    assert re.search(r"<summary>.*?</summary>.*<form method=\"post\"", blocks[0], re.S)
    with tenant_context(communes.zeitz):
        assert Activation.objects.get(service__slug="sperrmuell").is_active, "showing the page deactivates nothing"
    action = re.search(r'action="([^"]+)"', blocks[0])
    assert action
    assert admin.post(action.group(1)).status_code == 302
    with tenant_context(communes.zeitz):
        assert not Activation.objects.get(service__slug="sperrmuell").is_active


def test_revoking_a_key_and_deleting_a_webhook_ask_first(communes) -> None:
    create_key(communes.zeitz, ["users:read"])
    connection.set_schema_to_public()
    page = signed_in_client(communes.zeitz, "admin@zeitz.example").get("/integrations/").content.decode()
    revoke = [block for block in _confirm_blocks(page) if "/revoke/" in block]
    assert len(revoke) == 1
    assert "button-danger" in revoke[0]


def test_offboarding_is_called_winding_up_and_suspension_has_a_confirmation_page(communes) -> None:
    operator = verified_operator_client("ops@provider.example", Role.OPERATOR)
    detail = operator.get(f"/operator/tenants/{communes.borna.slug}/").content.decode()
    assert "Kommune abwickeln" in detail
    assert "Abmelden" not in detail.split('<main id="main"')[1], "Abmelden means signing out only"
    confirm = operator.get(f"/operator/tenants/{communes.borna.slug}/suspend/")
    assert confirm.status_code == 200
    assert "<form" in confirm.content.decode()
