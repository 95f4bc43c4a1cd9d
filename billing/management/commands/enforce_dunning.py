"""``kommunal enforce_dunning``: suspend communes whose invoices are overdue past the grace period."""

from typing import Any

from django.core.management.base import BaseCommand

from billing import dunning


class Command(BaseCommand):
    help = "Suspend every commune overdue for longer than KOMMUNAL_BILLING_GRACE_DAYS (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        suspended = dunning.enforce_dunning()
        for commune in suspended:
            self.stdout.write(f"suspended: {commune.slug}")
        self.stdout.write(f"communes suspended: {len(suspended)}")
