"""Operators with a role and a confirmed TOTP device, signed in on the platform host."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from operators import actions
from tests.operator_helpers import current_code, make_operator, password_client


@dataclass
class SignedInOperator:
    user: User
    client: Client


@pytest.fixture
def operator_client(communes) -> Callable[[str], SignedInOperator]:  # type: ignore[no-untyped-def]
    """Make an operator with ``role`` who passed both factors on the platform host."""

    def make(role: str) -> SignedInOperator:
        user, device = make_operator(f"{role}@provider.example", role)
        assert device is not None
        client = password_client(user.email)
        response = client.post("/operator/2fa/verify/", {"token": current_code(device), "next": "/operator/"})
        assert response.status_code == 302
        assert response["Location"] == "/operator/"
        return SignedInOperator(user, client)

    return make


@pytest.fixture
def api_token(communes) -> Callable[[str], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Headers with a fresh operator token of an operator with ``role``."""

    def make(role: str) -> dict[str, Any]:
        user, _device = make_operator(f"api-{role}@provider.example", role, device=False)
        _token, key = actions.create_token(user, name="test", actor="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """A throw-away MEDIA_ROOT for archives and tenant files."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
