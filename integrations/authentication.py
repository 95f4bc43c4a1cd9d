"""``Authorization: Bearer kk_live_...``: API keys of the commune whose host is called.

Keys live in the commune's schema, so a key of one commune is unknown on every other host (and
on the platform host, which has no keys): 401 with ``WWW-Authenticate``. The key's scopes are
checked here against the view's ``required_scopes`` (see ``kommunal.api.scopes``), so no view
can forget them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from integrations import selectors, services
from integrations.models import ApiKey
from kommunal.api.scopes import check_scopes

KEYWORD = "Bearer"


def key_from_header(request: HttpRequest) -> ApiKey | None:
    """The usable API key the request's ``Authorization`` header carries, if it carries one.

    ``None`` when the header holds no API key; ``AuthenticationFailed`` when it holds one that is
    not usable on this host. Shared by the authentication and the idempotency check, which must
    agree on who is calling.
    """
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if not parts or parts[0].lower() != KEYWORD.lower():
        return None
    if len(parts) != 2:
        raise exceptions.AuthenticationFailed(_("Send the header as 'Authorization: Bearer <key>'."))
    secret = parts[1]
    if not secret.startswith(services.KEY_PREFIX):
        return None  # another kind of bearer token (operator tokens) or none at all
    key = None
    if getattr(request, "commune", None) is not None:
        key = selectors.usable_key(services.hash_secret(secret))
    if key is None:
        raise exceptions.AuthenticationFailed(_("This API key is not valid here (unknown, expired or revoked)."))
    return key


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates an API key as the administrator who created it, limited to its scopes."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        key = key_from_header(request._request)
        if key is None:
            return None
        view = (request.parser_context or {}).get("view")
        check_scopes(frozenset(key.scopes), view, request.method or "GET")
        services.note_key_use(key)
        return key.created_by, key

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The API key in the OpenAPI document."""

    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "kk_live_<secret>",
            "description": "An API key created by a commune administrator; valid only on that commune's host.",
        }
