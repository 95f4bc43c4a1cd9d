"""``kommunal refresh_tenant_stats``: recount every commune's figures for the operator console."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from operators.stats import BATCH_SIZE, refresh_tenant_stats


class Command(BaseCommand):
    help = "Refresh operators.TenantStats with one UNION ALL statement per batch of schemas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = refresh_tenant_stats(batch_size=options["batch_size"])
        self.stdout.write(
            f"Refreshed {result.schemas} schemas with {result.statements} statements in {time.monotonic() - started:.2f}s."
        )
