"""Which migrations a schema should have, and whether it has them.

The code's expected state is a fingerprint of the latest migration of every tenant app. After
``migrate_schemas`` migrates a schema, the schema's own fingerprint is stored on its commune, so
"is every schema migrated?" becomes one query over the registry instead of one per schema.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name, schema_context

BEHIND = "behind"


@lru_cache(maxsize=1)
def _graph_leaves() -> frozenset[tuple[str, str]]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _leaves_of(apps: list[str]) -> set[tuple[str, str]]:
    labels = {app.rsplit(".", 1)[-1] for app in apps}
    return {node for node in _graph_leaves() if node[0] in labels}


def _applied_migrations(schema_name: str) -> set[tuple[str, str]]:
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('django_migrations')")
        if cursor.fetchone()[0] is None:
            return set()
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def _fingerprint(nodes: set[tuple[str, str]]) -> str:
    return hashlib.sha256(";".join(f"{app}.{name}" for app, name in sorted(nodes)).encode()).hexdigest()


def expected_fingerprint() -> str:
    """The fingerprint every tenant schema has once it is fully migrated."""
    return _fingerprint(_leaves_of(settings.TENANT_APPS))


def schema_fingerprint(schema_name: str) -> str:
    """The fingerprint of ``schema_name``: the expected one, or ``behind`` if a migration is missing."""
    leaves = _leaves_of(settings.TENANT_APPS)
    return _fingerprint(leaves) if leaves <= _applied_migrations(schema_name) else BEHIND


def public_schema_is_migrated() -> bool:
    """Whether the public schema has the latest migration of every shared app (one query)."""
    return _leaves_of(settings.SHARED_APPS) <= _applied_migrations(get_public_schema_name())
