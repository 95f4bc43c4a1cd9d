"""The template schema new communes are cloned from, instead of replaying every migration.

``_kommunal_template`` is a tenant schema with every migration applied and no commune data (only
what migrations themselves create: content types, permissions). Cloning it is one SQL statement
(django-tenants' ``clone_schema`` function), so a new schema costs the same however many
migrations the project has. The template's migration fingerprint (``tenants.migration_state``) is
compared with the code's before every clone; a stale or missing template falls back to
migrations, so a clone is never behind.

Cloning replays a *clone plan*: SQL statements read once from the template's catalogue (tables,
constraints and indexes with their original names, the rows migrations created, identity
sequences), cached per process and template fingerprint. That is about ten times faster than
django-tenants' generic ``clone_schema`` PL/pgSQL function, which re-reads the catalogue for every
clone; the generic function remains the fallback for templates holding other kinds of objects.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, transaction
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

from tenants import placement
from tenants.db import connection, local_search_path
from tenants.migration_state import schema_fingerprint, schema_is_migrated

logger = logging.getLogger(__name__)

# Commune schema names start with a letter (tenants.validators), so no commune can take these.
TEMPLATE_SCHEMA = "_kommunal_template"
BUILD_SCHEMA = "_kommunal_template_build"


def template_fingerprint() -> str:
    """The template's migration fingerprint, or '' when there is no template."""
    return schema_fingerprint(TEMPLATE_SCHEMA) if schema_exists(TEMPLATE_SCHEMA) else ""


def template_is_current() -> bool:
    """Whether the template exists and has every migration the code expects (two queries)."""
    return schema_exists(TEMPLATE_SCHEMA) and schema_is_migrated(TEMPLATE_SCHEMA)


def refresh_template() -> bool:
    """Rebuild the template when it is missing or stale; return whether it was rebuilt.

    The new template is migrated under a scratch name and renamed in one transaction, so a
    provisioning that clones meanwhile sees either the old or the new template, never half a one.
    """
    if template_is_current():
        return False
    _drop(BUILD_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{BUILD_SCHEMA}"')
    call_command("migrate_schemas", tenant=True, schema_name=BUILD_SCHEMA, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{TEMPLATE_SCHEMA}" CASCADE')
        cursor.execute(f'ALTER SCHEMA "{BUILD_SCHEMA}" RENAME TO "{TEMPLATE_SCHEMA}"')
    logger.info("template schema %s rebuilt at fingerprint %s", TEMPLATE_SCHEMA, template_fingerprint()[:12])
    return True


def clone_template(schema_name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create ``schema_name`` as a copy of the template (structure and migration records), atomically.

    ``using`` names the server (tenants.placement); its template must be a copy of default's
    (``placement.sync_server``), since the plan is read from default's template.
    """
    connection.set_schema_to_public()
    plan = clone_plan(template_fingerprint())
    if plan is None and using == DEFAULT_DB_ALIAS:
        CloneSchema().clone_schema(TEMPLATE_SCHEMA, schema_name, "DATA")
        return
    if plan is None:
        raise RuntimeError(f"The template holds objects only a same-server clone copies; cannot clone onto {using}.")
    target = placement.connection_to(using)
    target.set_schema_to_public()
    with transaction.atomic(using=using), target.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        with local_search_path(cursor, schema_name):
            cursor.execute(";\n".join(plan))
    target.set_schema_to_public()


@lru_cache(maxsize=2)
def clone_plan(fingerprint: str) -> tuple[str, ...] | None:
    """The statements that rebuild the template inside the current ``search_path``.

    ``None`` when the template holds objects the plan does not cover (views, functions, triggers,
    sequences not owned by identity columns, defaults calling ``nextval``); ``fingerprint`` only
    keys the cache.
    """
    # Unqualified names in the definitions below, so they apply to whichever schema runs them.
    with transaction.atomic(), connection.cursor() as cursor, local_search_path(cursor, TEMPLATE_SCHEMA):
        cursor.execute(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %(s)s AND (c.relkind IN ('v', 'm', 'f', 'p')
                  OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')))
            UNION ALL SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(s)s
            UNION ALL SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(s)s AND NOT t.tgisinternal
            UNION ALL SELECT count(*) FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %(s)s AND pg_get_expr(a.adbin, a.adrelid) LIKE '%%nextval(%%'
            """,
            {"s": TEMPLATE_SCHEMA},
        )
        if any(count for (count,) in cursor.fetchall()):
            return None
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname
            """,
            [TEMPLATE_SCHEMA],
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """
            SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid)
            FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
            WHERE n.nspname = %s ORDER BY CASE co.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'c' THEN 2 ELSE 3 END,
                  cl.relname, co.conname
            """,
            [TEMPLATE_SCHEMA],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid)
            ORDER BY c.relname
            """,
            [TEMPLATE_SCHEMA],
        )
        # pg_get_indexdef always qualifies the table; the plan must not.
        indexes = [row[0].replace(f" ON {TEMPLATE_SCHEMA}.", " ON ", 1) for row in cursor.fetchall()]
        filled = []
        for table in tables:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608 - name from the catalogue
            if cursor.fetchone()[0]:
                filled.append(table)
        cursor.execute(
            """
            SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND a.attidentity <> '' ORDER BY 1
            """,
            [TEMPLATE_SCHEMA],
        )
        identities = [(table, column) for table, column in cursor.fetchall() if table in filled]
    # Every name below comes from PostgreSQL's catalogue of the template, none from users.
    source = f'"{TEMPLATE_SCHEMA}"'
    plan = [
        f'CREATE TABLE "{table}" (LIKE {source}."{table}" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED)'
        for table in tables
    ]
    plan += [
        f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE SELECT * FROM {source}."{table}"'  # noqa: S608
        for table in filled
    ]
    plan += [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints]
    plan += indexes
    plan += [
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "  # noqa: S608
        f'(SELECT coalesce(max("{column}"), 0) + 1 FROM "{table}"), false)'
        for table, column in identities
    ]
    return tuple(plan)


def _drop(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
