"""The citizen portal: services of the commune, the request form, confirmation and status."""

import re

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from activations.services import deactivate_service, upgrade_activation
from catalog import services as catalog_services
from catalog.models import Service
from citizen_requests import status_links
from citizen_requests.models import CitizenRequest
from tests.catalog_helpers import BULKY_WASTE, activate, post_form
from tests.helpers import host_client

pytestmark = pytest.mark.django_db
TRACKING = re.compile(r"ZEI-\d{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}")


@pytest.fixture
def zeitz_offers(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(communes.zeitz, "sperrmuell", office_name="Abfallwirtschaft Zeitz")
    activate(communes.zeitz, "ladesaeule-oeffentlicher-raum")
    return communes


def test_landing_page_lists_active_services_by_subject_area(zeitz_offers, zeitz_client) -> None:
    page = zeitz_client.get("/").content.decode()
    assert "Sperrmüllabholung anmelden" in page
    assert "Antrag Ladesäule im öffentlichen Raum" in page
    assert '<h2 id="cat-' in page
    assert "Mobilität &amp; Reisen" in page
    assert "Gewerbeanmeldung" not in page  # in the catalogue but not offered by Zeitz


def test_search_finds_services_by_title(zeitz_offers, zeitz_client) -> None:
    page = zeitz_client.get("/?q=ladesäule").content.decode()
    assert "Antrag Ladesäule" in page
    assert "Sperrmüllabholung" not in page


def test_invalid_form_shows_errors_with_summary_and_stores_nothing(zeitz_offers, zeitz_client) -> None:
    data = {**BULKY_WASTE, "plz": "6712", "volumen": "viel"}
    del data["nachname"]
    response = post_form(zeitz_client, "sperrmuell", data, email="keine-adresse")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page
    assert 'href="#field-nachname"' in page
    assert page.count("Dieses Feld ist zwingend erforderlich.") == 2
    assert 'aria-describedby="field-plz-help field-plz-error"' in page
    assert "Bitte geben Sie eine Zahl ein." in page
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein." in page
    assert 'value="Erika"' in page  # what was typed stays
    with tenant_context(zeitz_offers.zeitz):
        assert not CitizenRequest.objects.exists()


def test_errors_are_english_for_english_users(zeitz_offers, zeitz_client) -> None:
    data = {**BULKY_WASTE}
    del data["nachname"]
    page = post_form(zeitz_client, "sperrmuell", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This field is required." in page
    assert "Last name" in page


def test_submission_end_to_end(zeitz_offers, zeitz_client, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(zeitz_client, "sperrmuell", BULKY_WASTE, email="erika@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/antrag/eingegangen/"
    page = zeitz_client.get("/antrag/eingegangen/").content.decode()
    tracking_number = TRACKING.search(page).group(0)

    with tenant_context(zeitz_offers.zeitz):
        stored = CitizenRequest.objects.get(tracking_number=tracking_number)
    assert stored.data["volumen"] == 2
    assert stored.status == "received"
    assert stored.version.number == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.org"]
    assert tracking_number in message.subject
    assert tracking_number in message.body
    assert tracking_number in message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"


def test_status_page_needs_number_and_matching_email(zeitz_offers, zeitz_client) -> None:
    post_form(zeitz_client, "sperrmuell", BULKY_WASTE, email="erika@example.org")
    with tenant_context(zeitz_offers.zeitz):
        number = CitizenRequest.objects.get().tracking_number

    found = zeitz_client.post("/status/", {"tracking_number": number.lower(), "email": "ERIKA@example.org"})
    assert found.status_code == 302  # redirect after POST: a reload shows the status, it does not post again
    assert found["Location"] == status_links.status_path(zeitz_offers.zeitz.schema_name, number)
    assert "<strong>eingegangen</strong>" in zeitz_client.get(found["Location"]).content.decode()

    wrong_email = zeitz_client.post("/status/", {"tracking_number": number, "email": "max@example.org"})
    wrong_number = zeitz_client.post("/status/", {"tracking_number": "ZEI-2026-ZZZZZZ", "email": "erika@example.org"})
    assert wrong_email.status_code == wrong_number.status_code == 200
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"|nonce="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong_email.content.decode()) == strip(wrong_number.content.decode())
    assert "Sperrmüll" not in wrong_email.content.decode()


def test_deactivated_service_is_404_on_portal_and_api(zeitz_offers, zeitz_client) -> None:
    with tenant_context(zeitz_offers.zeitz):
        from activations.models import Activation

        deactivate_service(Activation.objects.get(service__slug="sperrmuell"), actor="test")
    assert zeitz_client.get("/leistungen/sperrmuell/").status_code == 404
    assert zeitz_client.get("/leistungen/sperrmuell/antrag/").status_code == 404
    assert post_form(zeitz_client, "sperrmuell", BULKY_WASTE).status_code == 404
    response = zeitz_client.post(
        "/api/v1/requests/",
        {"service": "sperrmuell", "email": "erika@example.org", "data": BULKY_WASTE},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert "Sperrmüll" not in zeitz_client.get("/").content.decode()
    assert zeitz_client.get("/api/v1/services/sperrmuell/").status_code == 404


def test_service_of_one_commune_is_not_offered_on_the_other_host(zeitz_offers) -> None:
    borna = host_client(zeitz_offers.borna)
    assert borna.get("/leistungen/sperrmuell/").status_code == 404
    assert post_form(borna, "sperrmuell", BULKY_WASTE).status_code == 404
    assert "Sperrmüll" not in borna.get("/").content.decode()


def test_request_of_one_commune_cannot_be_looked_up_on_another_host(zeitz_offers, zeitz_client) -> None:
    activate(zeitz_offers.borna, "sperrmuell")
    post_form(zeitz_client, "sperrmuell", BULKY_WASTE, email="erika@example.org")
    with tenant_context(zeitz_offers.zeitz):
        number = CitizenRequest.objects.get().tracking_number
    page = host_client(zeitz_offers.borna).post("/status/", {"tracking_number": number, "email": "erika@example.org"})
    assert number not in page.content.decode().replace(f'value="{number}"', "")


def test_new_published_version_changes_the_form_only_after_upgrade(zeitz_offers, zeitz_client) -> None:
    service = Service.objects.get(slug="sperrmuell")
    current = service.versions.get(number=1)
    schema = {**current.form_schema, "properties": {**current.form_schema["properties"]}}
    schema["properties"]["etage"] = {"type": "integer", "title": "Stockwerk", "minimum": 0}
    schema["required"] = [*current.form_schema["required"], "etage"]
    draft = catalog_services.create_draft_version(service, form_schema=schema, ui_schema=current.ui_schema, actor="op")
    catalog_services.publish_version(draft, actor="op")

    assert "Stockwerk" not in zeitz_client.get("/leistungen/sperrmuell/antrag/").content.decode()
    assert post_form(zeitz_client, "sperrmuell", BULKY_WASTE).status_code == 302  # still valid against v1

    with tenant_context(zeitz_offers.zeitz):
        from activations.models import Activation

        upgrade_activation(Activation.objects.get(service__slug="sperrmuell"), actor="test")
    assert "Stockwerk" in zeitz_client.get("/leistungen/sperrmuell/antrag/").content.decode()
    assert post_form(zeitz_client, "sperrmuell", BULKY_WASTE).status_code == 400
    with tenant_context(zeitz_offers.zeitz):
        assert list(CitizenRequest.objects.values_list("version__number", flat=True)) == [1]


def test_offered_services_api_gives_the_pinned_form_and_hides_other_communes(
    zeitz_offers, zeitz_client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(6):
        listed = zeitz_client.get("/api/v1/services/").json()["results"]
    assert {s["slug"] for s in listed} == {"sperrmuell", "ladesaeule-oeffentlicher-raum"}
    detail = zeitz_client.get("/api/v1/services/sperrmuell/").json()
    assert detail["office_name"] == "Abfallwirtschaft Zeitz"
    assert detail["form"]["number"] == 1
    assert "gegenstaende" in detail["form"]["form_schema"]["properties"]
    borna = host_client(zeitz_offers.borna)
    assert borna.get("/api/v1/services/").json()["results"] == []
    assert borna.get("/api/v1/services/sperrmuell/").status_code == 404


def test_status_lookups_are_limited_per_client(zeitz_offers, zeitz_client) -> None:
    from django.core.cache import cache

    from portal.views import STATUS_LOOKUPS_PER_WINDOW

    cache.clear()
    try:
        for _ in range(STATUS_LOOKUPS_PER_WINDOW):
            response = zeitz_client.post("/status/", {"tracking_number": "ZEI-2026-ZZZZZZ", "email": "a@example.org"})
            assert response.status_code == 200
        blocked = zeitz_client.post("/status/", {"tracking_number": "ZEI-2026-ZZZZZZ", "email": "a@example.org"})
        assert blocked.status_code == 429
        assert (
            host_client(zeitz_offers.borna)
            .post("/status/", {"tracking_number": "x", "email": "a@example.org"})
            .status_code
            == 200
        )
    finally:
        cache.clear()


def test_form_is_accessible_without_javascript(catalogue, communes, zeitz_client) -> None:
    activate(communes.zeitz, "hundesteuer")
    page = zeitz_client.get("/leistungen/hundesteuer/antrag/").content.decode()
    assert '<fieldset class="field" id="field-vorgang">' in page
    assert "<legend>Vorgang" in page  # radio group with a legend
    assert '<label for="field-plz">Postleitzahl' in page
    assert 'aria-describedby="field-plz-help"' in page
    assert '<select id="field-abgabegrund"' in page
    assert 'type="date"' in page
    assert 'step="1" inputmode="numeric"' in page
    assert "<script" not in page
    english = zeitz_client.get("/leistungen/hundesteuer/antrag/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<legend>Action" in english
    assert "Deregistration" in english
