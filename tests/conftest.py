"""Fixtures shared by the whole suite.

The most used one is ``communes``: two provisioned communes (Zeitz and Borna) with schemas,
primary hosts and an administrator each, created once per test session. Tests run inside a
transaction that is rolled back, so what a test writes into either schema disappears after it.
Tests that need real commits (concurrency) use ``django_db(transaction=True)``; afterwards the
fixtures restore the registry rows such a test truncated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import translation

from devservices import stripe as fake_stripe
from kommunal.hosts import AllowedHosts
from tenants import actions, routing
from tenants.db import connection
from tenants.directory import load_directory
from tenants.models import Commune, Municipality
from tenants.provisioning import provision_commune
from tests.helpers import ADMIN_PASSWORD, host_client


@dataclass(frozen=True)
class ProvisionedPair:
    """Two communes that must never see each other's data."""

    zeitz: Commune
    borna: Commune


@pytest.fixture(scope="session", autouse=True)
def _tenant_aware_allowed_hosts() -> None:
    """Django's test setup copies ALLOWED_HOSTS into a plain list (adding 'testserver'); restore
    the production type that admits the verified host of the current request."""
    from django.conf import settings

    settings.ALLOWED_HOSTS = AllowedHosts(list(settings.ALLOWED_HOSTS))


@pytest.fixture(scope="session")
def _session_registry(django_db_setup, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """Directory and the two communes, created once outside any test transaction."""
    with django_db_blocker.unblock():
        _ensure_directory()
        _ensure_communes()
        connection.set_schema_to_public()


@pytest.fixture
def directory(_session_registry, db) -> None:  # type: ignore[no-untyped-def]
    """The official municipality directory."""
    _ensure_directory()


@pytest.fixture
def communes(_session_registry, db) -> ProvisionedPair:  # type: ignore[no-untyped-def]
    """Stadt Zeitz and Stadt Borna, provisioned (their schemas are created once per session)."""
    return _ensure_communes()


def _ensure_directory() -> None:
    # Transactional tests (``django_db(transaction=True)``) truncate the public tables when they
    # end; the schemas survive, so the registry rows are put back cheaply when missing.
    if not Municipality.objects.exists():
        load_directory()


def _ensure_communes() -> ProvisionedPair:
    _ensure_directory()
    provisioned = {}
    for ags, slug in (("15084590", "zeitz"), ("14729050", "borna")):
        commune = Commune.objects.filter(ags=ags, status=Commune.Status.ACTIVE).first()
        if commune is None:
            commune = actions.register_commune(ags=ags, slug=slug, actor="test")
            provision_commune(
                commune,
                admin_email=f"admin@{slug}.example",
                admin_name=f"Admin {slug.title()}",
                actor="test",
                admin_password=ADMIN_PASSWORD,
            )
            commune.refresh_from_db()
        provisioned[slug] = commune
    connection.set_schema_to_public()
    return ProvisionedPair(**provisioned)


@pytest.fixture(scope="session", autouse=True)
def _routing_listener_closed(django_db_setup) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The routing cache's LISTEN connection closes before the test database is dropped."""
    yield
    routing.listener.close()


@pytest.fixture(autouse=True)
def _empty_routing_and_page_caches() -> Iterator[None]:
    """Rolled-back test transactions send no NOTIFY and leave cached pages of data that is gone:
    every test starts with empty routing and page caches."""
    routing.cache.clear()
    caches["pages"].clear()
    yield
    routing.cache.clear()
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _public_schema_first() -> Iterator[None]:
    """Every test starts (and ends) on the public schema, whatever the previous one routed to."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Messages raised outside a request are compared in English; requests choose their own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def platform_client() -> Client:
    """A client on the platform host."""
    return host_client()


@pytest.fixture
def zeitz_client(communes: ProvisionedPair) -> Client:
    return host_client(communes.zeitz)


@pytest.fixture
def borna_client(communes: ProvisionedPair) -> Client:
    return host_client(communes.borna)


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[Any]:
    """The local Stripe stand-in (devservices.stripe) on a free loopback port, for the whole run.

    Billing's and payments' ``fake`` fixtures give it a fresh state per test.
    """
    server, _url = fake_stripe.serve()
    yield server
    server.shutdown()
