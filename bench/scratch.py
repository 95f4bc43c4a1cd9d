"""The scratch database every benchmark works in: created fresh, dropped at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def scratch_platform(suffix: str = "_bench") -> Iterator[None]:
    """Django set up on a fresh scratch database, dropped on the way out.

    Background jobs run in-process (no Redis, no broker), so the timings include them.
    """
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("KOMMUNAL_DEV", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunal.settings")
    admin = scratch_database(suffix)
    import django

    django.setup()
    try:
        yield
    finally:
        drop_scratch(admin)


def scratch_database(suffix: str = "_bench") -> str | None:
    """Point DATABASE_URL at a fresh scratch database; return its admin URL for dropping it.

    The scratch database is ``<database of DATABASE_URL><suffix>`` on the same server; without
    DATABASE_URL the benchmark runs on a throw-away embedded PostgreSQL instead (None returned).
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["KOMMUNAL_EMBEDDED_DB"] = "ephemeral"
        return None
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "kommunal") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return admin


def drop_scratch(admin: str | None) -> None:
    """Drop the scratch database ``scratch_database`` made (nothing for the embedded server)."""
    if admin is None:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
