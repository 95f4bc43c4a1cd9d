"""The portal's page cache: hits for anonymous visitors, per commune and language, invalidation."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django_tenants.utils import tenant_context

from activations.models import Activation
from activations.services import deactivate_service
from branding.services import update_branding
from catalog.models import Service
from portal import page_cache
from tests.catalog_helpers import activate
from tests.helpers import host_client, signed_in_client
from tests.tenants.test_isolation import CACHE_BACKENDS

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def offers(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(communes.zeitz, "sperrmuell", office_name="Abfallwirtschaft Zeitz")
    activate(communes.borna, "ladesaeule-oeffentlicher-raum")
    return communes


def _served(client: Client, path: str = "/") -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    return response.get(page_cache.HEADER, ""), response.content.decode()


def test_anonymous_visitors_get_the_cached_page_with_their_own_csrf_token(offers) -> None:
    first, second = host_client(offers.zeitz), Client(HTTP_HOST=offers.zeitz.primary_host, enforce_csrf_checks=True)
    assert _served(first)[0] == "miss"
    state, page = _served(second)
    assert state == "hit"
    assert "Sperrmüllabholung" in page
    token = TOKEN.search(page)
    assert token
    assert token.group(1) != page_cache.CSRF_PLACEHOLDER.decode()
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value
    # the token of the cached page works for this visitor: the language switch is accepted
    switched = second.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token.group(1)})
    assert switched.status_code == 302


def test_a_cached_page_carries_the_style_nonce_its_policy_names(offers) -> None:
    """The commune's colours are an inline style block: on a hit its nonce must be this response's."""
    host_client(offers.zeitz).get("/")
    response = Client(HTTP_HOST=offers.zeitz.primary_host).get("/")
    assert response[page_cache.HEADER] == "hit"
    nonce = re.search(r'<style nonce="([^"]+)"', response.content.decode())
    assert nonce
    assert f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]


def test_a_cached_page_never_appears_on_another_communes_host(offers) -> None:
    assert _served(host_client(offers.zeitz))[0] == "miss"
    state, page = _served(host_client(offers.borna))
    assert state == "miss"
    assert "Zeitz" not in page
    assert "Sperrmüll" not in page
    assert "Ladesäule" in page


def test_a_stored_page_under_another_communes_key_is_refused(offers) -> None:
    """Even if a key collided (a bug, a shared Redis with a wrong prefix), the schema is checked."""
    _served(host_client(offers.zeitz))
    pages = caches["pages"]
    zeitz_key = next(key for key in pages._cache if ":page:zeitz:" in key)  # type: ignore[attr-defined]
    stored = pages.get(zeitz_key.split(":", 2)[2])
    borna_generation, catalog_generation = page_cache._generations(offers.borna.schema_name)
    pages.set(f"page:{offers.borna.schema_name}:{borna_generation}:{catalog_generation}:de:/", stored)

    state, page = _served(host_client(offers.borna))
    assert state == "miss"
    assert "Sperrmüll" not in page


def test_pages_are_cached_per_language(offers) -> None:
    german, english = host_client(offers.zeitz), host_client(offers.zeitz)
    english.cookies["django_language"] = "en"
    _served(german)
    state, page = _served(english)
    assert state == "miss"
    assert 'lang="en"' in page
    assert _served(english)[0] == "hit"


def test_signed_in_visitors_and_query_strings_bypass_the_cache(offers) -> None:
    admin = signed_in_client(offers.zeitz, "admin@zeitz.example")
    assert _served(admin)[0] == ""
    assert "Sign out" in _served(admin)[1] or "Abmelden" in _served(admin)[1]
    state, page = _served(host_client(offers.zeitz))
    assert state == "miss"
    assert "admin@zeitz.example" not in page
    assert _served(host_client(offers.zeitz), "/?q=sperr")[0] == ""


def test_a_cached_page_sends_no_cookie_of_the_visitor_who_caused_it(offers) -> None:
    first = host_client(offers.zeitz)
    _served(first)
    second = Client(HTTP_HOST=offers.zeitz.primary_host)
    response = second.get("/")
    assert response[page_cache.HEADER] == "hit"
    assert first.cookies["csrftoken"].value not in response.content.decode()
    assert all(morsel.value != first.cookies["csrftoken"].value for morsel in response.cookies.values())


def test_changed_activations_invalidate_the_communes_pages(offers) -> None:
    client = host_client(offers.zeitz)
    _served(client)
    _served(client, "/leistungen/sperrmuell/")
    with tenant_context(offers.zeitz):
        deactivate_service(Activation.objects.get(service__slug="sperrmuell"), actor="test")
    state, page = _served(client)
    assert state == "miss"
    assert "Sperrmüll" not in page
    assert client.get("/leistungen/sperrmuell/").status_code == 404


def test_changed_branding_invalidates_only_that_communes_pages(offers) -> None:
    zeitz, borna = host_client(offers.zeitz), host_client(offers.borna)
    _served(zeitz)
    _served(borna)
    with tenant_context(offers.zeitz):
        update_branding(commune=offers.zeitz, actor="test", display_name="Stadtverwaltung Zeitz")
    state, page = _served(zeitz)
    assert state == "miss"
    assert "Stadtverwaltung Zeitz" in page
    assert _served(borna)[0] == "hit"


def test_a_catalogue_change_invalidates_every_communes_pages(offers) -> None:
    zeitz, borna = host_client(offers.zeitz), host_client(offers.borna)
    _served(zeitz)
    _served(borna)
    service = Service.objects.get(slug="sperrmuell")
    service.title_de = "Sperrmüll abholen lassen"
    service.save()
    state, page = _served(zeitz)
    assert state == "miss"
    assert "Sperrmüll abholen lassen" in page
    assert _served(borna)[0] == "miss"


def test_the_branding_cache_keeps_every_commune_of_a_worker_with_many_communes(communes) -> None:
    from tenants.db import connection

    schemas = [f"commune_{number}" for number in range(1500)]
    for schema in schemas:
        connection.set_schema(schema)
        cache.set("branding:v1", schema)
    for schema in schemas:
        connection.set_schema(schema)
        assert cache.get("branding:v1") == schema


@pytest.mark.parametrize("backend", list(CACHE_BACKENDS))
def test_cached_pages_stay_with_their_commune_on_every_cache_backend(offers, settings, backend) -> None:
    settings.CACHES = {**settings.CACHES, "pages": {**CACHE_BACKENDS[backend], "KEY_PREFIX": "test-pages"}}
    caches["pages"].clear()
    zeitz, borna = host_client(offers.zeitz), host_client(offers.borna)
    assert _served(zeitz)[0] == "miss"
    assert _served(zeitz)[0] == "hit"
    state, page = _served(borna)
    assert state == "miss"
    assert "Sperrmüll" not in page
    assert _served(borna)[0] == "hit"
    caches["pages"].clear()
