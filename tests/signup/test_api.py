"""The onboarding API: directory search, applications, operator decisions."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signup.models import Application
from tests.signup.helpers import API_APPLICATION as BODY
from tests.signup.helpers import links_in_last_mail, path_of, submit

pytestmark = pytest.mark.django_db


def post(client, body, **extra):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/signups/", body, content_type="application/json", **extra)


def test_search_marks_taken_communes_in_one_query(communes, platform_client) -> None:
    submit(ags="14713000")
    with CaptureQueriesContext(connection) as queries:
        response = platform_client.get("/api/v1/municipalities/?search=Bor")
    assert response.status_code == 200
    borna = next(item for item in response.json() if item["ags"] == "14729050")
    assert borna["taken"] is True
    assert borna["name"] == "Borna"
    assert any(item["taken"] is False for item in response.json())
    assert len(queries) <= 2  # the search (and nothing per row)
    leipzig = platform_client.get("/api/v1/municipalities/?search=14713000").json()
    assert leipzig == [{**leipzig[0], "taken": True}]


def test_application_is_created_and_followed_by_its_id(communes, platform_client) -> None:
    response = post(platform_client, BODY)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_review"
    assert body["email_verified"] is False
    assert [step["done"] for step in body["steps"]] == [False] * 8
    uuid.UUID(body["id"])  # unguessable: a random UUID
    assert platform_client.get(f"/api/v1/signups/{body['id']}/").json()["commune_name"] == "Leipzig"
    assert platform_client.get(f"/api/v1/signups/{uuid.uuid4()}/").status_code == 404


def test_bad_input_names_the_field_and_stores_nothing(communes, platform_client) -> None:
    for field, value in (("leitweg_id", "04011000-1234512345-07"), ("ags", "123"), ("applicant_email", "nope")):
        response = post(platform_client, {**BODY, field: value})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == [field]
    response = post(platform_client, {**BODY, "accept_dpa": False})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "accept_dpa"
    response = post(platform_client, {**BODY, "services": ["gibt-es-nicht"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "services"
    assert not Application.objects.exists()


def test_second_application_for_a_commune_gets_409(communes, platform_client) -> None:
    assert post(platform_client, BODY).status_code == 201
    response = post(platform_client, {**BODY, "applicant_email": "other@leipzig.de"})
    assert response.status_code == 409
    assert "Leipzig" in response.json()["detail"]
    response = post(platform_client, {**BODY, "ags": "15084590"})  # Zeitz uses Kommunal already
    assert response.status_code == 409


def test_services_and_billing_may_follow_until_the_address_is_verified(
    communes, published_service, platform_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application_id = post(platform_client, BODY).json()["id"]
    url = f"/api/v1/signups/{application_id}/"
    patch = {"services": ["anwohnerparken"], "invoice_postcode": "04109", "leitweg_id": "04011000-1234512345-06"}
    response = platform_client.patch(url, patch, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["services"] == ["anwohnerparken"]
    response = platform_client.patch(url, {"leitweg_id": "04011000-1234512345-07"}, content_type="application/json")
    assert response.status_code == 400
    platform_client.post(path_of(links_in_last_mail("amt@leipzig.de")[0]))
    response = platform_client.patch(url, {"invoice_city": "Leipzig"}, content_type="application/json")
    assert response.status_code == 400
    assert Application.objects.get().invoice_city == ""


def test_rate_limit_per_address_answers_429_with_retry_after(communes, platform_client, settings) -> None:
    settings.SIGNUP_RATE_LIMITS = {"signup-email": (1, 3600)}
    assert post(platform_client, BODY).status_code == 201
    response = post(platform_client, {**BODY, "ags": "14628110"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response["Content-Type"] == "application/problem+json"


def test_rate_limit_per_client_address(communes, platform_client, settings) -> None:
    settings.SIGNUP_RATE_LIMITS = {"signup-ip": (1, 60)}
    assert post(platform_client, BODY).status_code == 201
    response = post(platform_client, {**BODY, "ags": "14628110", "applicant_email": "x@freital.de"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 60
    other = post(platform_client, {**BODY, "ags": "14628110"}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code != 429


def test_response_does_not_reveal_known_addresses(
    communes, platform_client, django_capture_on_commit_callbacks
) -> None:
    submit(ags="14628110", email="known@example.de")
    with django_capture_on_commit_callbacks(execute=True):
        known = post(platform_client, {**BODY, "applicant_email": "known@example.de"})
        unknown = post(platform_client, {**BODY, "ags": "14729250", "applicant_email": "new@example.de"})
    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json())
    assert {message.to[0] for message in mail.outbox} == {"known@example.de", "new@example.de"}


def test_operator_api_approves_and_rejects_with_an_operator_token_only(
    communes, template_schema, operator_token, operator_client, platform_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()
    approve = f"/api/v1/operator/signups/{application.pk}/approve"
    assert platform_client.post(approve).status_code == 401
    assert operator_client.post(approve).status_code == 401  # the console's session is no API credential
    response = platform_client.post(approve, **operator_token)
    assert response.status_code == 400  # not verified yet
    platform_client.post(path_of(links_in_last_mail("amt@leipzig.de")[0]))
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post(approve, **operator_token)
    assert response.status_code == 200
    assert response.json()["status"] == "provisioning"
    followed = platform_client.get(f"/api/v1/signups/{application.pk}/").json()
    assert followed["status"] == "active"
    assert followed["portal_url"].startswith("http")
    assert all(step["done"] for step in followed["steps"])
    other = submit(ags="14628110", email="amt@freital.de")
    reject = f"/api/v1/operator/signups/{other.pk}/reject"
    assert platform_client.post(reject, {}, content_type="application/json", **operator_token).status_code == 400
    response = platform_client.post(reject, {"reason": "Doppelt"}, content_type="application/json", **operator_token)
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


def test_openapi_documents_the_onboarding_endpoints(platform_client) -> None:
    schema = platform_client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/municipalities/", "/api/v1/signups/", "/api/v1/signups/{id}/"):
        assert path in schema["paths"]
    create = schema["paths"]["/api/v1/signups/"]["post"]
    assert create["summary"]
    assert {"201", "400", "409", "429"} <= set(create["responses"])
    assert "/api/v1/operator/signups/{id}/approve" in schema["paths"]


def test_forged_forwarded_for_does_not_escape_the_limit(communes, platform_client, settings) -> None:
    settings.SIGNUP_RATE_LIMITS = {"signup-ip": (1, 60)}
    assert post(platform_client, BODY, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 201
    body = {**BODY, "ags": "14628110", "applicant_email": "x@freital.de"}
    assert post(platform_client, body, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429
    settings.KOMMUNAL_PROXY_HOPS = 1  # behind one load balancer, its entry is the client
    assert post(platform_client, body, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.3").status_code == 201
