"""``kommunal sync_stripe_catalog``: create or update Stripe Products and Prices from the catalogue."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing import services, stripe_api


class Command(BaseCommand):
    help = "Create or update a Stripe Product and Price for every priced service (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not stripe_api.enabled():
            raise CommandError("Billing is off: set STRIPE_API_KEY.")
        result = services.sync_catalog()
        self.stdout.write(f"prices: {result.created} created, {result.replaced} replaced, {result.unchanged} unchanged")
