"""``kommunal export_tenant <slug>``: write a commune's archive to the default storage."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operators.actions import export_commune
from tenants.models import Commune


class Command(BaseCommand):
    help = "Export all data and files of a commune into a zip archive with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = Commune.objects.filter(slug=options["slug"]).first()
        if commune is None:
            raise CommandError(f"No commune with the address name {options['slug']!r}.")
        export = export_commune(commune, actor="cli")
        self.stdout.write(f"{export.path} ({export.size} bytes, sha256 {export.sha256})")
