"""Operators of the provider in tests: an account, a role and a confirmed TOTP device."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
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


def verified_operator_client(email: str, role: str) -> Client:
    """A client of an operator with ``role`` who passed password and TOTP on the platform host."""
    user, device = make_operator(email, role)
    assert device is not None
    client = password_client(user.email)
    response = client.post("/operator/2fa/verify/", {"token": current_code(device), "next": "/operator/"})
    assert response.status_code == 302
    return client
