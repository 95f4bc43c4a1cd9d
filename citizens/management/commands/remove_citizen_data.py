"""``kommunal remove_citizen_data``: remove the personal data of deleted citizen accounts.

A request of a deleted account keeps its personal data until it has been completed (or rejected)
longer ago than the commune's retention period (default 90 days); then its e-mail address, form
data, messages and attachments are removed. Run it daily. It visits each commune's schema once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from citizens import services
from tenants.selectors import communes_with_schema


class Command(BaseCommand):
    help = "Remove personal data of deleted citizen accounts from requests past the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", help="only this commune (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        communes = communes_with_schema()
        if options["commune"]:
            communes = communes.filter(slug=options["commune"])
            if not communes.exists():
                raise CommandError(f"There is no provisioned commune '{options['commune']}'.")
        removed = 0
        for commune in communes.iterator():
            with tenant_context(commune):
                removed += services.remove_personal_data()
        self.stdout.write(f"Personal data removed from {removed} requests.")
