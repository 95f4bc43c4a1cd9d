"""``kommunal load_catalog``: load the shipped service catalogue (idempotent)."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog import loader


class Command(BaseCommand):
    help = "Load the service catalogue data file into the public schema; changed entries become new versions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=loader.DATA_FILE, help="JSON file (default: the shipped one).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"The catalogue file {path} does not exist.")
        try:
            result = loader.load_catalog(path)
        except (ValueError, KeyError, ValidationError) as exc:
            raise CommandError(f"{path} is not a valid catalogue file: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue {result.data_version}: {result.created} services added, {result.updated} updated, "
                f"{result.new_versions} new versions, {result.unchanged} unchanged."
            )
        )
