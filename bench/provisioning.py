"""Benchmark: approval-to-usable time of a new commune, cloned from the template vs. migrated.

Standalone (``make bench``, or ``python bench/provisioning.py --tenants 1000 --samples 15``). It
works in a scratch database it creates and drops: ``<database of DATABASE_URL>_bench`` on the same
server, or a throw-away embedded PostgreSQL when DATABASE_URL is unset. It first creates
``--tenants`` lightweight communes (registry row, host, cloned schema; no users or data) so that
the catalogue is as large as in production, then for each method approves ``--samples`` verified
applications and measures the time from approval until the new portal answers its first request.
Prints median and p95 per method.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_platform  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=int(os.environ.get("BENCH_TENANTS", "1000")))
    parser.add_argument("--samples", type=int, default=int(os.environ.get("BENCH_SAMPLES", "15")))
    parser.add_argument("--migrate-samples", type=int, default=int(os.environ.get("BENCH_MIGRATE_SAMPLES", "5")))
    options = parser.parse_args()

    with scratch_platform():
        from django.test.utils import setup_test_environment

        setup_test_environment()  # e-mails into memory, any test host allowed
        run(options)


def run(options: argparse.Namespace) -> None:
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from signup import actions
    from signup.models import Application
    from tenants import template
    from tenants.db import connection
    from tenants.migration_state import tenant_migrations_applied
    from tenants.models import Commune, Domain, Municipality

    logging.disable(logging.WARNING)
    started = time.perf_counter()
    call_command("migrate_locked", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_municipalities", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"setup: schema and directory in {time.perf_counter() - started:.1f} s")

    municipalities = list(
        Municipality.objects.order_by("ags")[: options.tenants + options.samples + options.migrate_samples]
    )
    existing, fresh = municipalities[: options.tenants], municipalities[options.tenants :]
    started = time.perf_counter()
    applied = tenant_migrations_applied(template.TEMPLATE_SCHEMA)
    communes = Commune.objects.bulk_create(
        Commune(
            name=m.short_name,
            ags=m.ags,
            land=m.land,
            landkreis=m.kreis,
            slug=f"bench-{m.ags}",
            schema_name=f"bench_{m.ags}",
            status=Commune.Status.ACTIVE,
            applied_migrations=applied,
        )
        for m in existing
    )
    Domain.objects.bulk_create(
        Domain(domain=c.primary_host, tenant=c, is_primary=True, verified_at=timezone.now()) for c in communes
    )
    for commune in communes:
        template.clone_template(commune.schema_name)
    print(f"setup: {len(communes)} existing communes with schemas in {time.perf_counter() - started:.1f} s")

    def approval_to_usable(municipality: Municipality) -> float:
        application = actions.submit_application(
            ags=municipality.ags,
            applicant_name="Bench",
            applicant_role="Bench",
            applicant_email=f"admin@{municipality.ags}.example",
            accept_terms=True,
            accept_dpa=True,
        )
        Application.objects.filter(pk=application.pk).update(email_verified_at=timezone.now())
        begin = time.perf_counter()
        actions.approve_application(application, actor="bench")  # provisioning runs on commit, in-process
        application.refresh_from_db()
        commune = application.commune
        if application.status != Application.Status.ACTIVE or commune is None:
            raise RuntimeError(f"provisioning failed: {application.provisioning_error}")
        response = Client(HTTP_HOST=commune.primary_host).get("/")
        elapsed = time.perf_counter() - begin
        if response.status_code != 200:
            raise RuntimeError(f"the new portal answered {response.status_code}")
        connection.set_schema_to_public()
        return elapsed

    results = {}
    for method, count, from_template in (
        ("clone of the template", options.samples, True),
        ("running the migrations", options.migrate_samples, False),
    ):
        settings.KOMMUNAL_SCHEMA_FROM_TEMPLATE = from_template
        batch, fresh = fresh[:count], fresh[count:]
        approval_to_usable(batch[0])  # warm-up: caches, the clone plan, migration graph
        times = [approval_to_usable(m) for m in batch[1:]]
        results[method] = times
    print(f"\napproval-to-usable with {options.tenants} existing communes (seconds):")
    for method, times in results.items():
        print(
            f"  {method:<24} n={len(times):<3} median {statistics.median(times):.3f}  "
            f"p95 {percentile(times, 0.95):.3f}  min {min(times):.3f}  max {max(times):.3f}"
        )


if __name__ == "__main__":
    main()
