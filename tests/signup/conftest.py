"""Fixtures of the onboarding tests: the template schema, a published service, an operator."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from tenants import template
from tenants.db import connection
from tests.factories import ServiceVersionFactory
from tests.helpers import ADMIN_PASSWORD, host_client

OPERATOR_EMAIL = "operator@kommunal.example"


@pytest.fixture(scope="session")
def _template_schema(_session_registry, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    # After the session's communes: they are made by migrations, which the clone test compares with.
    with django_db_blocker.unblock():
        template.refresh_template()
        connection.set_schema_to_public()


@pytest.fixture
def template_schema(_template_schema, db) -> str:  # type: ignore[no-untyped-def]
    """The migrated template schema new communes are cloned from."""
    return template.TEMPLATE_SCHEMA


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published_service(db):  # type: ignore[no-untyped-def]
    """A service of the catalogue with a published version."""
    return ServiceVersionFactory(service__slug="anwohnerparken").service


@pytest.fixture
def operator_client(db) -> Client:  # type: ignore[no-untyped-def]
    """A client signed in on the platform host as an operator (``is_staff`` in the public schema)."""
    User.objects.create_user(OPERATOR_EMAIL, ADMIN_PASSWORD, full_name="Operator", is_staff=True)
    client = host_client()
    assert client.post("/accounts/login/", {"username": OPERATOR_EMAIL, "password": ADMIN_PASSWORD}).status_code == 302
    return client
