"""``kommunal move_commune <slug> <server>``: move a commune's schema to another database server."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import placement
from tenants.models import Commune


class Command(BaseCommand):
    help = (
        "Move a commune's schema to another database server (an alias of KOMMUNAL_PLACEMENT_DATABASES): "
        "suspend, copy with pg_dump, switch, resume."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Address name of the commune.")
        parser.add_argument("server", help="Alias of the target database server ('default' for the first).")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = Commune.objects.filter(slug=options["slug"]).first()
        if commune is None:
            raise CommandError(f"There is no commune with the address name {options['slug']!r}.")
        source = commune.placement
        try:
            placement.move_commune(commune, options["server"], actor="cli")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except placement.SchemaCopyError as exc:
            raise CommandError(f"{commune.slug} stays on {source}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"{commune.name} moved from {source} to {commune.placement}."))
