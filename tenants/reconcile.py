"""Finding and repairing what interrupted provisioning can leave behind.

Three kinds of leftovers, each found with one query however many communes there are:

- schemas without a commune: a schema that looks like a commune's (it has Django's migration
  table) but no registry row names it; removed.
- communes stuck in provisioning for longer than a grace period; finished by ``resume`` when it
  is given (the signup app resumes its own applications), removed otherwise.
- host names whose commune has no schema; removed, since routing to them would fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from tenants import placement, template
from tenants.db import connection
from tenants.models import Commune, Domain
from tenants.provisioning import discard_commune

ACTOR = "system:reconcile"


@dataclass
class Leftovers:
    """What ``find_leftovers`` found."""

    orphan_schemas: list[str] = field(default_factory=list)
    stuck_communes: list[Commune] = field(default_factory=list)
    orphan_domains: list[Domain] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.orphan_schemas or self.stuck_communes or self.orphan_domains)


def orphan_schemas() -> list[str]:
    """Schemas with a ``django_migrations`` table that no commune (nor the template) owns."""
    keep = [get_public_schema_name(), template.TEMPLATE_SCHEMA, template.BUILD_SCHEMA]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname FROM pg_namespace n
            WHERE n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
              AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = 'django_migrations')
              AND NOT EXISTS (SELECT 1 FROM tenants_commune t WHERE t.schema_name = n.nspname)
            ORDER BY 1
            """,
            [keep],
        )
        return [row[0] for row in cursor.fetchall()]


def stuck_communes(older_than: timedelta) -> list[Commune]:
    """Communes in provisioning whose last status change is older than ``older_than``."""
    cutoff = timezone.now() - older_than
    return list(Commune.objects.filter(status=Commune.Status.PROVISIONING, status_changed_at__lt=cutoff))


def orphan_domains() -> list[Domain]:
    """Host names of opened communes whose schema does not exist (one query per database server)."""
    ids: list[int] = []
    for server in placement.aliases():
        communes = Commune.objects.exclude(status=Commune.Status.PROVISIONING).filter(placement=server)
        existing = placement.schemas_on(server, list(communes.values_list("schema_name", flat=True)))
        ids += (
            Domain.objects.filter(tenant__in=communes)
            .exclude(tenant__schema_name__in=existing)
            .values_list("pk", flat=True)
        )
    return list(Domain.objects.filter(pk__in=ids).order_by("domain"))


def find_leftovers(older_than: timedelta = timedelta(minutes=15)) -> Leftovers:
    """Everything interrupted provisioning left behind."""
    connection.set_schema_to_public()
    return Leftovers(orphan_schemas(), stuck_communes(older_than), orphan_domains())


def repair(leftovers: Leftovers, *, resume: Callable[[Commune], bool] | None = None) -> list[str]:
    """Repair or remove every leftover; return one line per action taken."""
    done = []
    for schema_name in leftovers.orphan_schemas:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
        done.append(f"dropped schema {schema_name}")
    for commune in leftovers.stuck_communes:
        if resume is not None and resume(commune):
            done.append(f"resumed provisioning of {commune.slug}")
        else:
            discard_commune(commune, actor=ACTOR, reason="stuck in provisioning")
            done.append(f"removed commune {commune.slug} stuck in provisioning")
    for domain in leftovers.orphan_domains:
        domain.delete()
        done.append(f"removed host {domain.domain} (no schema)")
    return done
