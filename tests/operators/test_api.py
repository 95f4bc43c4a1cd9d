"""The operator API: bearer tokens with the operator's role, the same actions as the console."""

from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from operators import actions
from operators.models import OperatorToken, Role
from tenants.models import Commune
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import make_operator

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_with_a_visible_prefix(communes) -> None:
    user, _device = make_operator("ops@provider.example", Role.ADMIN, device=False)
    token, key = actions.create_token(user, name="CI", actor="test")
    assert key.startswith("kop_")
    assert token.prefix == key[:12]
    assert key not in token.key_hash
    assert not OperatorToken.objects.filter(key_hash=key).exists()


def test_list_requires_a_valid_token(api_token, communes) -> None:
    client = host_client()
    assert client.get("/api/v1/operator/tenants/").status_code == 401
    assert client.get("/api/v1/operator/tenants/", HTTP_AUTHORIZATION="Bearer kop_wrong").status_code == 401
    response = client.get("/api/v1/operator/tenants/", **api_token(Role.VIEWER))
    assert response.status_code == 200
    assert {t["slug"] for t in response.json()["results"]} == {"zeitz", "borna"}
    assert (
        client.get("/api/v1/operator/tenants/?land=Sachsen", **api_token(Role.OPERATOR)).json()["results"][0]["slug"]
        == "borna"
    )


@pytest.mark.parametrize("query", ["status=AAA", "migration=sometimes"])
def test_list_refuses_an_unknown_filter_value_naming_it(api_token, communes, query) -> None:
    response = host_client().get(f"/api/v1/operator/tenants/?{query}", **api_token(Role.VIEWER))
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [query.split("=")[0]]


def test_revoked_and_expired_tokens_stop_working(communes) -> None:
    user, _device = make_operator("ops@provider.example", Role.ADMIN, device=False)
    token, key = actions.create_token(user, name="CI", actor="test")
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert host_client().get("/api/v1/operator/tenants/", **headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    actions.revoke_token(token, actor="test")
    assert host_client().get("/api/v1/operator/tenants/", **headers).status_code == 401
    _token2, key2 = actions.create_token(user, name="old", actor="test", lifetime=timezone.timedelta(seconds=-1))
    assert host_client().get("/api/v1/operator/tenants/", HTTP_AUTHORIZATION=f"Bearer {key2}").status_code == 401


def test_viewer_token_cannot_suspend(api_token, communes) -> None:
    response = host_client().post(
        "/api/v1/operator/tenants/zeitz/suspend/",
        {"reason": "x"},
        content_type="application/json",
        **api_token(Role.VIEWER),
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    communes.zeitz.refresh_from_db()
    assert communes.zeitz.status == Commune.Status.ACTIVE


def test_operator_token_suspends_and_reactivates(api_token, communes) -> None:
    headers = api_token(Role.OPERATOR)
    client = host_client()
    response = client.post("/api/v1/operator/tenants/zeitz/suspend/", {}, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    response = client.post(
        "/api/v1/operator/tenants/zeitz/suspend/", {"reason": "Unpaid"}, content_type="application/json", **headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert host_client(communes.zeitz).get("/api/v1/users/").status_code == 503
    assert AuditEvent.objects.filter(
        action="commune.status_changed", actor="operator:api-operator@provider.example", commune=communes.zeitz
    ).exists()
    response = client.post("/api/v1/operator/tenants/zeitz/reactivate/", {}, content_type="application/json", **headers)
    assert response.json()["status"] == "active"


def test_export_returns_the_archive(api_token, media, communes) -> None:
    response = host_client().post("/api/v1/operator/tenants/borna/export/", **api_token(Role.OPERATOR))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert len(response["X-Archive-SHA256"]) == 64
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_offboard_over_the_api(api_token, media, communes) -> None:
    headers = api_token(Role.OPERATOR)
    response = host_client().post(
        "/api/v1/operator/tenants/borna/offboard/",
        {"reason": "Contract ended"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "offboarded"
    assert host_client(communes.borna).get("/").status_code == 404
    assert host_client(communes.zeitz).get("/").status_code == 200
    again = host_client().post("/api/v1/operator/tenants/borna/migrate/", **headers)
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "status"


def test_audit_list_and_csv(api_token, communes) -> None:
    headers = api_token(Role.VIEWER)
    response = host_client().get("/api/v1/operator/audit/", {"commune": "zeitz"}, **headers)
    assert response.status_code == 200
    assert {event["commune"] for event in response.json()["results"]} == {"zeitz"}
    csv_response = host_client().get("/api/v1/operator/audit.csv", {"commune": "borna"}, **headers)
    assert csv_response["Content-Type"].startswith("text/csv")


def test_commune_session_is_worthless_for_the_operator_api(communes) -> None:
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    platform = host_client()
    platform.cookies = admin.cookies
    assert platform.get("/api/v1/operator/tenants/").status_code == 401


def test_openapi_documents_the_operator_api(communes) -> None:
    schema = host_client().get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/operator/tenants/{slug}/suspend/"]["post"]
    assert operation["summary"] == "Suspend a tenant"
    assert {"400", "401", "403", "404"} <= set(operation["responses"])
    assert "operatorToken" in schema["components"]["securitySchemes"]
