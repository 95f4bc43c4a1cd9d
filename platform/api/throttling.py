"""Rate limits: per API key, per signed-in user, per client address for anonymous callers.

The limits (requests per minute) come from ``settings.KOMMUNAL_API_RATES``. The counters live in
the cache, whose keys carry the schema name, so communes never share a counter.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from kommunal.api.callers import client_address


class CallerRateThrottle(SimpleRateThrottle):
    """One sliding one-minute window per caller; 429 with ``Retry-After`` when exhausted."""

    def __init__(self) -> None:
        # The rate depends on the kind of caller, which is only known per request.
        pass

    def caller(self, request: Request) -> tuple[str, str]:
        """``(kind, ident)``: ``("key", <key id>)``, ``("user", <pk>)`` or ``("anon", <address>)``."""
        key_id = getattr(request.auth, "api_key_id", None)
        if key_id is not None:
            return "key", str(key_id)
        if request.user and request.user.is_authenticated:
            return "user", str(request.user.pk)
        return "anon", self.get_ident(request)

    def get_ident(self, request: Request) -> str:
        """The real client behind ``KOMMUNAL_PROXY_HOPS`` proxies, not DRF's ``NUM_PROXIES`` guess."""
        return client_address(request.META)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        kind, ident = self.caller(request)
        return f"throttle:{kind}:{ident}"

    def allow_request(self, request: Request, view: Any) -> bool:
        kind, _ident = self.caller(request)
        self.scope = kind
        self.rate = f"{settings.KOMMUNAL_API_RATES[kind]}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class AnonymousCreateThrottle(AnonRateThrottle):
    """Limits anonymous ``create`` calls of a viewset (``rate`` per client address behind
    ``KOMMUNAL_PROXY_HOPS`` proxies); other actions and signed-in callers are not limited.
    Each subclass names its own ``scope``, so different limits never share a counter."""

    def get_ident(self, request: Request) -> str:
        return client_address(request.META)

    def allow_request(self, request: Request, view: Any) -> bool:
        if getattr(view, "action", None) != "create":
            return True
        return super().allow_request(request, view)
