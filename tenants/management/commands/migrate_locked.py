"""``kommunal migrate_locked``: migrate the public schema and every commune schema, one deploy at a time.

Holds a PostgreSQL advisory lock (on a connection of its own), so two deploy jobs started at once
never migrate concurrently: the second waits for the first and then finds nothing left to do.
The public schema is migrated by django-tenants' ``migrate_schemas``; the commune schemas by the
fleet migrator (``tenants.fleet``: plan once per state, replay in batches on parallel workers,
resumable from the registry). Finally the template schema new communes are cloned from
(``tenants.template``) is rebuilt when its migrations are stale.

With nothing to do it costs a handful of queries, whatever the number of communes.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tenants import fleet, placement, template
from tenants.migration_state import expected_tenant_migrations, public_schema_is_migrated
from tenants.models import Commune

# Any constant shared by all deploy jobs; "KOMMUNAL" in ASCII.
MIGRATION_LOCK_ID = 0x4B4F4D4D554E414C


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"Expected a whole number of at least 1, got {value!r}.")
    return number


class Command(BaseCommand):
    help = "Migrate the public and all commune schemas (fleet migrator) under a PostgreSQL advisory lock."
    # Like Django's own migrate, no system checks first: importing every view and URL to check
    # them would be most of the cost of a deploy with nothing to migrate. Web and worker
    # processes run them when they start.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=_positive,
            default=os.cpu_count() or 1,
            help="Worker processes applying the plan (default: the number of CPUs).",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=50,
            help="Schemas a worker migrates on one database connection before opening a new one (default 50).",
        )
        parser.add_argument(
            "--schema",
            action="append",
            dest="schemas",
            metavar="NAME",
            help="Migrate only this commune schema (repeatable); the template is then left alone.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the plan and its SQL per state of the fleet; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The lock lives on a connection of its own: migrate_schemas closes Django's connection
        # between schemas, which would release a session lock taken there.
        lock_connection = connection.get_new_connection(connection.get_connection_params())
        try:
            lock_connection.autocommit = True
            if options["verbosity"] >= 2:
                self.stdout.write("Waiting for the migration lock ...")
            lock_connection.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
            with fleet.schema_local_recorder():
                self._migrate(options)
        finally:
            lock_connection.close()

    def _migrate(self, options: dict[str, Any]) -> None:
        verbosity = options["verbosity"]
        dry_run = options["dry_run"]
        if not public_schema_is_migrated():
            if dry_run:
                self.stdout.write("The public schema has migrations to apply first (migrate_schemas --shared).")
                return
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        only = options["schemas"]
        state = fleet.fleet_state(only)
        if only is not None:
            self._check_scope(only)
        if verbosity >= 1:
            self.stdout.write(
                f"{state.behind_count} commune schemas to migrate in {len(state.behind)} states; "
                f"{state.up_to_date} up to date; {state.without_schema} communes without a schema."
            )
        if dry_run:
            self._print_plans(state)
            return
        if state.behind:
            self._migrate_fleet(state, options)
        self._migrate_placed_communes(only, verbosity)
        if only is None and template.refresh_template() and verbosity >= 1:
            self.stdout.write(f"Template schema for new communes rebuilt at {template.template_fingerprint()[:12]}.")
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS("All schemas are migrated."))

    def _migrate_placed_communes(self, only: list[str] | None, verbosity: int) -> None:
        """Communes on other database servers (``tenants.placement``): each behind schema on its own
        server through django-tenants, then each server's catalogue copy and template."""
        servers = placement.aliases()[1:]
        if not servers:
            return
        placed = Commune.objects.exclude(status=Commune.Status.OFFBOARDED).filter(placement__in=servers)
        if only is not None:
            placed = placed.filter(schema_name__in=only)
        behind = placed.exclude(applied_migrations__contains=expected_tenant_migrations()).order_by("placement")
        for server, schema_name in behind.values_list("placement", "schema_name"):
            if placement.schema_exists_on(server, schema_name):
                call_command(
                    "migrate_schemas",
                    tenant=True,
                    schema_name=schema_name,
                    database=server,
                    interactive=False,
                    verbosity=verbosity,
                )
        for server in servers:
            placement.sync_server(server)

    def _check_scope(self, only: list[str]) -> None:
        known = set(Commune.objects.filter(schema_name__in=only).values_list("schema_name", flat=True))
        missing = sorted(set(only) - known)
        if missing:
            raise CommandError(f"No commune has the schema {', '.join(missing)}; check the name(s) given to --schema.")

    def _print_plans(self, state: fleet.FleetState) -> None:
        for group in state.behind:
            plan, failures = fleet.plan_group(group, dry_run=True)
            self.stdout.write("")
            self.stdout.write(
                f"{len(group.schemas)} schemas at {len(group.applied)} applied migrations "
                f"({', '.join(group.schemas[:3])}{', ...' if len(group.schemas) > 3 else ''}): {plan.path} path"
                + (f" ({plan.reason})" if plan.reason else "")
            )
            for failure in failures:
                self.stdout.write(f"  the plan fails on {failure.schema_name}: {failure.error}")
            for step in plan.steps:
                self.stdout.write(f"  {step.label} [{step.kind}]")
                if step.python_state is None:
                    for sql in step.sql:
                        self.stdout.write(f"    {sql};")
        if not state.behind:
            self.stdout.write("Nothing to apply.")

    def _migrate_fleet(self, state: fleet.FleetState, options: dict[str, Any]) -> None:
        progress = fleet.Progress(state.behind_count, lambda line: self.stderr.write(line))
        plans = []
        for group in state.behind:
            plan, failures = fleet.plan_group(group)
            progress([fleet.Outcome(plan.canary)] if plan.canary else [])
            progress(failures)
            if options["verbosity"] >= 1:
                self.stdout.write(
                    f"{len(group.schemas)} schemas: {len(plan.steps) or 'the'} migrations by the {plan.path} path"
                    + (f" ({plan.reason})" if plan.reason else "")
                )
            plans.append(plan)
        fleet.apply_plans(plans, workers=options["workers"], batch_size=options["batch_size"], report=progress)
        if progress.failed:
            lines = "\n".join(f"  {outcome.schema_name}: {outcome.error}" for outcome in progress.failed)
            raise CommandError(
                f"{len(progress.failed)} of {state.behind_count} schemas could not be migrated; each was rolled "
                f"back and the others are migrated. Fix the cause and run migrate_locked again:\n{lines}"
            )
