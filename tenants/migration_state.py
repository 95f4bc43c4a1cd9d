"""Which migrations a schema should have, and whether it has them.

After ``migrate_schemas`` migrates a tenant schema, the names of the tenant-app migrations applied
to it are stored on its commune (``Commune.applied_migrations``). A schema is up to date for the
running code when it has the latest migration of every tenant app that code knows, so "is every
schema migrated?" is one array-containment query over the registry, not one query per schema.
Containment (not equality) keeps old web processes healthy while a deploy has already migrated
the schemas ahead of them.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name


@lru_cache(maxsize=1)
def _graph_leaves() -> frozenset[tuple[str, str]]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _labels(apps: list[str]) -> set[str]:
    return {app.rsplit(".", 1)[-1] for app in apps}


def _applied_migrations(schema_name: str, using: str = DEFAULT_DB_ALIAS) -> set[tuple[str, str]]:
    # Qualified, so it reads the schema on whichever server ``using`` names (tenants.placement).
    table = f'"{schema_name}".django_migrations'
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            return set()
        cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608 - a schema name, validated
        return set(cursor.fetchall())


def expected_tenant_migrations() -> list[str]:
    """``app.migration`` names a tenant schema must have for the running code (sorted)."""
    labels = _labels(settings.TENANT_APPS)
    return sorted(f"{app}.{name}" for app, name in _graph_leaves() if app in labels)


def tenant_migrations_applied(schema_name: str, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``app.migration`` names of the tenant apps applied to ``schema_name`` on ``using`` (sorted)."""
    labels = _labels(settings.TENANT_APPS)
    return sorted(f"{app}.{name}" for app, name in _applied_migrations(schema_name, using) if app in labels)


def public_schema_is_migrated() -> bool:
    """Whether the public schema has the latest migration of every shared app (one query)."""
    labels = _labels(settings.SHARED_APPS)
    leaves = {node for node in _graph_leaves() if node[0] in labels}
    return leaves <= _applied_migrations(get_public_schema_name())


def schema_is_migrated(schema_name: str, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether ``schema_name`` has the latest migration of every tenant app the code knows."""
    return set(expected_tenant_migrations()) <= set(tenant_migrations_applied(schema_name, using))


def schema_fingerprint(schema_name: str, using: str = DEFAULT_DB_ALIAS) -> str:
    """A short digest of the tenant-app migrations applied to ``schema_name`` ('' for none)."""
    applied = tenant_migrations_applied(schema_name, using)
    return hashlib.sha256(";".join(applied).encode()).hexdigest() if applied else ""
