"""``kommunal bootstrap``: everything ``make run`` needs before the server starts.

Migrates every schema, loads the municipality directory and, once, the demo data; then prints
where to go and how to sign in. Safe to run again: each step skips what is done.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from billing import demo as billing_demo
from billing import stripe_api
from kommunal import demo
from kommunal.hosts import url_for_host
from tenants.models import Commune


class Command(BaseCommand):
    help = "Migrate, load reference data and (with --demo) demo communes; print URLs and logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="Create the demo operator and communes.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate_locked", verbosity=0)
        call_command("load_municipalities")
        call_command("load_catalog")
        if not options["demo"]:
            return
        logins = demo.seed_demo_data()
        platform = url_for_host(settings.KOMMUNAL_DOMAIN)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Kommunal is ready at {platform}/"))
        self.stdout.write(f"  API docs:          {platform}/api/docs/")
        self.stdout.write(f"  Commune signup:    {platform}/signup/")
        self.stdout.write(f"  Operator console:  {platform}/operator/  (second factor by the invitation link below)")
        self.stdout.write("  Commune admins:    <commune>/verwaltung/leistungen/, /verwaltung/anfragen/, /branding/")
        if stripe_api.enabled() and billing_demo.stand_in_configured():
            dunning = Commune.objects.get(slug=billing_demo.DUNNING).name
            self.stdout.write(f"  Billing:           <commune>/verwaltung/rechnungen/, {platform}/operator/billing/")
            self.stdout.write(f"                     (Stripe stand-in; {dunning} has an overdue invoice: dunning)")
        self.stdout.write(f"  Password of every demo account: {demo.DEMO_PASSWORD}")
        for login in logins:
            url = login.url or platform
            self.stdout.write(f"  {login.where:<22} {url + '/':<40} {login.email}")
            if login.note:
                self.stdout.write(f"  {'':<22} {login.note}")
        self.stdout.write("")
