"""Redis as a cache that degrades instead of failing when Redis is unreachable.

Reads and writes of cached values (``get``, ``set``, ``delete`` and their ``_many`` forms) are
only an optimisation: without Redis a read is a miss and a write is dropped, with a warning in the
log, so every page still renders from the database. Counters (``add``, ``incr``, ``decr``) hold
rate limits, whose callers must decide whether to fail open or closed (``signup.ratelimit``), so
those raise ``CacheUnavailable`` instead of guessing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class CacheUnavailable(Exception):
    """The cache server cannot be reached; raised by counter operations only."""


class DegradingRedisCache(RedisCache):
    """Django's Redis cache; a Redis outage turns reads into misses and drops writes."""

    def _degraded(self, operation: str, error: Exception) -> None:
        logger.warning("cache %s skipped, Redis unreachable: %s", operation, error)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            self._degraded("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            self._degraded("get_many", error)
            return {}

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            self._degraded("set", error)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self._degraded("set_many", error)
            return list(data)

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            self._degraded("delete", error)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as error:
            self._degraded("delete_many", error)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            raise CacheUnavailable(str(error)) from error

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            raise CacheUnavailable(str(error)) from error
