"""Routing, the portal page cache and catalog memory: the web sections of ``bench/fleet.py``.

Run through ``bench/fleet.py`` (``make bench``), which builds the fleet with the real provisioning
path. It serves the platform with gunicorn (``BENCH_WORKERS`` sync workers, default 3) on
loopback and loads it with ``wrk`` from its own process (``apt-get install wrk``), for
``BENCH_SECONDS`` (default 8) per round. Printed side by side:

- requests/s of a commune's sign-in page routed by host (one host, and rotating over up to 100
  hosts) against the same page served without routing (``bench/without_routing.py``: the
  commune fixed per process), and their ratio: what routing costs; the platform's own sign-in
  page for comparison (a smaller page: no commune header, footer, languages or branding);
- SQL statements per request (in-process, Django's query capture) on both hosts;
- requests/s of a commune's portal home from the page cache and rendered;
- the catalog cache memory of one PostgreSQL backend after touching every schema (up to 1,000).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OFFERED = 10  # services the benchmarked portal offers
Row = tuple[str, str, str]


def prepare(schemas: list[str]) -> list[Any]:
    """The fleet's communes in provisioning order; the first offers a few services."""
    from django.test.utils import setup_test_environment
    from django_tenants.utils import tenant_context

    from activations.services import activate_service
    from catalog.loader import load_catalog
    from catalog.models import Service
    from tenants.models import Commune

    setup_test_environment()
    load_catalog()
    by_schema = {commune.schema_name: commune for commune in Commune.objects.filter(schema_name__in=schemas)}
    communes = [by_schema[name] for name in schemas]
    with tenant_context(communes[0]):
        for slug in Service.objects.order_by("slug").values_list("slug", flat=True)[:OFFERED]:
            activate_service(service_slug=slug, actor="bench")
    return communes


