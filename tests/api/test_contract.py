"""What the contract test found, each pinned: the server and its documents say the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.api.helpers import create_key, key_client
from tests.catalog_helpers import activate, load_shipped_catalogue

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _document(name: str) -> dict[str, Any]:
    return yaml.safe_load((DOCS / f"openapi-{name}.yaml").read_text())


def _allows_blank(schema: dict[str, Any]) -> bool:
    return any(option.get("maxLength") == 0 for option in schema.get("oneOf", []))


@pytest.mark.parametrize("value", [0, 1, "false", "yes", None])
def test_booleans_are_json_booleans_only(communes, value) -> None:
    client = key_client(communes.zeitz, create_key(communes.zeitz))
    body = {"url": "https://hooks.example.org/k", "events": ["service.activated"], "is_active": value}
    response = client.post("/api/v1/webhooks/", body, "application/json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["is_active"]


@pytest.mark.parametrize("query", ["status=", "ordering=", "ordering=submitted_at,"])
def test_empty_filters_are_refused_naming_the_parameter(communes, query) -> None:
    client = key_client(communes.zeitz, create_key(communes.zeitz))
    response = client.get(f"/api/v1/requests/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


def test_a_blank_contact_email_is_returned_as_the_document_allows(communes) -> None:
    load_shipped_catalogue()
    activate(communes.zeitz, "sperrmuell")
    client = key_client(communes.zeitz, create_key(communes.zeitz))
    [activation] = client.get("/api/v1/activations/").json()["results"]
    assert activation["contact_email"] == ""
    schemas = _document("tenant")["components"]["schemas"]
    assert _allows_blank(schemas["Activation"]["properties"]["contact_email"])
    assert _allows_blank(schemas["OfferedService"]["properties"]["contact_email"])


def test_documents_say_what_the_server_returns_and_needs() -> None:
    tenant, public = _document("tenant"), _document("public")
    # The first history entry has no previous status.
    from_status = tenant["components"]["schemas"]["StatusChange"]["properties"]["from_status"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in from_status["oneOf"]
    # Platform-wide audit events belong to no commune.
    assert public["components"]["schemas"]["AuditEvent"]["properties"]["commune"]["nullable"] is True
    # Anyone may submit a request: no credentials required.
    assert {} in tenant["paths"]["/api/v1/requests/"]["post"]["security"]
    assert {} not in tenant["paths"]["/api/v1/requests/"]["get"]["security"]
    # Every operation documents the 503 of an unreachable database, with Retry-After.
    for document in (tenant, public):
        for path_item in document["paths"].values():
            for operation in path_item.values():
                assert "Retry-After" in operation["responses"]["503"]["headers"]
