"""Every page carries a strict Content-Security-Policy and a Permissions-Policy, and has no inline script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from operators.models import Role
from tests.helpers import host_client, signed_in_client
from tests.operator_helpers import verified_operator_client

PUBLIC_PAGES = ["/", "/accounts/login/", "/signup/", "/legal/terms/", "/api/docs/", "/api/redoc/", "/nowhere/"]
OPERATOR_PAGES = ["/operator/", "/operator/audit/", "/operator/usage/", "/operator/catalog/", "/operator/team/"]
OPERATOR_PAGES += ["/operator/tokens/", "/operator/signups/", "/operator/billing/", "/operator/tenants/zeitz/"]
COMMUNE_PAGES = ["/", "/status/", "/accounts/login/", "/api/docs/", "/api/redoc/", "/nowhere/"]
ADMIN_PAGES = ["/verwaltung/leistungen/", "/verwaltung/anfragen/", "/integrations/", "/branding/"]
ADMIN_PAGES += ["/verwaltung/rechnungen/"]


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts, handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.style_nonces: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.style_nonces.append(names.get("nonce"))
        self.problems += [f"{tag} {name}=" for name in names if name.startswith("on") or name == "style"]
        if any((value or "").strip().lower().startswith("javascript:") for value in names.values()):
            self.problems.append(f"javascript: URL on <{tag}>")


def _assert_strict_page(response, *, docs: bool = False) -> None:
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"], "no inline or third-party script anywhere"
    assert directives["frame-ancestors"] == ["'none'"]
    assert not re.search(r"https?://", policy), "no third-party origin is allowed"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    if not response["Content-Type"].startswith("text/html"):
        return
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.problems == []
    if docs:
        return
    nonce = re.search(r"'nonce-([^']+)'", directives["style-src"][-1])
    for style_nonce in parser.style_nonces:
        assert nonce, "an inline <style> needs a nonce in the policy"
        assert style_nonce == nonce.group(1), "an inline <style> carries this response's nonce"


def _pages(client: Client, paths: list[str]) -> None:
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        _assert_strict_page(response, docs=path.startswith("/api/"))


def test_platform_pages_have_a_strict_policy(communes) -> None:
    _pages(host_client(), PUBLIC_PAGES)


def test_operator_console_pages_have_a_strict_policy(communes) -> None:
    _pages(verified_operator_client("admin@provider.example", Role.ADMIN), OPERATOR_PAGES)


def test_commune_pages_have_a_strict_policy_and_the_brand_style_carries_the_nonce(communes) -> None:
    client = host_client(communes.zeitz)
    _pages(client, COMMUNE_PAGES)
    first, second = client.get("/"), client.get("/")
    assert 'nonce="' in first.content.decode(), "the commune's colours come as a nonce-carrying <style>"
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"], "a fresh nonce per response"


def test_commune_admin_pages_have_a_strict_policy(communes) -> None:
    _pages(signed_in_client(communes.zeitz, "admin@zeitz.example"), ADMIN_PAGES)


def test_api_responses_carry_the_headers_too(communes) -> None:
    response = host_client(communes.zeitz).get("/api/v1/commune/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("scheme_origin", ["https://zeitz.localhost", "https://evil.example"])
def test_a_form_posted_from_another_communes_origin_is_refused(communes, scheme_origin) -> None:
    borna = Client(enforce_csrf_checks=True, HTTP_HOST=communes.borna.primary_host)
    borna.get("/accounts/login/", secure=True)
    token = borna.cookies["csrftoken"].value
    data = {"username": "admin@borna.example", "password": "wrong", "csrfmiddlewaretoken": token}
    cross = borna.post("/accounts/login/", data, secure=True, HTTP_ORIGIN=scheme_origin)
    assert cross.status_code == 403
    same = borna.post("/accounts/login/", data, secure=True, HTTP_ORIGIN=f"https://{communes.borna.primary_host}")
    assert same.status_code == 200, "the commune's own origin posts its forms"
