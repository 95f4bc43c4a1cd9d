"""The OpenAPI documents: complete, served on each host, and identical to the committed files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.helpers import host_client

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOCUMENTS = {"kommunal.urls_public": DOCS / "openapi-public.yaml", "kommunal.urls_tenant": DOCS / "openapi-tenant.yaml"}
METHODS = ("get", "put", "patch", "delete", "post")


def _generate(urlconf: str, target: Path) -> str:
    call_command("spectacular", "--urlconf", urlconf, "--lang", "en", "--file", str(target))
    return target.read_text()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("openapi")
    return {urlconf: _generate(urlconf, folder / f"{i}.yaml") for i, urlconf in enumerate(DOCUMENTS)}


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def _has_examples(content: dict) -> bool:
    return any("examples" in media or "example" in media for media in content.values())


@pytest.mark.parametrize("urlconf", list(DOCUMENTS))
def test_committed_document_matches_the_code(generated, urlconf) -> None:
    committed = DOCUMENTS[urlconf].read_text() if DOCUMENTS[urlconf].exists() else ""
    assert generated[urlconf] == committed, (
        f"{DOCUMENTS[urlconf].relative_to(DOCS.parent)} is out of date with the code: run `make openapi` and commit it."
    )


@pytest.mark.parametrize("urlconf", list(DOCUMENTS))
def test_every_operation_has_summary_description_examples_and_errors(generated, urlconf) -> None:
    document = yaml.safe_load(generated[urlconf])
    assert "Problem" in document["components"]["schemas"]
    missing = []
    for name, operation in _operations(document):
        if not operation.get("summary"):
            missing.append(f"{name}: summary")
        if not operation.get("description"):
            missing.append(f"{name}: description")
        body = operation.get("requestBody")
        if body and not _has_examples(body["content"]):
            missing.append(f"{name}: request example")
        success = [r for status, r in operation["responses"].items() if status.startswith("2")]
        if not any(_has_examples(r.get("content", {})) for r in success if r.get("content")) and any(
            r.get("content") for r in success
        ):
            missing.append(f"{name}: response example")
        for status in ("401", "403", "404", "429"):
            problem = operation["responses"].get(status, {}).get("content", {}).get("application/problem+json")
            if problem is None:
                missing.append(f"{name}: {status} problem response")
    assert not missing, "Add extend_schema(summary=, description=, examples=[...]) to: " + "; ".join(missing)


def test_reads_document_etag_and_posts_document_idempotency_key(generated) -> None:
    document = yaml.safe_load(generated["kommunal.urls_tenant"])
    operations = dict(_operations(document))
    listing = operations["GET /api/v1/api-keys/"]
    assert "If-None-Match" in [p["name"] for p in listing["parameters"]]
    assert "ETag" in listing["responses"]["200"]["headers"]
    assert "304" in listing["responses"]
    creation = operations["POST /api/v1/api-keys/"]
    assert "Idempotency-Key" in [p["name"] for p in creation["parameters"]]
    assert {"409", "422"} <= set(creation["responses"])
    assert "API keys need the scope `api_keys:write`." in creation["description"]


@pytest.mark.parametrize(
    ("query", "accept", "content_type"),
    [
        ("", "", "application/vnd.oai.openapi"),
        ("?format=json", "", "application/vnd.oai.openapi+json"),
        ("", "application/vnd.oai.openapi+json", "application/vnd.oai.openapi+json"),
        ("", "application/json", "application/json"),
    ],
)
def test_each_host_serves_its_own_document(communes, query, accept, content_type) -> None:
    tenant = host_client(communes.zeitz).get(f"/api/schema/{query}", HTTP_ACCEPT=accept or "*/*")
    public = host_client().get(f"/api/schema/{query}", HTTP_ACCEPT=accept or "*/*")
    assert tenant.status_code == public.status_code == 200
    assert tenant["Content-Type"].startswith(content_type)
    assert b"/api/v1/api-keys/" in tenant.content
    assert b"/api/v1/api-keys/" not in public.content
    assert b"/api/v1/communes/" in public.content


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_documentation_pages_show_the_hosts_document(communes, page) -> None:
    client = host_client(communes.zeitz)
    response = client.get(page)
    assert response.status_code == 200
    if page == "/api/docs/":  # Swagger UI's start script is a separate file (no inline script)
        response = client.get(page, {"script": ""})
        assert response["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in response.content
