"""Role checks of the operator API."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from operators import roles
from operators.models import Role


class _OperatorRole(BasePermission):
    required = Role.VIEWER
    message = "Your operator role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(request, "commune", None) is not None:
            return False
        return roles.allows(roles.role_of(request.user), self.required)


class IsOperatorViewer(_OperatorRole):
    required = Role.VIEWER


class IsOperatorOperator(_OperatorRole):
    required = Role.OPERATOR
