"""The catalogue API answers on the platform host and on every commune's host."""

import pytest

from catalog import services
from catalog.models import ServiceVersion
from tests.factories import SIMPLE_FORM

pytestmark = pytest.mark.django_db


def test_catalogue_list_on_the_platform_host_pages_through_published_services(catalogue, platform_client) -> None:
    response = platform_client.get("/api/v1/catalog/services/?page_size=4")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 4
    assert body["next"]
    assert [s["slug"] for s in body["results"]] == sorted(s["slug"] for s in body["results"])
    first = body["results"][0]
    assert first["current_version"]["number"] == 1
    assert "form_schema" not in first["current_version"]


def test_catalogue_detail_carries_the_current_form(catalogue, zeitz_client) -> None:
    body = zeitz_client.get("/api/v1/catalog/services/ladesaeule-oeffentlicher-raum/").json()
    assert body["is_emobility"] is True
    assert "standort" in body["current_version"]["form_schema"]["properties"]
    assert body["current_version"]["ui_schema"]["standort"]["en"]["title"] == "Proposed location"


def test_a_draft_is_not_the_current_version(catalogue, platform_client) -> None:
    from catalog.models import Service

    service = Service.objects.get(slug="sperrmuell")
    services.create_draft_version(service, form_schema=SIMPLE_FORM, actor="op")
    body = platform_client.get("/api/v1/catalog/services/sperrmuell/").json()
    assert body["current_version"]["number"] == 1


def test_unknown_service_is_a_problem_document(catalogue, platform_client) -> None:
    response = platform_client.get("/api/v1/catalog/services/gibt-es-nicht/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_filter_by_emobility(catalogue, platform_client) -> None:
    slugs = {s["slug"] for s in platform_client.get("/api/v1/catalog/services/?emobility=true").json()["results"]}
    assert slugs == {"ladesaeule-oeffentlicher-raum", "e-fahrzeug-parkberechtigung", "sharing-registrierung"}


def test_emobility_false_lists_every_service_and_a_non_boolean_is_refused(catalogue, platform_client) -> None:
    everything = platform_client.get("/api/v1/catalog/services/?page_size=200").json()["results"]
    unfiltered = platform_client.get("/api/v1/catalog/services/?page_size=200&emobility=false").json()["results"]
    assert unfiltered == everything
    response = platform_client.get("/api/v1/catalog/services/?emobility=null")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["emobility"]


def test_catalogue_list_query_budget(catalogue, platform_client, django_assert_max_num_queries) -> None:
    # search_path, services, their published versions (prefetched), and one spare: never per row.
    with django_assert_max_num_queries(4):
        response = platform_client.get("/api/v1/catalog/services/?page_size=200")
    assert len(response.json()["results"]) == ServiceVersion.objects.values("service").distinct().count()


def test_openapi_documents_list_the_new_endpoints(communes, platform_client, zeitz_client) -> None:
    public = platform_client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/catalog/services/{slug}/" in public
    assert "/api/v1/requests/" not in public
    tenant = zeitz_client.get("/api/schema/?format=json").json()["paths"]
    assert {
        "/api/v1/catalog/services/",
        "/api/v1/activations/",
        "/api/v1/activations/{service}/upgrade/",
        "/api/v1/requests/",
        "/api/v1/requests/{tracking_number}/",
    } <= set(tenant)
    assert "400" in tenant["/api/v1/requests/"]["post"]["responses"]
