"""``kommunal export_catalog``: the catalogue as XZuFi-shaped JSON (docs/catalog.md)."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog import xzufi


class Command(BaseCommand):
    help = "Write every published service as XZuFi-shaped JSON (to a file or standard output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
        parser.add_argument("--data-version", default="export", help="value of the document's 'version'")

    def handle(self, *args: Any, **options: Any) -> None:
        text = json.dumps(xzufi.export_catalog(options["data_version"]), ensure_ascii=False, indent=1) + "\n"
        output: Path | None = options["output"]
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
