"""Refreshing ``TenantStats`` and ``ServiceUsage``: one ``UNION ALL`` statement per batch of schemas.

Counting per schema on every page view would cost one query per commune; instead a periodic job
(``kommunal refresh_tenant_stats`` or the Celery task ``operators.tasks.refresh_tenant_stats``)
reads ``BATCH_SIZE`` schemas per statement and stores the figures in the public schema.

A schema only gets a subquery for tables it has: which tables exist is looked up once per batch in
``pg_class``, so a schema created by an older code version (or a source registered by an app that
is not migrated there yet) counts as zero instead of failing the whole statement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from operators.models import ServiceUsage, TenantStats
from tenants import selectors

BATCH_SIZE = 500


@dataclass(frozen=True)
class Source:
    """One SQL aggregate over one tenant table (``expression`` is evaluated over the whole table)."""

    table: str
    expression: str


# Figures summed over their sources. An app that adds a table with citizens' requests appends
# e.g. Source("requests_request", "count(*) FILTER (WHERE closed_at IS NULL)") to "open_requests".
COUNT_SOURCES: dict[str, list[Source]] = {
    "active_services": [Source("activations_activation", "count(*) FILTER (WHERE is_active)")],
    "open_requests": [],
}
# The latest of these times is the commune's last activity.
ACTIVITY_SOURCES: list[Source] = [
    Source("activations_activation", "max(updated_at)"),
    Source("accounts_user", "max(last_login)"),
]
SERVICE_USAGE_SOURCE = "activations_activation"


@dataclass(frozen=True)
class RefreshResult:
    schemas: int
    statements: int


def _existing_tables(schemas: list[str]) -> set[tuple[str, str]]:
    tables = {source.table for sources in COUNT_SOURCES.values() for source in sources}
    tables |= {source.table for source in ACTIVITY_SOURCES} | {SERVICE_USAGE_SOURCE}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
            [schemas, sorted(tables)],
        )
        return {(schema, table) for schema, table in cursor.fetchall()}


def _subquery(schema: str, source: Source) -> str:
    return f"(SELECT {source.expression} FROM {connection.ops.quote_name(schema)}.{source.table})"  # noqa: S608


def _row_sql(commune_id: int, schema: str, existing: set[tuple[str, str]]) -> str:
    columns = [f"{int(commune_id)}"]
    for sources in COUNT_SOURCES.values():
        parts = [f"COALESCE({_subquery(schema, s)}, 0)" for s in sources if (schema, s.table) in existing]
        columns.append(" + ".join(parts) if parts else "0")
    times = [_subquery(schema, s) for s in ACTIVITY_SOURCES if (schema, s.table) in existing]
    columns.append(f"GREATEST({', '.join(times)})" if times else "NULL::timestamptz")
    return "SELECT " + ", ".join(columns)


def _usage_sql(schema: str) -> str:
    table = f"{connection.ops.quote_name(schema)}.{SERVICE_USAGE_SOURCE}"
    return f"SELECT service_id, count(*) AS n FROM {table} WHERE is_active GROUP BY service_id"  # noqa: S608


def refresh_tenant_stats(batch_size: int = BATCH_SIZE, now: datetime | None = None) -> RefreshResult:
    """Recount every commune with a schema: three statements (tables, figures, usage) per batch plus upserts."""
    now = now or timezone.now()
    statements = 0
    usage: Counter[int] = Counter()
    with schema_context(get_public_schema_name()):
        communes = list(selectors.communes_with_schema().order_by("pk").values_list("pk", "schema_name"))
        for start in range(0, len(communes), batch_size):
            batch = communes[start : start + batch_size]
            existing = _existing_tables([schema for _pk, schema in batch])
            rows_sql = " UNION ALL ".join(_row_sql(pk, schema, existing) for pk, schema in batch)
            usage_parts = [_usage_sql(schema) for _pk, schema in batch if (schema, SERVICE_USAGE_SOURCE) in existing]
            with connection.cursor() as cursor:
                cursor.execute(rows_sql)
                rows = cursor.fetchall()
                statements += 2
                if usage_parts:
                    cursor.execute(
                        f"SELECT service_id, sum(n) FROM ({' UNION ALL '.join(usage_parts)}) AS u GROUP BY service_id"  # noqa: S608
                    )
                    usage.update({service_id: int(n) for service_id, n in cursor.fetchall()})
                    statements += 1
            TenantStats.objects.bulk_create(
                [
                    TenantStats(
                        commune_id=row[0],
                        active_services=row[1],
                        open_requests=row[2],
                        last_activity_at=row[3],
                        refreshed_at=now,
                    )
                    for row in rows
                ],
                update_conflicts=True,
                unique_fields=["commune"],
                update_fields=["active_services", "open_requests", "last_activity_at", "refreshed_at"],
            )
        with transaction.atomic():
            ServiceUsage.objects.all().delete()
            ServiceUsage.objects.bulk_create(
                [ServiceUsage(service_id=pk, active_communes=n, refreshed_at=now) for pk, n in usage.items()]
            )
        TenantStats.objects.exclude(commune__in=selectors.communes_with_schema()).delete()
    return RefreshResult(schemas=len(communes), statements=statements)


def stats_refreshed_at() -> datetime | None:
    """When the figures were last refreshed (``None`` before the first run)."""
    latest = TenantStats.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first()
    return latest
