"""API keys: created by a commune's administrator, shown once, hashed, scoped and per commune."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.models import ApiKey
from tenants.db import connection
from tests.api.helpers import create_key, key_client
from tests.helpers import host_client, signed_in_client


def test_administrator_creates_a_key_that_is_shown_once_and_stored_hashed(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    response = admin.post(
        "/api/v1/api-keys/",
        {"name": "CRM", "scopes": ["users:read"], "expires_in_days": 30},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("kk_live_")
    assert body["prefix"] == secret[:16]
    assert body["scopes"] == ["users:read"]

    listed = admin.get("/api/v1/api-keys/").json()["results"]
    assert [item["prefix"] for item in listed] == [body["prefix"]]
    assert "secret" not in listed[0]
    connection.set_tenant(communes.zeitz)
    stored = ApiKey.objects.get(pk=body["id"])
    assert stored.hashed_secret == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiKey.objects.filter(pk=body["id"]).values().get())


def test_key_reads_its_communes_users_and_is_unknown_on_another_commune(communes) -> None:
    secret = create_key(communes.zeitz, ["users:read"])
    response = key_client(communes.zeitz, secret).get("/api/v1/users/")
    assert response.status_code == 200
    assert [user["email"] for user in response.json()["results"]] == ["admin@zeitz.example"]

    refused = key_client(communes.borna, secret).get("/api/v1/users/")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'


def test_key_on_the_platform_host_is_refused(communes) -> None:
    secret = create_key(communes.zeitz, ["users:read"])
    response = key_client(None, secret).get("/api/v1/communes/")
    assert response.status_code == 401


def test_key_without_the_scope_gets_403_naming_it(communes) -> None:
    secret = create_key(communes.zeitz, ["commune:read"])
    response = key_client(communes.zeitz, secret).get("/api/v1/users/")
    assert response.status_code == 403
    assert response.json()["type"].endswith("/scope-missing")
    assert "users:read" in response.json()["detail"]
    assert key_client(communes.zeitz, secret).get("/api/v1/commune/").status_code == 200


def test_read_scope_does_not_allow_writing(communes) -> None:
    secret = create_key(communes.zeitz, ["webhooks:read"])
    client = key_client(communes.zeitz, secret)
    assert client.get("/api/v1/webhooks/").status_code == 200
    response = client.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/", "events": ["service.activated"]}, "application/json"
    )
    assert response.status_code == 403


def test_revoked_and_expired_keys_are_refused(communes) -> None:
    revoked = create_key(communes.zeitz, ["users:read"])
    expired = create_key(communes.zeitz, ["users:read"], expires_at=timezone.now() - timedelta(minutes=1))
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    connection.set_tenant(communes.zeitz)
    revoked_id = ApiKey.objects.get(prefix=revoked[:16]).pk
    connection.set_schema_to_public()
    assert admin.post(f"/api/v1/api-keys/{revoked_id}/revoke/").json()["revoked_at"] is not None

    for secret in (revoked, expired):
        response = key_client(communes.zeitz, secret).get("/api/v1/users/")
        assert response.status_code == 401
        assert response.json()["type"].endswith("/authentication-failed")


def test_last_use_is_written_at_most_once_a_minute(communes) -> None:
    secret = create_key(communes.zeitz, ["users:read"])
    client = key_client(communes.zeitz, secret)
    with CaptureQueriesContext(db_connection) as queries:
        client.get("/api/v1/users/")
        client.get("/api/v1/users/")
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "integrations_apikey"')]
    assert len(updates) == 1
    connection.set_tenant(communes.zeitz)
    assert ApiKey.objects.get(prefix=secret[:16]).last_used_at is not None


def test_a_key_cannot_create_a_key_with_more_scopes_than_it_has(communes) -> None:
    secret = create_key(communes.zeitz, ["api_keys:write"])
    client = key_client(communes.zeitz, secret)
    refused = client.post("/api/v1/api-keys/", {"name": "x", "scopes": ["users:read"]}, "application/json")
    assert refused.status_code == 403
    allowed = client.post("/api/v1/api-keys/", {"name": "x", "scopes": ["api_keys:write"]}, "application/json")
    assert allowed.status_code == 201


def test_unknown_scope_is_a_400_naming_the_field(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    response = admin.post("/api/v1/api-keys/", {"name": "x", "scopes": ["everything"]}, "application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("scopes")
    connection.set_tenant(communes.zeitz)
    assert not ApiKey.objects.filter(name="x").exists()


def test_integrations_page_creates_a_key_and_shows_the_secret_once(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    page = admin.post("/integrations/", {"key-name": "Fachverfahren", "key-scopes": ["requests:read"]})
    assert page.status_code == 200
    secret = page.context["new_secret"]
    assert secret.startswith("kk_live_")
    assert secret in page.content.decode()
    again = admin.get("/integrations/")
    assert secret not in again.content.decode()
    assert secret[:16] in again.content.decode()


def test_integrations_page_is_for_administrators_only(communes) -> None:
    assert host_client(communes.zeitz).get("/integrations/").status_code == 302


def test_a_keyed_list_request_costs_a_fixed_number_of_queries(communes) -> None:
    secret = create_key(communes.zeitz, ["users:read"])
    client = key_client(communes.zeitz, secret)
    client.get("/api/v1/users/")  # records the first use
    with CaptureQueriesContext(db_connection) as queries:
        assert client.get("/api/v1/users/").status_code == 200
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    # key -> its owner, the page of users (host -> commune is cached); no write within the minute
    assert len(statements) == 2, "\n".join(sql[:120] for sql in statements)


def test_administrators_see_the_integrations_link(communes) -> None:
    page = signed_in_client(communes.zeitz, "admin@zeitz.example").get("/")
    assert b'href="/integrations/"' in page.content
    assert b'href="/integrations/"' not in host_client(communes.zeitz).get("/").content
