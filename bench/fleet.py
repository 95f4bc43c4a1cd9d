"""Benchmark: operating a fleet of communes on one deployment.

Standalone (``make bench``, or ``BENCH_COMMUNES=10000 python bench/fleet.py``). It works in a
scratch database like ``bench/provisioning.py`` (``<database of DATABASE_URL>_bench``, or a
throw-away embedded PostgreSQL when DATABASE_URL is unset). It first builds ``BENCH_COMMUNES``
communes (default 50) with the real provisioning path (directory entry, registration,
``provision_commune``: schema cloned from the template, primary host, first administrator), then
runs each section of ``SECTIONS`` and prints one table: what was measured, the figure, the
baseline it is compared with, and their ratio.

A section is a function ``(Fleet) -> list[Row]``; adding a measurement is appending one to
``SECTIONS``. The migration sections add a migration with one nullable column to the
``branding`` app for the duration of the run only (``MigrationLoader.build_graph`` is wrapped
in this process); the stock figures come from django-tenants' ``migrate_schemas`` on
``BENCH_STOCK_SAMPLE`` schemas (default 10), extrapolated per schema.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_platform  # noqa: E402


@dataclass(frozen=True)
class Fleet:
    """The communes built for the run (schema names in provisioning order)."""

    schemas: list[str]


@dataclass(frozen=True)
class Row:
    what: str
    figure: str
    baseline: str = ""
    ratio: str = ""


def _seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 100 else f"{value / 60:.1f} min"


@contextmanager
def nullable_column_migration() -> Iterator[None]:
    """The ``branding`` app gains one migration adding a nullable column, in this process only."""
    from django.db import migrations, models
    from django.db.migrations.loader import MigrationLoader

    from tenants import migration_state

    leaf = next(node for node in MigrationLoader(None).graph.leaf_nodes() if node[0] == "branding")
    migration_class = type(
        "Migration",
        (migrations.Migration,),
        {
            "dependencies": [leaf],
            "operations": [migrations.AddField("branding", "bench_motto", models.CharField(max_length=40, null=True))],
        },
    )
    migration = migration_class("9001_bench_nullable_column", "branding")
    build_graph = MigrationLoader.build_graph

    def build_with_bench_migration(loader: MigrationLoader) -> None:
        build_graph(loader)
        key = ("branding", migration.name)
        loader.disk_migrations[key] = migration
        loader.graph.add_node(key, migration)
        loader.graph.add_dependency(migration, key, leaf)

    MigrationLoader.build_graph = build_with_bench_migration  # type: ignore[method-assign]
    migration_state._graph_leaves.cache_clear()
    try:
        yield
    finally:
        MigrationLoader.build_graph = build_graph  # type: ignore[method-assign]
        migration_state._graph_leaves.cache_clear()


def _quiet() -> Any:
    return open(os.devnull, "w")


def migrations_section(fleet: Fleet) -> list[Row]:
    """A real migration (one nullable column): fleet migrator vs. stock ``migrate_schemas``."""
    from django.core.management import call_command

    from tenants.db import connection

    sample = min(int(os.environ.get("BENCH_STOCK_SAMPLE", "10")), len(fleet.schemas) // 2)
    stock_schemas, fleet_schemas = fleet.schemas[:sample], fleet.schemas[sample:]
    with nullable_column_migration():
        started = time.perf_counter()
        for schema_name in stock_schemas:
            call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
        stock = (time.perf_counter() - started) / max(1, len(stock_schemas))
        connection.set_schema_to_public()
        started = time.perf_counter()
        scope = [f"--schema={name}" for name in fleet_schemas]
        call_command("migrate_locked", *scope, verbosity=0, stdout=_quiet(), stderr=_quiet())
        total = time.perf_counter() - started
        started = time.perf_counter()
        call_command("migrate_locked", verbosity=0, stdout=_quiet(), stderr=_quiet())  # the template is left
        template = time.perf_counter() - started
    per_schema = total / len(fleet_schemas)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return [
        Row(
            f"nullable column, per schema (fleet: {len(fleet_schemas)} schemas; stock: {sample})",
            _seconds(per_schema),
            _seconds(stock),
            f"{stock / per_schema:.0f}x faster",
        ),
        Row("nullable column, 10,000 schemas (extrapolated)", _seconds(per_schema * 10_000), _seconds(stock * 10_000)),
        Row(f"fleet run of {len(fleet_schemas)} schemas (plan, canary, replay)", _seconds(total)),
        Row("template schema rebuilt afterwards (once per deploy)", _seconds(template)),
        Row("peak RSS: bench process / largest worker", f"{own:.0f} MB / {workers:.0f} MB"),
    ]


def noop_section(fleet: Fleet) -> list[Row]:
    """A deploy with nothing to apply: ``kommunal migrate_locked`` as the deploy runs it."""
    from django.core.management import call_command

    from tenants.db import connection

    command = [str(Path(sys.executable).with_name("kommunal")), "migrate_locked", "--verbosity=0"]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - our own entry point
    noop = time.perf_counter() - started
    sample = fleet.schemas[: min(10, len(fleet.schemas))]
    started = time.perf_counter()
    for schema_name in sample:
        call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
    stock = (time.perf_counter() - started) / len(sample)
    connection.set_schema_to_public()
    return [
        Row(
            f"no-op deploy, {len(fleet.schemas)} communes (process start included)",
            _seconds(noop),
            f"{_seconds(stock * len(fleet.schemas))} ({_seconds(stock)}/schema)",
            f"{stock * len(fleet.schemas) / noop:.0f}x faster",
        ),
    ]


def web_section(fleet: Fleet) -> list[Row]:
    """Routing, the portal page cache and catalog memory (``bench/fleet_web.py``)."""
    from bench import fleet_web

    if len(fleet.schemas) < 2:
        return [Row("routing and page cache", "skipped: needs BENCH_COMMUNES >= 2")]
    communes = fleet_web.prepare(fleet.schemas)
    workers = int(os.environ.get("BENCH_WORKERS", "3"))
    seconds = int(os.environ.get("BENCH_SECONDS", "8"))
    return [
        Row(what, figure, "", note) for what, figure, note in fleet_web.rows(communes, workers=workers, seconds=seconds)
    ]


SECTIONS: list[Callable[[Fleet], list[Row]]] = [migrations_section, noop_section, web_section]


def build_fleet(count: int) -> Fleet:
    """``count`` communes made the way an approved application makes them."""
    from django.core.management import call_command

    from tenants import actions
    from tenants.db import connection
    from tenants.models import Municipality
    from tenants.provisioning import provision_commune

    call_command("migrate_locked", verbosity=0, stdout=_quiet())
    call_command("load_municipalities", stdout=_quiet())
    schemas = []
    started = time.perf_counter()
    for municipality in Municipality.objects.order_by("ags")[:count]:
        commune = actions.register_commune(ags=municipality.ags, slug=f"b{municipality.ags}", actor="bench")
        provision_commune(commune, admin_email=f"admin@{municipality.ags}.example", admin_name="Bench", actor="bench")
        connection.set_schema_to_public()
        schemas.append(commune.schema_name)
    print(f"setup: {count} communes provisioned in {time.perf_counter() - started:.1f} s", flush=True)
    return Fleet(schemas)


def main() -> None:
    count = int(os.environ.get("BENCH_COMMUNES", "50"))
    with scratch_platform():
        import logging

        logging.disable(logging.WARNING)
        fleet = build_fleet(count)
        rows = [row for section in SECTIONS for row in section(fleet)]
    print(f"\nfleet of {count} communes, {os.cpu_count()} CPUs:")
    widths = [max(len(getattr(row, column)) for row in rows) for column in ("what", "figure", "baseline")]
    print(f"  {'what':<{widths[0]}}  {'measured':>{widths[1]}}  {'baseline':>{widths[2]}}  ratio")
    for row in rows:
        print(f"  {row.what:<{widths[0]}}  {row.figure:>{widths[1]}}  {row.baseline:>{widths[2]}}  {row.ratio}")


if __name__ == "__main__":
    main()
