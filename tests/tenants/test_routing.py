"""A request is answered by the platform, by exactly one commune, or by nobody."""

import pytest
from django_tenants.utils import tenant_context

from branding import services as branding
from tenants import actions
from tests.helpers import host_client

pytestmark = pytest.mark.django_db


def test_platform_host_serves_the_landing_page_finding_live_communes(communes, platform_client) -> None:
    response = platform_client.get("/?q=Zeitz")
    assert response.status_code == 200
    assert "Zeitz" in response.content.decode()
    assert "http://zeitz.localhost:8000" in response.content.decode() or "zeitz.localhost" in response.content.decode()


def test_commune_host_serves_that_communes_portal(communes, zeitz_client) -> None:
    response = zeitz_client.get("/")
    assert response.status_code == 200
    assert response.context["commune"] == communes.zeitz
    assert "Burgenlandkreis" in response.content.decode()


def test_unknown_host_gets_404_page_not_the_platform_or_a_commune(communes) -> None:
    client = host_client()
    response = client.get("/", HTTP_HOST="nirgendwo.localhost")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Zeitz" not in body
    assert "Borna" not in body
    assert response.templates[0].name == "tenants/unknown_host.html"


def test_foreign_host_gets_404_even_outside_the_platform_domain(communes) -> None:
    response = host_client().get("/", HTTP_HOST="evil.example.org")
    assert response.status_code == 404


def test_unknown_host_on_the_api_gets_a_problem_document(communes) -> None:
    response = host_client().get("/api/v1/commune/", HTTP_HOST="nirgendwo.localhost")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_commune_api_describes_only_its_own_commune(communes, zeitz_client, borna_client) -> None:
    assert zeitz_client.get("/api/v1/commune/").json()["ags"] == "15084590"
    assert borna_client.get("/api/v1/commune/").json()["ags"] == "14729050"


def test_platform_paths_do_not_exist_on_a_commune_host(zeitz_client) -> None:
    assert zeitz_client.get("/api/v1/communes/").status_code == 404


def test_suspended_commune_answers_503_on_portal_and_api_and_the_other_commune_is_unaffected(
    communes, zeitz_client, borna_client
) -> None:
    actions.suspend_commune(communes.zeitz, actor="operator:test", reason="Zahlungsverzug")

    page = zeitz_client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 503
    assert "vorübergehend nicht verfügbar" in page.content.decode()
    assert page["Retry-After"]

    api = zeitz_client.get("/api/v1/commune/")
    assert api.status_code == 503
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["type"].endswith("commune-suspended")

    assert borna_client.get("/").status_code == 200
    assert borna_client.get("/api/v1/commune/").status_code == 200

    actions.reactivate_commune(communes.zeitz, actor="operator:test")
    assert zeitz_client.get("/").status_code == 200


def test_a_suspended_communes_api_answer_names_it_as_its_citizens_know_it(communes, zeitz_client) -> None:
    with tenant_context(communes.zeitz):
        branding.update_branding(commune=communes.zeitz, actor="admin", display_name="Zeitz an der Weißen Elster")
    actions.suspend_commune(communes.zeitz, actor="operator:test", reason="Zahlungsverzug")

    problem = zeitz_client.get("/api/v1/commune/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert problem["detail"] == "The services of Zeitz an der Weißen Elster are temporarily unavailable."


def test_openapi_document_and_swagger_ui_exist_on_both_kinds_of_host(communes, platform_client, zeitz_client) -> None:
    public_schema = platform_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    tenant_schema = zeitz_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/communes/" in public_schema["paths"]
    assert "/api/v1/commune/" in tenant_schema["paths"]
    assert "/api/v1/communes/" not in tenant_schema["paths"]
    assert platform_client.get("/api/docs/").status_code == 200
    assert zeitz_client.get("/api/docs/").status_code == 200


def test_every_response_carries_a_request_id(zeitz_client) -> None:
    response = zeitz_client.get("/", HTTP_X_REQUEST_ID="trace-12345678")
    assert response["X-Request-ID"] == "trace-12345678"


def test_verified_custom_host_routes_to_its_commune_and_unverified_does_not(communes) -> None:
    from django.utils import timezone

    from tenants.models import Domain

    Domain.objects.create(
        domain="service.zeitz.de", tenant=communes.zeitz, is_primary=False, verified_at=timezone.now()
    )
    Domain.objects.create(domain="service.borna.de", tenant=communes.borna, is_primary=False, verified_at=None)
    client = host_client()
    verified = client.get("/", HTTP_HOST="service.zeitz.de")
    assert verified.status_code == 200
    assert verified.context["commune"] == communes.zeitz
    assert client.get("/", HTTP_HOST="service.borna.de").status_code == 404
