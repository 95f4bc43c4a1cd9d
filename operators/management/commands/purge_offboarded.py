"""``kommunal purge_offboarded``: delete what is left of communes offboarded long enough ago."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from operators.actions import purge_offboarded


class Command(BaseCommand):
    help = "Drop schemas, files and host names of communes offboarded KOMMUNAL_OFFBOARD_RETENTION_DAYS ago."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_offboarded()
        days = settings.KOMMUNAL_OFFBOARD_RETENTION_DAYS
        self.stdout.write(f"Purged {len(purged)} communes offboarded more than {days} days ago.")
        for commune in purged:
            self.stdout.write(f"  {commune.slug} (schema {commune.schema_name})")
