"""API permissions for a commune's own staff."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsCommuneAdmin(BasePermission):
    """Allows the commune's administrators on the commune's own host."""

    message = "Only administrators of this commune may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(getattr(request, "commune", None) and user.is_authenticated and user.is_commune_admin)


class IsCommuneStaff(BasePermission):
    """Allows any active account of the commune on the commune's own host."""

    message = "Only staff of this commune may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(getattr(request, "commune", None) and request.user.is_authenticated and request.user.is_active)
