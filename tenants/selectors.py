"""Read access to the registry of communes."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tenants.migration_state import expected_tenant_migrations, public_schema_is_migrated
from tenants.models import Commune, Municipality


def active_communes() -> QuerySet[Commune]:
    """Communes whose portal is open to citizens."""
    return Commune.objects.filter(status=Commune.Status.ACTIVE).order_by("name")


def search_active_communes(query: str, limit: int = 20) -> list[Commune]:
    """Live communes whose name or district contains ``query``, or whose AGS starts with it."""
    query = query.strip()
    if not query:
        return []
    if query.isdigit():
        matches = active_communes().filter(ags__startswith=query)
    else:
        matches = active_communes().filter(Q(name__icontains=query) | Q(landkreis__icontains=query))
    return list(matches[:limit])


def communes_with_schema() -> QuerySet[Commune]:
    """Communes whose schema exists and is kept migrated (active or suspended)."""
    return Commune.objects.filter(status__in=[Commune.Status.ACTIVE, Commune.Status.SUSPENDED])


def communes_behind_migrations() -> QuerySet[Commune]:
    """Communes whose schema lacks a migration the running code has."""
    return communes_with_schema().exclude(applied_migrations__contains=expected_tenant_migrations())


def count_schemas_behind_migrations() -> int:
    """How many schemas miss a migration, the public one included; one query over the registry."""
    return communes_behind_migrations().count() + (0 if public_schema_is_migrated() else 1)


def primary_host(commune: Commune) -> str | None:
    """The commune's primary host name."""
    return commune.domains.filter(is_primary=True).values_list("domain", flat=True).first()


def search_municipalities(query: str, limit: int = 20) -> QuerySet[Municipality]:
    """Municipalities whose name starts with (or AGS equals) ``query``; retired entries excluded."""
    return matching_municipalities(query)[:limit]


def matching_municipalities(query: str) -> QuerySet[Municipality]:
    """``search_municipalities`` before the limit, for callers that annotate or filter further."""
    query = query.strip()
    qs = Municipality.objects.filter(retired_at__isnull=True)
    if query.isdigit():
        return qs.filter(ags__startswith=query)
    return qs.filter(short_name__istartswith=query)
