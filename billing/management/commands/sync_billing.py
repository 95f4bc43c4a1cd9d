"""``kommunal sync_billing``: send queued billing changes to Stripe (after an outage, or from cron)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing import services, stripe_api


class Command(BaseCommand):
    help = "Send every due queued billing change to Stripe; --all compares every billed commune with Stripe."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Reconcile every billed commune, not only queued ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not stripe_api.enabled():
            raise CommandError("Billing is off: set STRIPE_API_KEY.")
        synced, failed = services.sync_due(include_all=options["all"])
        self.stdout.write(f"communes synced: {synced}, still queued: {failed}")
        if failed:
            raise CommandError(f"{failed} commune(s) could not be synced; they stay queued.")
