"""``kommunal create_commune AGS --admin-email ...``: register and provision a commune."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import actions
from tenants.provisioning import provision_commune


class Command(BaseCommand):
    help = "Register a commune from the official directory and provision its schema, host and administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ags", help="Amtlicher Gemeindeschlüssel, 8 digits.")
        parser.add_argument("--slug", help="Address name (default: derived from the name).")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            commune = actions.register_commune(ags=options["ags"], slug=options["slug"], actor="cli")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        result = provision_commune(
            commune,
            admin_email=options["admin_email"],
            admin_name=options["admin_name"] or options["admin_email"],
            actor="cli",
        )
        self.stdout.write(self.style.SUCCESS(f"{commune.name} answers at {result.url}/"))
        self.stdout.write(f"Invitation for {result.admin.email}: {result.invitation_url}")
