"""``kommunal send_xrechnungen``: e-mail the XRechnung of every finalised invoice not sent yet."""

from typing import Any

from django.core.management.base import BaseCommand

from billing import selectors, services


class Command(BaseCommand):
    help = (
        "E-mail the XRechnung of each finalised, not yet sent invoice to its commune's e-invoice address. "
        "Invoices that cannot make a valid XRechnung are skipped and stay flagged for operators."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--invoice", help="only this invoice number")

    def handle(self, *args: Any, **options: Any) -> None:
        invoices = selectors.xrechnungen_to_send()
        if options["invoice"]:
            invoices = invoices.filter(number=options["invoice"])
        sent = refused = 0
        for invoice in invoices:
            if services.send_xrechnung(invoice):
                sent += 1
                self.stdout.write(f"sent: {invoice.number}")
            else:
                refused += 1
                self.stdout.write(f"not sent, flagged: {invoice.number}")
        self.stdout.write(f"XRechnungen sent: {sent}, refused: {refused}")
