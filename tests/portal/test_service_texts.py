"""A commune's own service texts per language, and Leichte Sprache pages, in the citizen portal."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import tenant_context

from activations.models import Activation
from activations.services import update_texts
from branding import services as branding_services
from catalog.models import Service
from portal import page_cache
from tests.catalog_helpers import activate
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db
TEXTS_PAGE = "/verwaltung/leistungen/sperrmuell/texte/"


@pytest.fixture
def offers(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(communes.zeitz, "sperrmuell")
    activate(communes.zeitz, "maengelmelder")
    activate(communes.borna, "sperrmuell")
    return communes


def _in(language: str, client: Client) -> Client:
    client.cookies["django_language"] = language
    return client


def _page(client: Client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _set_texts(commune, texts) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        update_texts(Activation.objects.get(service__slug="sperrmuell"), actor="test", texts=texts)


def test_the_admin_words_the_service_per_language_and_the_portal_falls_back_to_the_catalogue(offers) -> None:
    admin = signed_in_client(offers.zeitz, "admin@zeitz.example")
    form = _page(admin, TEXTS_PAGE)
    assert 'name="de-title"' in form
    assert 'name="en-title"' in form
    assert 'name="de-leichte_sprache"' in form
    assert 'name="hsb-title"' not in form, "Sorbian only where the commune offers it"
    response = admin.post(
        TEXTS_PAGE,
        {
            "de-title": "Sperrmüll abholen lassen",
            "de-volltext": "Die Stadtreinigung Zeitz holt zweimal im Jahr kostenlos ab.",
            "en-title": "Have bulky waste collected in Zeitz",
        },
    )
    assert response.status_code == 302

    german = _page(host_client(offers.zeitz), "/leistungen/sperrmuell/")
    assert "<h1>Sperrmüll abholen lassen</h1>" in german
    assert "Abholtermin für Sperrmüll beantragen." in german, "no own summary: the catalogue's"
    assert "zweimal im Jahr kostenlos" in german
    english = _page(_in("en", host_client(offers.zeitz)), "/leistungen/sperrmuell/")
    assert "<h1>Have bulky waste collected in Zeitz</h1>" in english
    assert "Request a collection date for bulky waste." in english, "the catalogue's English summary"
    assert "zweimal im Jahr" not in english, "a German text is not shown to English readers"
    assert "Sperrmüll abholen lassen" in _page(host_client(offers.zeitz)), "the list shows the own title"
    assert "Sperrmüll abholen lassen" in _page(host_client(offers.zeitz), "/?q=abholen"), "and finds it"


def test_an_emptied_field_returns_to_the_catalogue_text(offers) -> None:
    _set_texts(offers.zeitz, {"de": {"title": "Sperrmüll abholen lassen"}})
    admin = signed_in_client(offers.zeitz, "admin@zeitz.example")
    assert 'value="Sperrmüll abholen lassen"' in _page(admin, TEXTS_PAGE), "the form shows what was entered"
    assert admin.post(TEXTS_PAGE, {"de-title": ""}).status_code == 302
    assert "<h1>Sperrmüllabholung anmelden</h1>" in _page(host_client(offers.zeitz), "/leistungen/sperrmuell/")
    with tenant_context(offers.zeitz):
        assert Activation.objects.get(service__slug="sperrmuell").texts == {}


def test_sorbian_readers_see_the_sorbian_text_then_the_communes_german_one(offers) -> None:
    with tenant_context(offers.zeitz):
        branding_services.update_branding(commune=offers.zeitz, actor="test", regional_language="hsb")
    admin = signed_in_client(offers.zeitz, "admin@zeitz.example")
    assert 'name="hsb-title"' in _page(admin, TEXTS_PAGE)
    admin.post(
        TEXTS_PAGE,
        {
            "de-title": "Sperrmüll abholen lassen",
            "de-summary": "Termin online buchen.",
            "hsb-title": "Wotwoz wulkich wotpadkow",
        },
    )
    sorbian = _page(_in("hsb", host_client(offers.zeitz)), "/leistungen/sperrmuell/")
    assert "<h1>Wotwoz wulkich wotpadkow</h1>" in sorbian
    assert "Termin online buchen." in sorbian, "no Sorbian summary: the commune's German one"


def test_texts_are_validated(offers) -> None:
    admin = signed_in_client(offers.zeitz, "admin@zeitz.example")
    response = admin.post(TEXTS_PAGE, {"de-title": "x" * 201})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    with pytest.raises(ValidationError, match=r"texts\.fr"):
        _set_texts(offers.zeitz, {"fr": {"title": "Encombrants"}})
    with pytest.raises(ValidationError, match=r"texts\.en\.leichte_sprache"):
        _set_texts(offers.zeitz, {"en": {"leichte_sprache": "Easy read is German only"}})


def test_a_cached_page_changes_when_the_commune_changes_its_texts(offers) -> None:
    client = host_client(offers.zeitz)
    for path in ("/", "/leistungen/sperrmuell/"):
        _page(client, path)
        assert client.get(path)[page_cache.HEADER] == "hit"
    _set_texts(offers.zeitz, {"de": {"title": "Sperrmüll abholen lassen"}})
    for path in ("/", "/leistungen/sperrmuell/"):
        response = client.get(path)
        assert response[page_cache.HEADER] == "miss", path
        assert "Sperrmüll abholen lassen" in response.content.decode(), path


def test_one_communes_texts_never_show_in_another_communes_portal(offers) -> None:
    borna = host_client(offers.borna)
    _page(borna, "/leistungen/sperrmuell/")  # cached before the change
    _set_texts(offers.zeitz, {"de": {"title": "Sperrmüll abholen lassen", "leichte_sprache": "Nur in Zeitz."}})
    zeitz_page = _page(host_client(offers.zeitz), "/leistungen/sperrmuell/")
    assert "Sperrmüll abholen lassen" in zeitz_page
    for path in ("/", "/leistungen/sperrmuell/", "/leistungen/sperrmuell/leichte-sprache/"):
        for _round in range(2):  # rendered and then served from the page cache
            page = _page(host_client(offers.borna), path)
            assert "Sperrmüll abholen lassen" not in page, path
            assert "Nur in Zeitz." not in page, path
    borna_admin = signed_in_client(offers.borna, "admin@borna.example")
    assert "Sperrmüll abholen lassen" not in _page(borna_admin, TEXTS_PAGE)
    assert borna_admin.get("/api/v1/activations/sperrmuell/").json()["texts"] == {}


def test_the_leichte_sprache_page_is_linked_where_a_text_exists(offers) -> None:
    service = _page(host_client(offers.zeitz), "/leistungen/sperrmuell/")
    assert 'href="/leistungen/sperrmuell/leichte-sprache/"' in service, "the catalogue has a text for it"
    easy = _page(_in("en", host_client(offers.zeitz)), "/leistungen/sperrmuell/leichte-sprache/")
    assert '<article lang="de"' in easy, "German content, also inside an English page"
    assert "Das nennt man Sperr-Müll." in easy
    assert "in Leichter Sprache" in easy

    without = _page(host_client(offers.zeitz), "/leistungen/maengelmelder/")
    assert "leichte-sprache" not in without, "no text, no link"
    assert host_client(offers.zeitz).get("/leistungen/maengelmelder/leichte-sprache/").status_code == 404


def test_a_commune_writes_its_own_leichte_sprache_text(offers) -> None:
    Service.objects.filter(slug="sperrmuell").update(leichte_sprache="")
    assert "leichte-sprache" not in _page(host_client(offers.zeitz), "/leistungen/sperrmuell/")
    admin = signed_in_client(offers.zeitz, "admin@zeitz.example")
    admin.post(TEXTS_PAGE, {"de-leichte_sprache": "Die Stadt Zeitz holt alte Möbel ab."})
    assert 'href="/leistungen/sperrmuell/leichte-sprache/"' in _page(
        host_client(offers.zeitz), "/leistungen/sperrmuell/"
    )
    assert "Die Stadt Zeitz holt alte Möbel ab." in _page(
        host_client(offers.zeitz), "/leistungen/sperrmuell/leichte-sprache/"
    )
    assert "leichte-sprache" not in _page(host_client(offers.borna), "/leistungen/sperrmuell/")


def test_the_api_shows_and_replaces_the_texts(offers) -> None:
    admin = signed_in_client(offers.zeitz, "admin@zeitz.example")
    url = "/api/v1/activations/sperrmuell/texts/"
    replaced = admin.put(
        url, {"texts": {"de": {"title": " Sperrmüll abholen lassen "}}}, content_type="application/json"
    )
    assert replaced.status_code == 200
    assert replaced.json()["texts"] == {"de": {"title": "Sperrmüll abholen lassen"}}
    assert admin.get("/api/v1/activations/sperrmuell/").json()["texts"] == {"de": {"title": "Sperrmüll abholen lassen"}}
    offered = host_client(offers.zeitz).get("/api/v1/services/sperrmuell/")
    assert offered.json()["texts"] == {"de": {"title": "Sperrmüll abholen lassen"}}, "the portal API too"
    assert "<h1>Sperrmüll abholen lassen</h1>" in _page(host_client(offers.zeitz), "/leistungen/sperrmuell/")
    wrong = admin.put(url, {"texts": {"xx": {"title": "?"}}}, content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "texts.xx"
    assert admin.put(url, {"texts": {}, "colour": "blue"}, content_type="application/json").status_code == 400
