"""``kommunal trust_domain AGS DOMAIN``: approve verified applicants of that commune on that domain at once."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from signup import actions


class Command(BaseCommand):
    help = "Register an e-mail domain of a commune for auto-approval of its applications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ags", help="Amtlicher Gemeindeschlüssel, 8 digits.")
        parser.add_argument("domain", help="E-mail domain, e.g. zeitz.de.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            trusted = actions.trust_domain(ags=options["ags"], domain=options["domain"], actor="cli")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Verified addresses @{trusted.domain} of {trusted.ags} are approved at once.")
        )
