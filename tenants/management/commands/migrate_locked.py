"""``kommunal migrate_locked``: migrate every schema, one deployment at a time.

Runs ``migrate_schemas`` (public schema first, then every tenant schema) while holding a
PostgreSQL advisory lock, so two deploy jobs started at once never migrate concurrently: the
second one waits for the first and then finds nothing left to do. Finally it rebuilds the
template schema new communes are cloned from (``tenants.template``) when its migrations are stale.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from tenants import placement, template
from tenants.models import Commune

# Any constant shared by all deploy jobs; "KOMMUNAL" in ASCII.
MIGRATION_LOCK_ID = 0x4B4F4D4D554E414C


class Command(BaseCommand):
    help = "Migrate the public and all tenant schemas under a PostgreSQL advisory lock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--executor", default="standard", choices=["standard", "multiprocessing"])

    def handle(self, *args: Any, **options: Any) -> None:
        # The lock lives on a connection of its own: migrate_schemas closes Django's connection
        # between schemas, which would release a session lock taken there.
        lock_connection = connection.get_new_connection(connection.get_connection_params())
        try:
            lock_connection.autocommit = True
            self.stdout.write("Waiting for the migration lock ...")
            lock_connection.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
            self.stdout.write("Lock held; migrating.")
            if len(placement.aliases()) == 1:
                call_command(
                    "migrate_schemas", interactive=False, executor=options["executor"], verbosity=options["verbosity"]
                )
            else:
                self._migrate_every_server(options["verbosity"])
            if template.refresh_template():
                self.stdout.write(
                    f"Template schema for new communes rebuilt at {template.template_fingerprint()[:12]}."
                )
        finally:
            lock_connection.close()
        self.stdout.write(self.style.SUCCESS("All schemas are migrated."))

    def _migrate_every_server(self, verbosity: int) -> None:
        """With several database servers: the public schema, then each schema on its own server."""
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        communes = Commune.objects.exclude(status=Commune.Status.OFFBOARDED).order_by("placement", "schema_name")
        for server, schema_name in communes.values_list("placement", "schema_name"):
            if placement.schema_exists_on(server, schema_name):
                call_command(
                    "migrate_schemas",
                    tenant=True,
                    schema_name=schema_name,
                    database=server,
                    interactive=False,
                    verbosity=verbosity,
                )
        for server in placement.aliases()[1:]:
            placement.sync_server(server)
