"""Read access to the accounts of the current schema."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User


def commune_users() -> QuerySet[User]:
    """The accounts of the commune whose schema is active."""
    return User.objects.order_by("full_name", "email")
