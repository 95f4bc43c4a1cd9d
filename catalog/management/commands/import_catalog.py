"""``kommunal import_catalog FILE``: bring the catalogue in line with an XZuFi-shaped JSON export."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog import xzufi


class Command(BaseCommand):
    help = "Import an XZuFi-shaped catalogue document; a bad document is refused as a whole and changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"The file {path} does not exist.") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from exc
        try:
            result = xzufi.import_catalog(document, actor="import_catalog")
        except xzufi.ImportRefused as exc:
            raise CommandError(
                f"{path} was refused, nothing changed. {exc.path or '(document)'}: {exc.reason}"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue {result.data_version}: {result.created} services added, {result.updated} updated, "
                f"{result.new_versions} new versions, {result.unchanged} unchanged."
            )
        )
