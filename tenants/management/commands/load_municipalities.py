"""``kommunal load_municipalities``: load the official municipality directory (idempotent)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import directory


class Command(BaseCommand):
    help = "Load the official directory of German municipalities into the public schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=directory.DATA_FILE, help="CSV file (default: the shipped one)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"The directory file {path} does not exist.")
        try:
            result = directory.load_directory(path)
        except KeyError as exc:
            raise CommandError(
                f"{path} lacks the column {exc}; expected ags,name,kreis_code,kreis,land_code,land."
            ) from exc
        status = result.territorial_status.isoformat()
        if result.already_loaded:
            self.stdout.write(
                f"Municipality directory (territorial status {status}) is already loaded; nothing changed."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Municipality directory (territorial status {status}): {result.created} added, "
                f"{result.updated} updated, {result.unchanged} unchanged."
            )
        )
