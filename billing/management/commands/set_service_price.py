"""``kommunal set_service_price <service> <euros> [--interval year]``: give a catalogue service its price."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing import services
from billing.models import Interval


class Command(BaseCommand):
    help = "Set the net price (EUR) communes pay for a catalogue service; then run sync_stripe_catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("service", help="slug of the catalogue service")
        parser.add_argument("euros", help="net amount in euros, e.g. 12.50")
        parser.add_argument("--interval", choices=list(Interval.values), default=Interval.MONTH)
        parser.add_argument("--actor", default="system")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cents = int((Decimal(options["euros"]) * 100).to_integral_exact())
        except (InvalidOperation, ValueError) as error:
            raise CommandError("euros: give an amount like 12.50") from error
        try:
            price = services.set_service_price(
                options["service"], amount_cents=cents, interval=options["interval"], actor=options["actor"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{price.lookup_key}: {cents} cents per {price.interval}")
