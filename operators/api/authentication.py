"""``Authorization: Bearer kop_...``: operator API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from operators.actions import TOKEN_PREFIX, hash_token
from operators.models import OperatorToken

LAST_USE_PRECISION = timedelta(minutes=1)
KEYWORD = "Bearer"


def token_from_header(request: HttpRequest) -> OperatorToken | None:
    """The usable operator token the ``Authorization`` header carries, if it carries one.

    ``None`` when the header holds no operator token; ``AuthenticationFailed`` when it holds one
    that is unknown, expired, revoked or whose operator is deactivated.
    """
    header = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(header) != 2 or header[0] != KEYWORD or not header[1].startswith(TOKEN_PREFIX):
        return None
    token = OperatorToken.objects.select_related("operator").filter(key_hash=hash_token(header[1])).first()
    if token is None or not token.is_usable or not token.operator.is_active:
        raise exceptions.AuthenticationFailed("The token is unknown, expired or revoked.")
    return token


class OperatorTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates the operator a token belongs to; the token carries that operator's role."""

    keyword = KEYWORD

    def authenticate(self, request: Request) -> tuple[Any, OperatorToken] | None:
        token = token_from_header(request._request)
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
            OperatorToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.operator, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class OperatorTokenScheme(OpenApiAuthenticationExtension):
    target_class = "operators.api.authentication.OperatorTokenAuthentication"
    name = "operatorToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "kop_…"}
