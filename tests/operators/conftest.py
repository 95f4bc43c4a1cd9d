"""Operators with a role and a confirmed TOTP device, signed in on the platform host."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from operators import actions
from operators.models import OperatorProfile
from tests.helpers import host_client

OPERATOR_PASSWORD = "operator-password-2026"


def current_code(device: TOTPDevice) -> str:
    """The code the operator's authenticator app shows right now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def make_operator(email: str, role: str | None, *, device: bool = True) -> tuple[User, TOTPDevice | None]:
    user = User.objects.create_user(email, OPERATOR_PASSWORD, full_name=email.split("@")[0])
    if role:
        OperatorProfile.objects.create(user=user, role=role)
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True) if device else None


def password_client(email: str) -> Client:
    """Signed in with the password only (first factor), as through the login form."""
    client = host_client()
    response = client.post("/accounts/login/", {"username": email, "password": OPERATOR_PASSWORD})
    assert response.status_code == 302, "login failed"
    return client


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
