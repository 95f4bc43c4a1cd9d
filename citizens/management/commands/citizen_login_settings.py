"""``kommunal citizen_login_settings <commune>``: a commune's own identity provider and retention.

Without options it shows the settings; ``--issuer`` with ``--client-id``/``--client-secret`` sets
the commune's provider (overriding the platform's ``KOMMUNAL_OIDC_*``), ``--platform-provider``
goes back to the platform's, ``--retention-days`` sets the retention period.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from citizens import services
from tenants.selectors import communes_with_schema


class Command(BaseCommand):
    help = "Show or set a commune's citizen login provider and retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("commune", help="slug of the commune")
        parser.add_argument("--issuer")
        parser.add_argument("--client-id")
        parser.add_argument("--client-secret")
        parser.add_argument("--platform-provider", action="store_true", help="use the platform's provider again")
        parser.add_argument("--retention-days", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        commune = communes_with_schema().filter(slug=options["commune"]).first()
        if commune is None:
            raise CommandError(f"There is no provisioned commune '{options['commune']}'.")
        with tenant_context(commune):
            try:
                current = services.configure_login(
                    issuer="" if options["platform_provider"] else options["issuer"],
                    client_id=options["client_id"],
                    client_secret=options["client_secret"],
                    retention_days=options["retention_days"],
                    actor="cli",
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        provider = current.issuer or "platform provider (KOMMUNAL_OIDC_ISSUER)"
        self.stdout.write(f"{commune.slug}: provider {provider}, retention {current.retention_days} days.")
