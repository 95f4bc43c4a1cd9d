"""Scopes of API keys: what an integrator's key may do, declared by each view.

A view names the scope each HTTP method needs::

    class RequestListView(generics.ListCreateAPIView):
        required_scopes = {"GET": "requests:read", "POST": "requests:write"}

Scopes only restrict API keys; people signed in with a session are governed by the view's
permission classes alone. A method without a declared scope is closed to API keys (403), so an
endpoint is never opened to integrators by accident. The check runs inside the API key
authentication itself, so it also holds for views that replace ``permission_classes``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

# Every scope a key can be given, with what it allows (shown when creating a key).
SCOPES: dict[str, Any] = {
    "commune:read": gettext_lazy("Read the commune's profile"),
    "users:read": gettext_lazy("List the commune's accounts"),
    "catalog:read": gettext_lazy("Read the service catalogue"),
    "activations:read": gettext_lazy("Read the commune's activated services"),
    "activations:write": gettext_lazy("Activate and configure services"),
    "requests:read": gettext_lazy("Read citizens' requests"),
    "requests:write": gettext_lazy("Change the status of citizens' requests"),
    "appointments:read": gettext_lazy("Read free slots and appointments"),
    "appointments:write": gettext_lazy("Book and cancel appointments"),
    "api_keys:read": gettext_lazy("List API keys"),
    "api_keys:write": gettext_lazy("Create and revoke API keys"),
    "webhooks:read": gettext_lazy("List webhook subscriptions and deliveries"),
    "webhooks:write": gettext_lazy("Create, change and delete webhook subscriptions"),
}


def required_scope(view: Any, method: str) -> str | None:
    """The scope ``view`` declares for ``method`` (HEAD and OPTIONS follow GET)."""
    declared: dict[str, str] = getattr(view, "required_scopes", None) or {}
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    return declared.get(method)


def check_scopes(granted: set[str] | frozenset[str], view: Any, method: str) -> None:
    """Raise 403 unless ``granted`` holds the scope ``view`` requires for ``method``."""
    needed = required_scope(view, method)
    if needed is None:
        raise exceptions.PermissionDenied(_("This operation is not available to API keys."), code="scope-missing")
    if needed not in granted:
        raise exceptions.PermissionDenied(
            _("This API key lacks the scope '%(scope)s'.") % {"scope": needed}, code="scope-missing"
        )
