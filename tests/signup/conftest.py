"""Fixtures of the onboarding tests: the template schema, a published service, an operator."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from operators import actions as operator_actions
from operators.models import Role
from tenants import template
from tenants.db import connection
from tests.factories import ServiceVersionFactory
from tests.operator_helpers import make_operator, verified_operator_client

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
    """A client of an operator (role ``operator``) who passed password and TOTP on the platform host."""
    return verified_operator_client(OPERATOR_EMAIL, Role.OPERATOR)


@pytest.fixture
def operator_token(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Request headers carrying an operator token (role ``operator``) for the operator API."""
    user, _device = make_operator("api-operator@provider.example", Role.OPERATOR, device=False)
    _token, key = operator_actions.create_token(user, name="test", actor="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
