"""Catalogue management by operators: draft, publish and retire versions in the console and the API."""

import json
from typing import Any, cast

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from activations.models import Activation
from activations.services import activate_service
from audit.models import AuditEvent
from catalog.models import ServiceVersion
from operators.models import Role, ServiceUsage
from tests.factories import SIMPLE_FORM, ServiceVersionFactory
from tests.helpers import host_client, signed_in_client

pytestmark = pytest.mark.django_db

NEW_FORM: dict[str, Any] = json.loads(json.dumps(SIMPLE_FORM))
NEW_FORM["properties"]["termin"] = {"type": "string", "format": "date", "title": "Termin"}


@pytest.fixture
def sperrmuell(communes) -> ServiceVersion:  # type: ignore[no-untyped-def]
    """Sperrmüll with version 1 published."""
    version = ServiceVersionFactory(
        service__slug="sperrmuell", service__title_de="Sperrmüllabholung", min_fee="0.00", max_fee="40.00"
    )
    return cast(ServiceVersion, version)


def _draft_post(**changes: Any) -> dict[str, Any]:
    data = {
        "form_schema": json.dumps(NEW_FORM),
        "ui_schema": "{}",
        "min_fee": "0",
        "max_fee": "50",
        "default_fee": "25",
        "online_submission_allowed": "on",
        "changelog": "Neues Feld Termin",
    }
    return {**data, **changes}


def test_viewer_sees_the_catalogue_but_cannot_change_it(operator_client, sperrmuell) -> None:
    client = operator_client(Role.VIEWER).client
    page = client.get("/operator/catalog/")
    assert page.status_code == 200
    assert "Sperrmüllabholung" in page.content.decode()
    detail = client.get("/operator/catalog/sperrmuell/").content.decode()
    assert "/operator/catalog/sperrmuell/draft/" not in detail
    assert client.get("/operator/catalog/sperrmuell/draft/").status_code == 403
    assert client.post("/operator/catalog/sperrmuell/draft/", _draft_post()).status_code == 403
    ServiceVersionFactory(service=sperrmuell.service, number=2, status=ServiceVersion.Status.DRAFT)
    assert client.post("/operator/catalog/sperrmuell/versions/2/publish/").status_code == 403
    assert client.post("/operator/catalog/sperrmuell/versions/1/retire/").status_code == 403
    assert list(sperrmuell.service.versions.values_list("number", "status")) == [(2, "draft"), (1, "published")]


