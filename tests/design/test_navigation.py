"""One way through: signup call to action, commune search, one admin navigation, confirmations."""

from __future__ import annotations

import re

from tests.helpers import host_client, signed_in_client

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
