"""Creating accounts and inviting people to set their password."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


def ensure_user(*, email: str, full_name: str, role: str = User.Role.STAFF, password: str | None = None) -> User:
    """Create the account for ``email`` in the current schema unless it exists (idempotent).

    Without a password the account can only be used after the invitation link set one.
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name, role=role)
    return user


def invitation_path(user: User) -> str:
    """Path of the single-use link with which ``user`` sets a password (valid PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:set-password", kwargs={"uidb64": uid, "token": token}, urlconf="kommunal.urls_tenant")
