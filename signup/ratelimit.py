"""Fixed-window rate limits in Django's cache, per client IP and per e-mail address.

A counter per (scope, key, window) lives in the cache with the window as its timeout; the
limits are settings so that operators can tune them without a deployment of code.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from kommunal.api.callers import client_address

# (requests, seconds) per scope; override with SIGNUP_RATE_LIMITS in the settings.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "signup-ip": (10, 3600),
    "signup-email": (3, 3600),
    "search-ip": (120, 60),
}


@dataclass(frozen=True)
class Limited(Exception):
    """Raised when a limit is exceeded; ``retry_after`` is in seconds."""

    retry_after: int


def client_ip(request: HttpRequest) -> str:
    """The client's address behind ``KOMMUNAL_PROXY_HOPS`` proxies (``kommunal.api.callers``)."""
    return client_address(request.META)


def hit(scope: str, key: str) -> None:
    """Count one attempt of ``key`` in ``scope``; raise ``Limited`` if it exceeds the limit."""
    limit, window = getattr(settings, "SIGNUP_RATE_LIMITS", {}).get(scope, DEFAULT_LIMITS[scope])
    now = int(time.time())
    window_start = now - now % window
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window_start}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    if count > limit:
        raise Limited(retry_after=max(1, window_start + window - now))
