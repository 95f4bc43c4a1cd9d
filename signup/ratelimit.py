"""Fixed-window rate limits in Django's cache, per client IP and per e-mail address.

A counter per (scope, key, window) lives in the cache with the window as its timeout; the
limits are settings so that operators can tune them without a deployment of code.

When the cache (Redis) is unreachable, limits that protect against abuse of writes fail closed
(``Unavailable``: the attempt is refused with 503 until Redis is back) and limits on reads fail
open (the search is answered, with a warning in the log). docs/operations.md lists the policy.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from kommunal.cache import CacheUnavailable

logger = logging.getLogger(__name__)

# (requests, seconds) per scope; override with SIGNUP_RATE_LIMITS in the settings.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "signup-ip": (10, 3600),
    "signup-email": (3, 3600),
    "search-ip": (120, 60),
}
# Scopes that refuse attempts while their counters cannot be kept; all others let them through.
FAIL_CLOSED = frozenset({"signup-ip", "signup-email"})
RETRY_AFTER_UNAVAILABLE = 60


@dataclass(frozen=True)
class Limited(Exception):
    """Raised when a limit is exceeded; ``retry_after`` is in seconds."""

    retry_after: int


@dataclass(frozen=True)
class Unavailable(Exception):
    """Raised by a fail-closed limit whose counter cannot be kept (the cache is down)."""

    retry_after: int = RETRY_AFTER_UNAVAILABLE


def hit(scope: str, key: str) -> None:
    """Count one attempt of ``key`` in ``scope``; raise ``Limited`` if it exceeds the limit, or
    ``Unavailable`` if the limit fails closed and its counter cannot be kept."""
    limit, window = getattr(settings, "SIGNUP_RATE_LIMITS", {}).get(scope, DEFAULT_LIMITS[scope])
    now = int(time.time())
    window_start = now - now % window
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window_start}"
    try:
        count = _count(cache_key, window)
    except CacheUnavailable as error:
        if scope in FAIL_CLOSED:
            logger.warning("rate limit %s unavailable, attempt refused: %s", scope, error)
            raise Unavailable() from error
        logger.warning("rate limit %s unavailable, attempt let through: %s", scope, error)
        return
    if count > limit:
        raise Limited(retry_after=max(1, window_start + window - now))


def _count(cache_key: str, window: int) -> int:
    cache.add(cache_key, 0, timeout=window)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        return 1
