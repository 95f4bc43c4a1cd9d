"""django-tenants' schema-aware backend, without the per-request costs it has by default.

- ``SET search_path`` is sent only when the schema differs from the one the connection already
  has (with ``TENANT_LIMIT_SET_CALLS``): consecutive requests of one commune on a worker's
  persistent connection send none, a switch sends one.
- The ContentType cache is kept per schema instead of being cleared on every ``set_tenant``
  (django-tenants clears it because public and tenant schemas number content types differently,
  django-tenants issue #482); a bounded number of schemas keep their entries.
- A backend keeps the catalog entries of every schema it touched (about 40 KiB each) until it
  disconnects, so a connection that served more than ``KOMMUNAL_DB_SCHEMAS_PER_CONNECTION``
  schemas is closed at the end of its request; the next request opens a fresh one.
- Instead of ``CONN_HEALTH_CHECKS`` (a ``SELECT 1`` round trip before each request) the
  persistent connection is checked by reading what the server sent on its idle socket: a
  restarted server or a terminated backend is noticed without a round trip and the request opens
  a new connection. A connection that broke silently fails its request and Django closes it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections
from django_tenants.postgresql_backend import base

CONTENT_TYPE_CACHE_SCHEMAS = 256
VALIDATED_SEARCH_PATHS = 20_000
# (schema, include public, public schema name) → the search path django-tenants validated for it.
_validated_search_paths: dict[tuple[str, bool, str], tuple[str, ...]] = {}


class SchemaContentTypeCache(OrderedDict[tuple[str, str], dict[Any, Any]]):
    """``ContentTypeManager._cache`` keyed by (database alias, schema of that connection).

    The manager reads ``_cache[using]`` and writes ``_cache.setdefault(using, {})``; both go to
    the entries of the schema the thread's connection is set to, so no schema ever gets another
    schema's content type ids. The least recently used schemas are forgotten beyond the bound.
    """

    def _key(self, using: str) -> tuple[str, str]:
        return using, str(getattr(connections[using], "schema_name", ""))

    def __getitem__(self, using: Any) -> dict[Any, Any]:
        key = self._key(using)
        self.move_to_end(key)
        return super().__getitem__(key)

    def setdefault(self, using: Any, default: Any = None) -> dict[Any, Any]:
        key = self._key(using)
        if key not in self:
            super().__setitem__(key, {} if default is None else default)
            while len(self) > CONTENT_TYPE_CACHE_SCHEMAS:
                self.popitem(last=False)
        return self[using]


ContentType.objects._cache = SchemaContentTypeCache()  # type: ignore[attr-defined]


class DatabaseWrapper(base.DatabaseWrapper):
    # The search path the session has (django-tenants only knows whether it is still valid).
    _session_search_path: list[str] | None = None
    # Schemas this session has set, to bound the backend's catalog cache.
    _session_schemas: frozenset[str] = frozenset()

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        self.tenant = tenant
        self.schema_name = tenant.schema_name
        self.include_public_schema = include_public
        self.set_settings_schema(self.schema_name)
        if base.EXTRA_SET_TENANT_METHOD:
            base.EXTRA_SET_TENANT_METHOD(self, tenant)
        session = self._session_search_path
        self.search_path_set_schemas = session if session and session == self._wanted_search_path() else None

    def _wanted_search_path(self) -> list[str] | None:
        try:
            return self._get_cursor_search_paths()
        except ValidationError:  # an invalid name fails when the next cursor sets it
            return None

    def _get_cursor_search_paths(self) -> list[str]:
        """django-tenants' search path, validated once per schema instead of on every switch."""
        key = (self.schema_name, self.include_public_schema, base.get_public_schema_name())
        paths = _validated_search_paths.get(key)
        if paths is None:
            paths = tuple(super()._get_cursor_search_paths())
            if len(_validated_search_paths) >= VALIDATED_SEARCH_PATHS:
                _validated_search_paths.clear()
            _validated_search_paths[key] = paths
        return list(paths)

    def _handle_search_path(self, cursor: Any = None) -> None:
        super()._handle_search_path(cursor)
        if self.search_path_set_schemas and self.search_path_set_schemas != self._session_search_path:
            self._session_search_path = self.search_path_set_schemas
            self._session_schemas |= {self.schema_name}

    def close_if_unusable_or_obsolete(self) -> None:
        super().close_if_unusable_or_obsolete()
        if self.connection is not None and len(self._session_schemas) > settings.KOMMUNAL_DB_SCHEMAS_PER_CONNECTION:
            self.close()

    # A closed connection or a rolled-back SET leaves the session's search path unknown.
    def close(self) -> None:
        self._session_search_path = None
        self._session_schemas = frozenset()
        super().close()

    def rollback(self) -> None:
        self._session_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid: Any) -> None:
        try:
            super().savepoint_rollback(sid)
        finally:
            self._session_search_path = None

    def close_if_health_check_failed(self) -> None:
        """Close the persistent connection when the server hung up on it (no round trip)."""
        if self.connection is None or self.health_check_done:  # type: ignore[has-type]
            return
        self.health_check_done = True
        try:
            # The first read takes what the server sent (e.g. its FATAL message on termination),
            # the second one then meets the closed socket; neither waits on a live connection.
            self.connection.pgconn.consume_input()
            self.connection.pgconn.consume_input()
        except psycopg.OperationalError:
            self.close()
        else:
            if self.connection.pgconn.status != psycopg.pq.ConnStatus.OK:
                self.close()
