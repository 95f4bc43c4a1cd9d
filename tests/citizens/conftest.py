"""A local OpenID Connect provider (devservices.oidc) on a free loopback port, and a citizen login."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client, override_settings
from django_tenants.utils import tenant_context

from citizens import services
from devservices import oidc
from tenants.models import Commune
from tests.catalog_helpers import load_shipped_catalogue
from tests.helpers import host_client


@pytest.fixture(scope="session")
def provider() -> Iterator[oidc.RunningProvider]:
    running = oidc.serve()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def other_provider() -> Iterator[oidc.RunningProvider]:
    """A second, unrelated provider (e.g. one commune's own broker)."""
    running = oidc.serve()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def platform_provider(provider: oidc.RunningProvider) -> Iterator[oidc.RunningProvider]:
    """The platform's provider is the local one; each test starts without a fault."""
    provider.provider.fault = None
    with override_settings(
        KOMMUNAL_OIDC_ISSUER=provider.issuer,
        KOMMUNAL_OIDC_CLIENT_ID=oidc.CLIENT_ID,
        KOMMUNAL_OIDC_CLIENT_SECRET=oidc.CLIENT_SECRET,
    ):
        yield provider
    provider.provider.fault = None


@pytest.fixture
def catalogue(db) -> None:  # type: ignore[no-untyped-def]
    load_shipped_catalogue()


def authorize(client: Client, *, citizen: str = "erika", next_url: str = "") -> str:
    """Start the login on the commune's host and pick ``citizen`` at the provider.

    Returns the callback path (with code and state) the provider redirects the browser to.
    """
    response = client.get("/buerger/anmelden/", {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content[:500]
    authorize_url = response["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200
    answer = requests.post(
        authorize_url.split("?")[0], data={**query, "citizen": citizen}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def log_in(commune: Commune, *, citizen: str = "erika") -> Client:
    """A client of ``commune``'s host with a citizen logged in through the whole redirect flow."""
    client = host_client(commune)
    response = client.get(authorize(client, citizen=citizen))
    assert response.status_code == 302, response.content.decode()[:1000]
    return client


def use_own_provider(commune: Commune, running: oidc.RunningProvider) -> None:
    with tenant_context(commune):
        services.configure_login(
            issuer=running.issuer, client_id=oidc.CLIENT_ID, client_secret=oidc.CLIENT_SECRET, actor="test"
        )
