"""Hostile input is a 4xx naming the field, never a 500, and nothing is stored (issue 13)."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django_tenants.utils import tenant_context

from citizen_requests.models import CitizenRequest
from tests.catalog_helpers import BULKY_WASTE, activate, post_form
from tests.helpers import host_client

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def zeitz_offers(catalogue, communes):  # type: ignore[no-untyped-def]
    activate(communes.zeitz, "sperrmuell")
    return communes


def submit(client, raw: str | bytes):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/requests/", raw, content_type="application/json")


def stored(commune) -> int:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        return CitizenRequest.objects.count()


def _body(**data_overrides) -> dict:  # type: ignore[no-untyped-def]
    return {"service": "sperrmuell", "email": "erika@example.org", "data": {**BULKY_WASTE, **data_overrides}}


def _errors(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {error["field"]: error["message"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (json.dumps(_body(vorname="Eri\u0000ka")), "data.vorname"),
        (json.dumps({**_body(), "email": "erika\u0000@example.org"}), "email"),
        (json.dumps(_body()).replace('"volumen": 2', '"volumen": NaN'), "data.volumen"),
        (json.dumps(_body()).replace('"volumen": 2', '"volumen": -Infinity'), "data.volumen"),
        (json.dumps(_body()).replace('"volumen": 2', '"volumen": 1e999'), "data.volumen"),
        (json.dumps(_body(volumen=2**40 * 2**20)), "data.volumen"),
        (json.dumps(_body(**{"k\u0000ey": 1})), "data.key"),
    ],
)
def test_nul_and_non_finite_numbers_in_json_are_400_naming_the_field(zeitz_offers, zeitz_client, raw, field) -> None:
    response = submit(zeitz_client, raw)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert field in _errors(response)
    assert stored(zeitz_offers.zeitz) == 0


def test_json_nested_5000_deep_is_400_not_a_recursion_error(zeitz_offers, zeitz_client) -> None:
    response = submit(zeitz_client, "[" * 5000 + "]" * 5000)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert "32" in response.json()["detail"], "the limit is named"
    deep = json.dumps(_body(gegenstaende=json.loads("[" * 40 + "]" * 40)))
    response = submit(zeitz_client, deep)
    assert response.status_code == 400
    assert any(field.startswith("data.gegenstaende") for field in _errors(response))
    assert stored(zeitz_offers.zeitz) == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_a_10_mb_post_is_a_413_problem_document(zeitz_offers, zeitz_client) -> None:
    raw = json.dumps(_body(gegenstaende="x" * (10 * 1024 * 1024)))
    response = submit(zeitz_client, raw)
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    with_key = zeitz_client.post("/api/v1/requests/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big")
    assert with_key.status_code == 413
    assert with_key["Content-Type"] == PROBLEM
    assert stored(zeitz_offers.zeitz) == 0


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/municipalities/?search=%00", "search"),
        ("/api/v1/catalog/services/?search=%00", "search"),
        ("/api/v1/catalog/services/?cursor=%00", "cursor"),
        ("/api/v1/catalog/services/?category=a%00b", "category"),
    ],
)
def test_nul_in_query_parameters_is_400_naming_the_parameter(communes, path, parameter) -> None:
    response = host_client().get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert parameter in _errors(response)


def test_nul_in_query_parameters_of_pages_is_a_400_sentence(zeitz_offers, zeitz_client) -> None:
    response = zeitz_client.get("/?q=%00")
    assert response.status_code == 400
    assert "q" in response.content.decode()


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-Infinity", "1e999", "Inf"])
def test_non_finite_numbers_in_the_request_form_are_a_message(zeitz_offers, zeitz_client, value) -> None:
    response = post_form(zeitz_client, "sperrmuell", {**BULKY_WASTE, "volumen": value})
    assert response.status_code == 400
    assert "field-volumen-error" in response.content.decode()
    assert stored(zeitz_offers.zeitz) == 0


def test_nul_in_a_request_form_field_is_a_message(zeitz_offers, zeitz_client) -> None:
    response = post_form(zeitz_client, "sperrmuell", {**BULKY_WASTE, "nachname": "Muster\u0000mann"})
    assert response.status_code == 400
    assert "field-nachname-error" in response.content.decode()
    assert stored(zeitz_offers.zeitz) == 0


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_too_many_query_parameters_are_a_400_problem(communes) -> None:
    query = "&".join(f"p{i}=1" for i in range(20))
    response = host_client().get(f"/api/v1/catalog/services/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
