"""Who is an operator, and with which role."""

from __future__ import annotations

from typing import Any

from operators.models import ROLE_RANK, OperatorProfile, Role


def role_of(user: Any) -> str | None:
    """The operator role of a public-schema account, or ``None`` for anybody else.

    Superusers without a profile (the account ``createsuperuser`` makes) count as administrators.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.operator_profile.role
    except OperatorProfile.DoesNotExist:
        return Role.ADMIN if user.is_superuser else None


def allows(role: str | None, required: str) -> bool:
    """Whether ``role`` includes ``required`` (viewer < operator < admin)."""
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role(required)]


def actor(user: Any) -> str:
    """How an operator appears in the audit log."""
    return f"operator:{user.email}"