def test_operator_drafts_and_publishes_while_communes_stay_on_their_version(
    operator_client, sperrmuell, communes
) -> None:
    with tenant_context(communes.zeitz):
        activate_service(service_slug="sperrmuell", actor="admin@zeitz.example")
    ServiceUsage.objects.create(service=sperrmuell.service, active_communes=1, refreshed_at=timezone.now())
    client = operator_client(Role.OPERATOR).client

    form = client.get("/operator/catalog/sperrmuell/draft/").content.decode()
    assert "40.00" in form  # prefilled from version 1
    response = client.post("/operator/catalog/sperrmuell/draft/", _draft_post())
    assert response.status_code == 302
    draft = sperrmuell.service.versions.get(number=2)
    assert (draft.status, draft.form_schema, draft.max_fee) == ("draft", NEW_FORM, 50)

    confirm = client.get("/operator/catalog/sperrmuell/versions/2/publish/", HTTP_ACCEPT_LANGUAGE="en")
    assert "1 commune runs an older version" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"  # showing the confirmation changes nothing
    assert client.post("/operator/catalog/sperrmuell/versions/2/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"

    with tenant_context(communes.zeitz):
        assert Activation.objects.get(service__slug="sperrmuell").version_id == sperrmuell.pk
    actions = set(AuditEvent.objects.filter(target="sperrmuell").values_list("action", "actor"))
    assert {
        ("catalog.version_drafted", "operator:operator@provider.example"),
        ("catalog.version_published", "operator:operator@provider.example"),
    } <= actions


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"form_schema": "{'type': 'object'"}, "form_schema", "not valid JSON"),
        ({"form_schema": json.dumps({"type": "objekt", "properties": {}})}, "form_schema", "not a valid JSON Schema"),
        ({"form_schema": json.dumps({"type": "array"})}, "form_schema", "describe an object"),
        ({"max_fee": "10", "min_fee": "20"}, "max_fee", "highest fee must not be below"),
        ({"default_fee": "99"}, "default_fee", "default fee must lie between"),
    ],
)
def test_invalid_drafts_are_refused_with_a_message_and_store_nothing(
    operator_client, sperrmuell, changes, field, message
) -> None:
    client = operator_client(Role.OPERATOR).client
    response = client.post("/operator/catalog/sperrmuell/draft/", _draft_post(**changes), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert sperrmuell.service.versions.count() == 1
    assert not AuditEvent.objects.filter(action="catalog.version_drafted").exists()


def test_invalid_schema_message_is_german_by_default(operator_client, sperrmuell) -> None:
    client = operator_client(Role.OPERATOR).client
    response = client.post("/operator/catalog/sperrmuell/draft/", _draft_post(form_schema="[1,"))
    assert "kein gültiges JSON" in response.content.decode()


def test_operator_retires_a_version_once(operator_client, sperrmuell) -> None:
    client = operator_client(Role.OPERATOR).client
    assert client.get("/operator/catalog/sperrmuell/versions/1/retire/").status_code == 200
    assert client.post("/operator/catalog/sperrmuell/versions/1/retire/").status_code == 302
    sperrmuell.refresh_from_db()
    assert sperrmuell.status == "retired"
    again = client.post("/operator/catalog/sperrmuell/versions/1/retire/", HTTP_ACCEPT_LANGUAGE="en")
    assert "already retired" in again.content.decode()
    assert AuditEvent.objects.filter(action="catalog.version_retired", target="sperrmuell").count() == 1
    assert client.post("/operator/catalog/sperrmuell/versions/9/retire/").status_code == 404


def test_api_lists_for_viewers_and_changes_for_operators(api_token, sperrmuell, communes) -> None:
    with tenant_context(communes.borna):
        activate_service(service_slug="sperrmuell", actor="admin@borna.example")
    client = host_client()
    viewer, operator = api_token(Role.VIEWER), api_token(Role.OPERATOR)
    listing = client.get("/api/v1/operator/catalog/services/", **viewer)
    assert listing.status_code == 200
    entry = next(s for s in listing.json()["results"] if s["slug"] == "sperrmuell")
    assert [(v["number"], v["status"]) for v in entry["versions"]] == [(1, "published")]

    body = {"form_schema": NEW_FORM, "min_fee": "0", "max_fee": "50", "changelog": "Termin"}
    url = "/api/v1/operator/catalog/services/sperrmuell/versions/"
    assert client.post(url, body, content_type="application/json", **viewer).status_code == 403
    created = client.post(url, body, content_type="application/json", **operator)
    assert created.status_code == 201
    assert (created.json()["number"], created.json()["status"]) == (2, "draft")
    assert client.post(f"{url}2/publish/", **viewer).status_code == 403
    published = client.post(f"{url}2/publish/", **operator)
    assert published.json()["status"] == "published"
    assert client.post(f"{url}2/publish/", **operator).status_code == 400
    assert client.post(f"{url}1/retire/", **viewer).status_code == 403
    assert client.post(f"{url}1/retire/", **operator).json()["status"] == "retired"
    with tenant_context(communes.borna):
        assert Activation.objects.get(service__slug="sperrmuell").version_id == sperrmuell.pk


def test_api_refuses_an_invalid_schema_naming_the_field(api_token, sperrmuell) -> None:
    response = host_client().post(
        "/api/v1/operator/catalog/services/sperrmuell/versions/",
        {"form_schema": {"type": "objekt", "properties": {}}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **api_token(Role.OPERATOR),
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "form_schema" in json.dumps(response.json())
    assert sperrmuell.service.versions.count() == 1


def test_nothing_of_it_exists_on_a_commune_host(communes, sperrmuell, api_token) -> None:
    token = api_token(Role.ADMIN)
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    for path in ("/operator/catalog/", "/operator/catalog/sperrmuell/", "/operator/catalog/sperrmuell/draft/"):
        assert admin.get(path).status_code == 404
    assert admin.post("/operator/catalog/sperrmuell/versions/1/retire/").status_code == 404
    api = host_client(communes.zeitz)
    assert api.get("/api/v1/operator/catalog/services/", **token).status_code == 404
    assert api.post("/api/v1/operator/catalog/services/sperrmuell/versions/1/retire/", **token).status_code == 404
    sperrmuell.refresh_from_db()
    assert sperrmuell.status == "published"
