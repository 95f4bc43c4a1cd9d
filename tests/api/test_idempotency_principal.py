"""Idempotency never hands out what the caller may not see (issue 13).

Records are keyed on the authenticated principal, a refused principal gets no replay, and
secrets are never stored or replayed.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from integrations.models import ApiKey
from kommunal.api.models import IdempotencyRecord
from operators import actions
from tenants.db import connection
from tests.api.helpers import create_key, key_client
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import make_operator

PROBLEM = "application/problem+json"
KEY_BODY = {"name": "integration", "scopes": ["users:read"]}


def _post_key(client, idempotency_key: str = "once", **headers):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/api-keys/", KEY_BODY, "application/json", HTTP_IDEMPOTENCY_KEY=idempotency_key, **headers
    )


def test_a_replayed_create_never_repeats_the_secret(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    first = _post_key(admin)
    assert first.status_code == 201
    secret = first.json()["secret"]

    replay = _post_key(admin)

    assert replay.status_code == 409
    assert replay["Content-Type"] == PROBLEM
    assert replay["Idempotent-Replayed"] == "true"
    body = replay.json()
    assert body["type"].endswith("/secret-shown-once")
    assert body["resource"]["id"] == first.json()["id"], "the caller learns which resource was created"
    assert secret not in replay.content.decode()
    connection.set_tenant(communes.zeitz)
    assert ApiKey.objects.filter(name="integration").count() == 1
    stored = IdempotencyRecord.objects.get()
    assert secret.encode() not in bytes(stored.body), "the stored body is redacted"


def test_webhook_signing_secret_is_not_stored_for_replay(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    body = {"url": "https://receiver.example/hook", "events": ["request.submitted"]}
    first = admin.post("/api/v1/webhooks/", body, "application/json", HTTP_IDEMPOTENCY_KEY="hook")
    assert first.status_code == 201
    replay = admin.post("/api/v1/webhooks/", body, "application/json", HTTP_IDEMPOTENCY_KEY="hook")
    assert replay.status_code == 409
    assert first.json()["secret"] not in replay.content.decode()


def test_replay_without_secrets_repeats_the_response(communes) -> None:
    connection.set_tenant(communes.zeitz)
    target = ApiKey.objects.create(
        name="old",
        prefix="kk_live_old",
        hashed_secret="x" * 64,
        scopes=[],
        created_by=User.objects.get(email="admin@zeitz.example"),
    )
    connection.set_schema_to_public()
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    path = f"/api/v1/api-keys/{target.pk}/revoke/"
    first = admin.post(path, HTTP_IDEMPOTENCY_KEY="revoke-1")
    second = admin.post(path, HTTP_IDEMPOTENCY_KEY="revoke-1")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"


def test_a_revoked_key_gets_no_replay_of_its_earlier_request(communes) -> None:
    secret = create_key(communes.zeitz, ["api_keys:write", "users:read"])
    client = key_client(communes.zeitz, secret)
    assert _post_key(client).status_code == 201
    connection.set_tenant(communes.zeitz)
    assert ApiKey.objects.filter(name="test").update(revoked_at=timezone.now()) == 1
    connection.set_schema_to_public()

    again = _post_key(client)

    assert again.status_code == 401
    assert not again.has_header("Idempotent-Replayed")


def test_a_deactivated_account_gets_no_replay(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    assert _post_key(admin).status_code == 201
    connection.set_tenant(communes.zeitz)
    User.objects.filter(email="admin@zeitz.example").update(is_active=False)
    connection.set_schema_to_public()
    again = _post_key(admin)
    assert again.status_code in (401, 403)
    assert not again.has_header("Idempotent-Replayed")


def test_the_same_non_key_authorization_header_does_not_share_a_record(communes) -> None:
    """Proxy Basic auth in front of the admin: another caller with the same header gets nothing."""
    basic = {"HTTP_AUTHORIZATION": "Basic cHJveHk6cGFzcw=="}
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    assert _post_key(admin, **basic).status_code == 201

    stranger = _post_key(host_client(communes.zeitz), **basic)

    assert stranger.status_code == 401
    assert "secret" not in stranger.json()
    assert not stranger.has_header("Idempotent-Replayed")


def test_an_operator_token_on_a_commune_host_gets_no_replay(communes) -> None:
    operator, _device = make_operator("ops@provider.example", "support", device=False)
    _token, token = actions.create_token(operator, name="t", actor="test")
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    assert _post_key(admin, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 201
    other = _post_key(host_client(communes.zeitz), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert other.status_code == 401
    assert not other.has_header("Idempotent-Replayed")


@pytest.mark.parametrize("other_body", [False, True])
def test_unauthenticated_post_with_a_used_key_is_401(communes, other_body: bool) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    assert _post_key(admin).status_code == 201
    body = {"name": "other", "scopes": ["users:read"]} if other_body else KEY_BODY
    response = host_client(communes.zeitz).post(
        "/api/v1/api-keys/", body, "application/json", HTTP_IDEMPOTENCY_KEY="once"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_records_are_keyed_on_the_principal_not_on_header_bytes(communes) -> None:
    secret = create_key(communes.zeitz, ["api_keys:write", "users:read"])
    assert _post_key(key_client(communes.zeitz, secret)).status_code == 201
    connection.set_tenant(communes.zeitz)
    key = ApiKey.objects.get(name="test")
    assert list(IdempotencyRecord.objects.values_list("caller", flat=True)) == [f"key:{key.pk}"]