def wrk(port: int, seconds: int, *, host: str = "", path: str = "/", hosts: list[str] | None = None) -> float:
    """Requests per second ``wrk`` reaches (2 threads, 12 connections); non-200 answers fail."""
    script = "done = function(summary, latency, requests) io.stderr:write(summary.errors.status .. '\\n') end\n"
    if hosts:
        names = ", ".join(f'"{h}"' for h in hosts)
        script += (
            f"hosts = {{{names}}}\ni = 0\nrequest = function()\n  i = i + 1\n"
            f'  return wrk.format("GET", "{path}", {{["Host"] = hosts[(i % #hosts) + 1]}})\nend\n'
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    command = ["wrk", "-t2", "-c12", f"-d{seconds}s", "-s", file.name]
    if host:
        command += ["-H", f"Host: {host}"]
    result = subprocess.run(  # noqa: S603
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    )
    os.unlink(file.name)
    if result.stderr.strip() != "0":
        raise RuntimeError(f"non-2xx answers from {host or hosts}: {result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]


def statements(host: str, path: str) -> int:
    """SQL statements of one warm request (the same host asked just before)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    if status != 200:
        raise RuntimeError(f"{host}{path} answered {status}")
    return len(captured.captured_queries)


def statement_rows(communes: list[Any]) -> list[Row]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tenants import routing

    zeitz, other = communes[0].primary_host, communes[1].primary_host
    platform = statements("localhost", "/accounts/login/")
    same = statements(zeitz, "/accounts/login/")
    cached = statements(zeitz, "/")
    # Counted right away: the next request's request_started signal empties the query log.
    Client(HTTP_HOST=other).get("/")
    with CaptureQueriesContext(connection) as captured:
        Client(HTTP_HOST=zeitz).get("/?uncached=1")
    switched = len(captured)
    routing.cache.clear()
    with CaptureQueriesContext(connection) as captured:
        Client(HTTP_HOST=zeitz).get("/accounts/login/")
    first = len(captured)
    return [
        ("SQL statements: sign-in page, platform host", str(platform), "per request"),
        ("SQL statements: sign-in page, commune host", str(same), f"per request (+{same - platform})"),
        ("SQL statements: portal home rendered after another commune", str(switched), "incl. SET search_path"),
        ("SQL statements: portal home from the page cache", str(cached), "per request"),
        ("SQL statements: first request of a host in a worker", str(first), "incl. the registry look-up"),
    ]


def web_rows(communes: list[Any], workers: int, seconds: int) -> list[Row]:
    from django.db import connection

    sys.path.insert(0, str(ROOT))
    from tests.wsgi_server import gunicorn

    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    zeitz = communes[0].primary_host
    rotating = [c.primary_host for c in communes[:100]]
    login = "/accounts/login/"
    os.environ.update(
        {"KOMMUNAL_DEV": "1", "KOMMUNAL_DEBUG": "0", "KOMMUNAL_LOG_LEVEL": "WARNING", "BENCH_FIXED_HOST": zeitz}
    )
    with (
        gunicorn(url, workers=workers, settings="kommunal.settings") as port,
        gunicorn(url, workers=workers, settings="bench.without_routing") as unrouted_port,
    ):
        wrk(port, 3, hosts=rotating, path=login)  # every worker warms its caches
        wrk(port, 1, host=zeitz)
        wrk(unrouted_port, 2, host=zeitz, path=login)
        # Interleaved rounds, best of each: a shared machine's load drifts between runs.
        runs: dict[str, list[float]] = {
            "unrouted": [],
            "tenant": [],
            "spread": [],
            "platform": [],
            "cached": [],
            "rendered": [],
        }
        for round_number in range(3):
            # The pair to compare alternates its order: the second of two runs tends to be slower.
            pair = [("unrouted", unrouted_port), ("tenant", port)]
            for name, server in pair if round_number % 2 == 0 else reversed(pair):
                runs[name].append(wrk(server, seconds, host=zeitz, path=login))
            runs["spread"].append(wrk(port, seconds, hosts=rotating, path=login))
            runs["platform"].append(wrk(port, seconds, host="localhost", path=login))
            runs["cached"].append(wrk(port, seconds, host=zeitz, path="/"))
            runs["rendered"].append(wrk(port, seconds, host=zeitz, path="/?uncached=1"))
        unrouted, tenant, spread, platform, cached, rendered = (max(runs[name]) for name in runs)
    return [
        ("req/s commune sign-in page, without routing", f"{unrouted:.0f}", "baseline: one fixed commune"),
        (
            "req/s commune sign-in page, routed, one host",
            f"{tenant:.0f}",
            f"baseline/routed = {unrouted / tenant:.2f}x",
        ),
        (
            f"req/s commune sign-in page, routed, {len(rotating)} hosts",
            f"{spread:.0f}",
            f"baseline/routed = {unrouted / spread:.2f}x",
        ),
        (
            "req/s platform sign-in page (no commune header/footer)",
            f"{platform:.0f}",
            f"platform/commune = {platform / tenant:.2f}x",
        ),
        ("req/s portal home, from the page cache", f"{cached:.0f}", f"cached/rendered = {cached / rendered:.1f}x"),
        ("req/s portal home, rendered", f"{rendered:.0f}", ""),
    ]


def catalog_memory_rows(communes: list[Any], limit: int = 1000) -> list[Row]:
    """Catalog cache of one fresh backend before and after serving the portal queries of each schema."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from branding.models import Branding
    from citizen_requests.selectors import active_activations

    def cache_bytes() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(total_bytes), 0) FROM pg_backend_memory_contexts "
                "WHERE name = 'CacheMemoryContext' OR parent = 'CacheMemoryContext'"
            )
            return int(cursor.fetchone()[0])

    connection.close()
    touched = communes[:limit]
    with tenant_context(touched[0]):
        list(active_activations())
        Branding.objects.first()
    before = cache_bytes()
    started = time.perf_counter()
    for commune in touched:
        with tenant_context(commune):
            list(active_activations())
            Branding.objects.first()
    elapsed = time.perf_counter() - started
    after = cache_bytes()
    per_schema = (after - before) / max(len(touched) - 1, 1)
    connection.close()
    return [
        ("catalog cache of a backend, one schema touched", f"{before / 2**20:.1f} MiB", ""),
        (
            f"catalog cache of a backend, {len(touched)} schemas touched",
            f"{after / 2**20:.1f} MiB",
            f"{per_schema / 1024:.0f} KiB per schema; {elapsed / len(touched) * 1000:.1f} ms per schema",
        ),
    ]


def rows(communes: list[Any], *, workers: int = 3, seconds: int = 8) -> list[Row]:
    """Every row of this part of the benchmark, for the communes ``prepare`` returned."""
    return statement_rows(communes) + web_rows(communes, workers, seconds) + catalog_memory_rows(communes)
