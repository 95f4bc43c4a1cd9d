"""The conventions every API endpoint has without declaring anything."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.models import ApiKey
from kommunal.api.deprecation import deprecated
from kommunal.api.middleware import ApiConventionsMiddleware
from tenants.db import connection
from tests.api.helpers import create_key, key_client
from tests.helpers import host_client, signed_in_client

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v2/", "/api/v1/users/abc/"])
def test_unknown_api_address_is_a_problem_document(communes, path) -> None:
    response = host_client(communes.zeitz).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["instance"] == path


def test_reads_carry_a_weak_etag_and_answer_304_when_unchanged(communes) -> None:
    client = host_client(communes.zeitz)
    first = client.get("/api/v1/commune/")
    etag = first["ETag"]
    assert etag.startswith('W/"')
    unchanged = client.get("/api/v1/commune/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert client.get("/api/v1/commune/", HTTP_IF_NONE_MATCH='W/"other"').status_code == 200


def test_the_etag_changes_with_the_content(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    before = admin.get("/api/v1/api-keys/")["ETag"]
    create_key(communes.zeitz, ["users:read"])
    after = admin.get("/api/v1/api-keys/", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before


def test_repeated_post_with_the_same_idempotency_key_is_replayed_not_repeated(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    body = {"name": "once", "scopes": ["users:read"]}
    first = admin.post("/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = admin.post("/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201
    assert second.status_code == 409, "the new key's secret is shown once, never replayed"
    assert second["Idempotent-Replayed"] == "true"
    connection.set_tenant(communes.zeitz)
    assert ApiKey.objects.filter(name="once").count() == 1


def test_same_idempotency_key_with_another_body_is_422(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    admin.post(
        "/api/v1/api-keys/", {"name": "a", "scopes": ["users:read"]}, "application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    response = admin.post(
        "/api/v1/api-keys/", {"name": "b", "scopes": ["users:read"]}, "application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    connection.set_tenant(communes.zeitz)
    assert not ApiKey.objects.filter(name="b").exists()


def test_idempotency_keys_of_different_callers_do_not_collide(communes) -> None:
    body = {"name": "mine", "scopes": ["users:read"]}
    one = key_client(communes.zeitz, create_key(communes.zeitz, ["api_keys:write", "users:read"]))
    two = key_client(communes.zeitz, create_key(communes.zeitz, ["api_keys:write", "users:read"]))
    first = one.post("/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="same")
    second = two.post("/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="same")
    assert first.status_code == second.status_code == 201
    assert first.json()["secret"] != second.json()["secret"]


@override_settings(KOMMUNAL_API_RATES={"key": 2, "user": 2, "anon": 2})
def test_rate_limit_per_caller_answers_429_with_retry_after(communes) -> None:
    cache.clear()
    client = host_client(communes.zeitz)
    statuses = [client.get("/api/v1/commune/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get("/api/v1/commune/")
    assert refused["Content-Type"] == PROBLEM
    assert int(refused["Retry-After"]) > 0
    keyed = key_client(communes.zeitz, create_key(communes.zeitz, ["commune:read"]))
    assert keyed.get("/api/v1/commune/").status_code == 200, "an API key has its own budget"
    cache.clear()


def test_rate_limit_counters_are_separate_per_commune(communes) -> None:
    with override_settings(KOMMUNAL_API_RATES={"key": 1, "user": 1, "anon": 1}):
        cache.clear()
        assert host_client(communes.zeitz).get("/api/v1/commune/").status_code == 200
        assert host_client(communes.zeitz).get("/api/v1/commune/").status_code == 429
        assert host_client(communes.borna).get("/api/v1/commune/").status_code == 200
    cache.clear()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ordering=secret", "ordering"),
        ("page_size=0", "page_size"),
        ("page_size=x", "page_size"),
        ("page_size=", "page_size"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(communes, query, field) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    response = admin.get(f"/api/v1/api-keys/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == field


def test_unknown_cursor_is_404_pointing_to_the_links(communes) -> None:
    response = signed_in_client(communes.zeitz, "admin@zeitz.example").get("/api/v1/api-keys/?cursor=zz")
    assert response.status_code == 404
    assert "cursor" in response.json()["detail"].lower()


def test_ordering_and_filtering_parameters_work(communes) -> None:
    for name in ("b-key", "a-key"):
        admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
        admin.post("/api/v1/api-keys/", {"name": name, "scopes": ["users:read"]}, "application/json")
    names = [key["name"] for key in admin.get("/api/v1/api-keys/?ordering=name").json()["results"]]
    assert names == sorted(names)
    assert admin.get("/api/v1/webhooks/?is_active=maybe").status_code == 400


def test_unsupported_method_and_media_type_are_problems(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    not_allowed = admin.put("/api/v1/api-keys/", {}, "application/json")
    assert not_allowed.status_code == 405
    assert not_allowed["Content-Type"] == PROBLEM
    assert "GET" in not_allowed["Allow"]
    unsupported = admin.post("/api/v1/api-keys/", "name=x", "text/plain")
    assert unsupported.status_code == 415
    assert unsupported["Content-Type"] == PROBLEM


def test_unhandled_error_under_api_is_a_problem_without_details() -> None:
    request = RequestFactory().get("/api/v1/anything/")
    middleware = ApiConventionsMiddleware(lambda request: Response())
    response = middleware.process_exception(request, RuntimeError("secret detail"))
    assert response is not None
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert b"secret detail" not in response.content
    assert middleware.process_exception(RequestFactory().get("/portal/"), RuntimeError()) is None


def test_deprecated_endpoint_announces_deprecation_and_sunset() -> None:
    @deprecated(since=date(2026, 12, 1), sunset=date(2027, 6, 30), link="https://example.org/migrate")
    class OldView(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def get(self, request):
            return Response({"ok": True})

    response = OldView.as_view()(RequestFactory().get("/api/v1/old/"))
    assert response["Deprecation"] == "@1796083200"
    assert response["Sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert response["Link"].startswith('<https://example.org/migrate>; rel="deprecation"')


def test_stored_idempotency_records_expire_after_a_day(communes) -> None:
    from unittest import mock

    from django.core.management import call_command
    from django.utils import timezone

    from kommunal.api.models import IdempotencyRecord

    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    body = {"name": "daily", "scopes": ["users:read"]}
    admin.post("/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="day-1")
    connection.set_tenant(communes.zeitz)
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=25)):
        call_command("purge_idempotency_keys")
    connection.set_tenant(communes.zeitz)
    assert not IdempotencyRecord.objects.exists()
    connection.set_schema_to_public()
    again = admin.post("/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="day-1")
    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
