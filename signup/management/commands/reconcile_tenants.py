"""``kommunal reconcile_tenants [--dry-run]``: find and repair what interrupted provisioning left."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from signup.provisioning import resume_commune
from tenants import reconcile


class Command(BaseCommand):
    help = (
        "Drop schemas without a commune, finish or remove communes stuck in provisioning, and remove host "
        "names whose commune has no schema. --dry-run only lists them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the leftovers, change nothing.")
        parser.add_argument(
            "--older-than", type=int, default=15, help="Minutes in provisioning after which a commune counts as stuck."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        leftovers = reconcile.find_leftovers(timedelta(minutes=options["older_than"]))
        if not leftovers:
            self.stdout.write(self.style.SUCCESS("Nothing to reconcile."))
            return
        if options["dry_run"]:
            for schema_name in leftovers.orphan_schemas:
                self.stdout.write(f"schema without commune: {schema_name}")
            for commune in leftovers.stuck_communes:
                self.stdout.write(
                    f"commune stuck in provisioning: {commune.slug} (since {commune.status_changed_at:%Y-%m-%d %H:%M})"
                )
            for domain in leftovers.orphan_domains:
                self.stdout.write(f"host without schema: {domain.domain}")
            return
        for line in reconcile.repair(leftovers, resume=resume_commune):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Reconciled."))
