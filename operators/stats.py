"""Refreshing ``TenantStats`` and ``ServiceUsage``: one ``UNION ALL`` statement per batch of schemas.

Counting per schema on every page view would cost one query per commune; instead a periodic job
(``kommunal refresh_tenant_stats`` or the Celery task ``operators.tasks.refresh_tenant_stats``)
reads ``BATCH_SIZE`` schemas per statement and stores the figures in the public schema.

A schema only gets a branch for tables it has: which tables exist is looked up once per batch in
``pg_class``, so a schema created by an older code version (or a source registered by an app that
is not migrated there yet) counts as zero instead of failing the whole statement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from catalog.models import Service
from operators.models import RequestsPerWeek, ServiceUsage, TenantStats
from tenants import selectors
from tenants.models import Commune

# Planning time grows faster than linearly with the branches of one statement; see bench/tenant_stats.py.
BATCH_SIZE = 200


@dataclass(frozen=True)
class Source:
    """One SQL aggregate over one tenant table that feeds one column of ``TenantStats``."""

    table: str
    column: str
    expression: str


# Column of TenantStats -> (SQL type, how the values of several tables are combined).
COLUMNS = {
    "active_services": ("bigint", "sum"),
    "open_requests": ("bigint", "sum"),
    "last_activity_at": ("timestamptz", "max"),
}
SOURCES: list[Source] = [
    Source("activations_activation", "active_services", "count(*) FILTER (WHERE is_active)"),
    Source("activations_activation", "last_activity_at", "max(updated_at)"),
    Source("accounts_user", "last_activity_at", "max(last_login)"),
    Source(
        "citizen_requests_citizenrequest",
        "open_requests",
        "count(*) FILTER (WHERE status IN ('received', 'in_progress'))",
    ),
    Source("citizen_requests_citizenrequest", "last_activity_at", "max(updated_at)"),
]
SERVICE_USAGE_SOURCE = "activations_activation"
REQUESTS_SOURCE = "citizen_requests_citizenrequest"
REQUEST_WEEKS = 12


@dataclass(frozen=True)
class RefreshResult:
    schemas: int
    statements: int


def _existing_tables(schemas: list[str]) -> set[tuple[str, str]]:
    tables = {source.table for source in SOURCES} | {SERVICE_USAGE_SOURCE, REQUESTS_SOURCE}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
            [schemas, sorted(tables)],
        )
        return {(schema, table) for schema, table in cursor.fetchall()}


def _branch(commune_id: int, schema: str, table: str | None) -> str:
    """One row of partial figures: the aggregates of one table (or a row of NULLs without a table)."""
    values = [str(int(commune_id))]
    for column, (sql_type, _combine) in COLUMNS.items():
        expressions = [s.expression for s in SOURCES if s.table == table and s.column == column]
        values.append(f"({' + '.join(expressions)})::{sql_type}" if expressions else f"NULL::{sql_type}")
    select = "SELECT " + ", ".join(values)
    return f"{select} FROM {connection.ops.quote_name(schema)}.{table}" if table else select


def _figures_sql(batch: list[tuple[int, str]], existing: set[tuple[str, str]]) -> str:
    tables = sorted({source.table for source in SOURCES})
    branches = []
    for commune_id, schema in batch:
        branches.append(_branch(commune_id, schema, None))  # every commune gets a row, even without tables
        branches += [_branch(commune_id, schema, table) for table in tables if (schema, table) in existing]
    combined = ", ".join(
        f"COALESCE({combine}({column}), 0)" if combine == "sum" else f"{combine}({column})"
        for column, (_t, combine) in COLUMNS.items()
    )
    names = ", ".join(["commune_id", *COLUMNS])
    return (
        f"SELECT commune_id, {combined} FROM ({' UNION ALL '.join(branches)}) AS figures ({names}) GROUP BY commune_id"  # noqa: S608
    )


def _usage_sql(schema: str) -> str:
    table = f"{connection.ops.quote_name(schema)}.{SERVICE_USAGE_SOURCE}"
    return f"SELECT service_id, count(*) AS n FROM {table} WHERE is_active GROUP BY service_id"  # noqa: S608


def _requests_per_week_sql(schema: str) -> str:
    table = f"{connection.ops.quote_name(schema)}.{REQUESTS_SOURCE}"
    since = f"date_trunc('week', now()) - interval '{REQUEST_WEEKS - 1} weeks'"
    return f"SELECT date_trunc('week', submitted_at)::date AS week, count(*) AS n FROM {table} WHERE submitted_at >= {since} GROUP BY 1"  # noqa: S608


def _sum_over(parts: list[str], key: str) -> dict[Any, int]:
    """Run the UNION ALL of ``parts`` (each yielding ``key, n``) and sum ``n`` per key (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, sum(n) FROM ({' UNION ALL '.join(parts)}) AS parts GROUP BY {key}")  # noqa: S608
        return {value: int(n) for value, n in cursor.fetchall()}


def _store_figures(rows: list[tuple[Any, ...]], now: datetime) -> None:
    """Upsert the ``TenantStats`` of the rows ``_figures_sql`` returned."""
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


def refresh_commune_stats(commune: Commune, now: datetime | None = None) -> TenantStats:
    """Recount the figures of one commune (two statements): when it is provisioned, and on an
    operator's request from the console. Service usage and requests per week stay with the
    periodic ``refresh_tenant_stats``."""
    now = now or timezone.now()
    with schema_context(get_public_schema_name()):
        existing = _existing_tables([commune.schema_name])
        with connection.cursor() as cursor:
            cursor.execute(_figures_sql([(commune.pk, commune.schema_name)], existing))
            rows = cursor.fetchall()
        _store_figures(rows, now)
        return TenantStats.objects.get(commune_id=commune.pk)


def refresh_tenant_stats(batch_size: int = BATCH_SIZE, now: datetime | None = None) -> RefreshResult:
    """Recount every commune with a schema: at most four statements (tables, figures, usage, requests per
    week) per batch of schemas, plus the upserts."""
    now = now or timezone.now()
    statements = 0
    usage: Counter[int] = Counter()
    per_week: Counter[date] = Counter()
    with schema_context(get_public_schema_name()):
        communes = list(selectors.communes_with_schema().order_by("pk").values_list("pk", "schema_name"))
        for start in range(0, len(communes), batch_size):
            batch = communes[start : start + batch_size]
            existing = _existing_tables([schema for _pk, schema in batch])
            rows_sql = _figures_sql(batch, existing)
            usage_parts = [_usage_sql(schema) for _pk, schema in batch if (schema, SERVICE_USAGE_SOURCE) in existing]
            week_parts = [_requests_per_week_sql(s) for _pk, s in batch if (s, REQUESTS_SOURCE) in existing]
            with connection.cursor() as cursor:
                cursor.execute(rows_sql)
                rows = cursor.fetchall()
                statements += 2
            if usage_parts:
                usage.update(_sum_over(usage_parts, "service_id"))
                statements += 1
            if week_parts:
                per_week.update(_sum_over(week_parts, "week"))
                statements += 1
            _store_figures(rows, now)
        with transaction.atomic():
            ServiceUsage.objects.all().delete()
            known = set(Service.objects.filter(pk__in=list(usage)).values_list("pk", flat=True))
            ServiceUsage.objects.bulk_create(
                [
                    ServiceUsage(service_id=pk, active_communes=n, refreshed_at=now)
                    for pk, n in usage.items()
                    if pk in known
                ]
            )
            RequestsPerWeek.objects.all().delete()
            RequestsPerWeek.objects.bulk_create(
                [RequestsPerWeek(week=week, requests=n, refreshed_at=now) for week, n in per_week.items()]
            )
        TenantStats.objects.exclude(commune__in=selectors.communes_with_schema()).delete()
    return RefreshResult(schemas=len(communes), statements=statements)


def stats_refreshed_at() -> datetime | None:
    """When the figures were last refreshed (``None`` before the first run)."""
    latest = TenantStats.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first()
    return latest
