"""Refreshing the operator console's tenant figures over many schemas: batched UNION ALL vs. a loop.

Creates BENCH_SCHEMAS (default 2000) bare schemas with the counted tables and registry rows,
times ``refresh_tenant_stats`` and, for comparison, one count query per schema, then removes
everything it created. Run with ``make bench`` (uses DATABASE_URL or the embedded PostgreSQL).
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from operators import selectors  # noqa: E402
from operators.models import TenantStats  # noqa: E402
from operators.stats import refresh_tenant_stats  # noqa: E402
from tenants.models import Commune  # noqa: E402

SCHEMAS = int(os.environ.get("BENCH_SCHEMAS", "2000"))
CHUNK = 200
PREFIX = "bench_"


def schema_ddl(name: str) -> str:
    return (
        f"CREATE SCHEMA {name};"  # noqa: S608
        f"CREATE TABLE {name}.activations_activation (id bigserial PRIMARY KEY, service_id bigint NOT NULL, "
        f"is_active boolean NOT NULL, updated_at timestamptz NOT NULL);"
        f"INSERT INTO {name}.activations_activation (service_id, is_active, updated_at) "
        f"SELECT g, g % 4 <> 0, now() FROM generate_series(1, 12) g;"
        f"CREATE TABLE {name}.accounts_user (id bigserial PRIMARY KEY, last_login timestamptz);"
        f"INSERT INTO {name}.accounts_user (last_login) SELECT now() FROM generate_series(1, 5);"
    )


def create(names: list[str]) -> None:
    for start in range(0, len(names), CHUNK):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("".join(schema_ddl(name) for name in names[start : start + CHUNK]))
    Commune.objects.bulk_create(
        [
            Commune(
                name=f"Bench {i}",
                ags=f"9{i:07d}",
                land="Bench",
                landkreis="Bench",
                slug=f"bench-{i}",
                schema_name=name,
                status=Commune.Status.ACTIVE,
            )
            for i, name in enumerate(names)
        ],
        batch_size=1000,
    )


def registry_only(count: int, offset: int) -> None:
    """Offboarded registry rows without a schema: the console lists them, the refresh skips them."""
    Commune.objects.bulk_create(
        [
            Commune(
                name=f"Bench {i}",
                ags=f"9{i:07d}",
                land="Bench",
                landkreis="Bench",
                slug=f"bench-{i}",
                schema_name=f"{PREFIX}{i}",
                status=Commune.Status.OFFBOARDED,
            )
            for i in range(offset, offset + count)
        ],
        batch_size=1000,
    )


def console_page() -> None:
    """What the tenant list reads for one page, whatever the number of communes."""
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(selectors.tenants({"land": "Bench"}), 50).get_page(3)
        rows = [(c.name, getattr(c, "stats", None)) for c in page]
        selectors.filter_choices()
    print(
        f"tenant list page over {page.paginator.count} communes: {len(rows)} rows, "
        f"{len(queries)} queries, {1000 * (time.monotonic() - started):.0f} ms"
    )


def drop(names: list[str]) -> None:
    TenantStats.objects.filter(commune__schema_name__startswith=PREFIX).delete()
    Commune.objects.filter(schema_name__startswith=PREFIX).delete()
    for start in range(0, len(names), CHUNK):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("".join(f"DROP SCHEMA IF EXISTS {n} CASCADE;" for n in names[start : start + CHUNK]))


def per_schema_loop(names: list[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SELECT count(*) FILTER (WHERE is_active) FROM {name}.activations_activation")  # noqa: S608
            cursor.fetchone()
            cursor.execute(f"SELECT max(last_login) FROM {name}.accounts_user")  # noqa: S608
            cursor.fetchone()


def main() -> None:
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    names = [f"{PREFIX}{i}" for i in range(SCHEMAS)]
    drop([f"{PREFIX}{i}" for i in range(10_000)])
    started = time.monotonic()
    create(names)
    print(f"created {SCHEMAS} schemas in {time.monotonic() - started:.1f}s")
    try:
        for batch_size in (100, 200, 500):
            started = time.monotonic()
            result = refresh_tenant_stats(batch_size=batch_size)
            elapsed = time.monotonic() - started
            print(
                f"refresh_tenant_stats batch={batch_size}: {result.schemas} schemas, "
                f"{result.statements} statements, {elapsed:.2f}s"
            )
        started = time.monotonic()
        per_schema_loop(names)
        print(
            f"for comparison, two queries per schema in a loop: {2 * SCHEMAS} queries, {time.monotonic() - started:.2f}s"
        )
        registry_only(10_000 - SCHEMAS, SCHEMAS)
        console_page()
        counted = TenantStats.objects.filter(commune__schema_name__startswith=PREFIX, active_services=9).count()
        print(f"schemas with the expected 9 active services: {counted}/{SCHEMAS}")
    finally:
        drop([f"{PREFIX}{i}" for i in range(10_000)])


if __name__ == "__main__":
    main()
