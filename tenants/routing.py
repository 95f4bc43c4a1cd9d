"""Host → commune routing, cached in each worker process and invalidated by PostgreSQL.

Every request of a commune's host needs its schema; asking the registry each time costs a round
trip. Each process keeps the answer (also "no commune here") in a bounded LRU for at most
``KOMMUNAL_ROUTING_CACHE_SECONDS``.

Invalidation is PostgreSQL ``LISTEN/NOTIFY`` rather than a version key in the shared cache:
triggers on ``tenants_commune`` and ``tenants_domain`` (migration 0002) notify channel
``kommunal_routing`` whenever a host or a routed column of a commune changes, whoever wrote it
(a service, the operator console, a SQL session). A notification is delivered when the writing
transaction commits and never for a rollback. Each process keeps one idle listening connection
and, before every look-up, reads what arrived on its socket without blocking: no round trip per
request and no Redis needed (with the default LocMem cache a version key would not even be
shared between processes). A suspended commune is therefore refused by every worker from its
next request on. When the listening connection fails the cache is emptied and nothing is cached
until listening works again, because notifications may have been missed meanwhile.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django.db.models.base import ModelState

from tenants.models import Commune, Domain

CHANNEL = "kommunal_routing"
LISTEN_RETRY_SECONDS = 5.0
# The columns routing, the placement router and the commune's pages read from ``request.commune``; the others
# (migration state, timestamps, suspension reason) load on first access, which pages never do.
# In the model's field order, which ``Model.from_db`` expects.
ROUTE_FIELDS = [
    field.attname
    for field in Commune._meta.concrete_fields
    if field.attname in {"id", "schema_name", "name", "slug", "status", "ags", "kind", "land", "landkreis", "placement"}
]


@dataclass(frozen=True)
class Route:
    """The routed columns of the commune that serves a host."""

    values: tuple[Any, ...]
    _prototype: Commune = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_prototype", Commune.from_db("default", ROUTE_FIELDS, self.values))

    @property
    def commune_id(self) -> int:
        return int(self.values[0])

    def commune(self) -> Commune:
        """A fresh instance per request, so nothing a view sets on it outlives the request.

        Copied from the instance built once from the routed columns: the same field values and
        deferred fields, without running ``Model.__init__`` on every request.
        """
        commune = Commune.__new__(Commune)
        commune.__dict__.update(self._prototype.__dict__)
        commune._state = ModelState()
        commune._state.adding, commune._state.db = False, self._prototype._state.db
        return commune


class RouteCache:
    """A bounded LRU of host → ``Route`` (or ``None``: no commune) with expiry, thread-safe."""

    def __init__(self, size: int, seconds: float) -> None:
        self.size, self.seconds = size, seconds
        self._entries: OrderedDict[str, tuple[float, Route | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, host: str) -> tuple[bool, Route | None]:
        """``(True, route)`` when ``host`` is cached and fresh, ``(False, None)`` otherwise."""
        with self._lock:
            entry = self._entries.get(host)
            if entry is None:
                return False, None
            if entry[0] <= time.monotonic():
                del self._entries[host]
                return False, None
            self._entries.move_to_end(host)
            return True, entry[1]

    def put(self, host: str, route: Route | None) -> None:
        with self._lock:
            self._entries[host] = (time.monotonic() + self.seconds, route)
            self._entries.move_to_end(host)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget_host(self, host: str) -> None:
        with self._lock:
            self._entries.pop(host, None)

    def forget_commune(self, commune_id: int) -> None:
        with self._lock:
            for host in [h for h, (_exp, route) in self._entries.items() if route and route.commune_id == commune_id]:
                del self._entries[host]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class Listener:
    """This process's ``LISTEN`` connection; ``poll`` applies what arrived without blocking."""

    def __init__(self, cache: RouteCache) -> None:
        self.cache = cache
        self._conn: psycopg.Connection[Any] | None = None
        self._pid = 0
        self._inherited: list[psycopg.Connection[Any]] = []
        self._retry_at = 0.0  # after a failed attempt to listen, the next one waits a little
        self._lock = threading.Lock()

    def poll(self) -> bool:
        """Apply pending notifications; False when not listening (then nothing may be cached)."""
        with self._lock:
            if self._conn is not None and self._pid != os.getpid():
                # Inherited from the parent process: its socket is the parent's, so it is kept
                # referenced (a collected connection would say goodbye on that socket).
                self._inherited.append(self._conn)
                self._conn = None
            if self._conn is None:
                return self._listen()
            try:
                # Twice: a terminated backend's last message is read first, its closed socket next.
                self._conn.pgconn.consume_input()
                self._conn.pgconn.consume_input()
                while (notify := self._conn.pgconn.notifies()) is not None:
                    self._apply(notify.extra.decode())
            except psycopg.Error:
                self._conn = None
                self.cache.clear()
                return self._listen()
            return True

    def _listen(self) -> bool:
        # Every (re)start empties the cache: notifications sent while nobody listened are lost.
        self.cache.clear()
        if time.monotonic() < self._retry_at:
            return False
        params = connections["default"].get_connection_params()
        try:
            self._conn = psycopg.connect(**params, autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            self._conn = None
            self._retry_at = time.monotonic() + LISTEN_RETRY_SECONDS
            return False
        self._pid = os.getpid()
        return True

    def _apply(self, payload: str) -> None:
        kind, _sep, value = payload.partition(":")
        if kind == "host":
            self.cache.forget_host(value)
        elif kind == "commune" and value.isdigit():
            self.cache.forget_commune(int(value))
        else:
            self.cache.clear()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


cache = RouteCache(settings.KOMMUNAL_ROUTING_CACHE_SIZE, settings.KOMMUNAL_ROUTING_CACHE_SECONDS)
listener = Listener(cache)


def route_for_host(host: str) -> Route | None:
    """The commune that serves ``host`` (a verified host of it), or ``None``; usually no query."""
    listening = listener.poll()
    hit, route = cache.get(host)
    if hit:
        return route
    values = (
        Domain.objects.filter(domain=host, verified_at__isnull=False)
        .values_list(*(f"tenant__{name}" for name in ROUTE_FIELDS))
        .first()
    )
    route = Route(tuple(values)) if values is not None else None
    if listening:
        cache.put(host, route)
    return route


def forget_commune(commune_id: int) -> None:
    """Drop this process's entries of a commune at once (other processes hear it on commit)."""
    cache.forget_commune(commune_id)


def forget_host(host: str) -> None:
    """Drop this process's entry of a host at once (other processes hear it on commit)."""
    cache.forget_host(host)
