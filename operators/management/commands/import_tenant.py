"""``kommunal import_tenant <archive> --ags <AGS> --slug <slug>``: a new commune from an archive."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from operators.actions import import_commune


class Command(BaseCommand):
    help = "Create a new commune from a tenant archive after verifying its checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--ags", required=True)
        parser.add_argument("--slug", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with options["archive"].open("rb") as source:
                commune = import_commune(source, ags=options["ags"], slug=options["slug"], actor="cli")
        except (OSError, ValidationError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Imported into {commune.slug} (schema {commune.schema_name})."))
