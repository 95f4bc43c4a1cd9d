"""Helpers for tests that talk to the platform over HTTP."""

from __future__ import annotations

from django.test import Client

from tenants.models import Commune

ADMIN_PASSWORD = "correct-horse-battery-staple"


def host_client(commune: Commune | None = None) -> Client:
    """A test client whose requests go to ``commune``'s primary host (or the platform host)."""
    host = commune.primary_host if commune else "localhost"
    return Client(HTTP_HOST=host)


def signed_in_client(commune: Commune, email: str, password: str = ADMIN_PASSWORD) -> Client:
    """A client signed in through the commune's login form, as a person would."""
    client = host_client(commune)
    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response.status_code == 302, "login failed"
    return client
