"""Helpers for API tests: API keys of a commune, created as its administrator would."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from integrations import services
from kommunal.api.scopes import SCOPES
from tenants.db import connection
from tenants.models import Commune
from tests.helpers import host_client


def create_key(commune: Commune, scopes: list[str] | None = None, **extra) -> str:
    """A new API key of ``commune``'s administrator; returns the secret."""
    connection.set_tenant(commune)
    try:
        admin = User.objects.get(email=f"admin@{commune.slug}.example")
        return services.create_api_key(
            name="test", scopes=scopes if scopes is not None else list(SCOPES), actor=admin, **extra
        ).secret
    finally:
        connection.set_schema_to_public()


def key_client(commune: Commune | None, secret: str) -> Client:
    """A client on ``commune``'s host (or the platform host) sending the key."""
    client = host_client(commune)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client
