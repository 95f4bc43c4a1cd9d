"""Keep each commune's recorded migration state and this process's routing cache in step."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django_tenants.signals import schema_migrated
from django_tenants.utils import get_public_schema_name, schema_context

from tenants import routing
from tenants.migration_state import tenant_migrations_applied


@receiver(schema_migrated, dispatch_uid="tenants.record_migration_state")
def record_migration_state(sender: Any, schema_name: str, **kwargs: Any) -> None:
    """After ``migrate_schemas`` ran on a tenant schema, store which migrations it has."""
    if schema_name == get_public_schema_name():
        return
    from tenants.models import Commune

    with schema_context(get_public_schema_name()):
        communes = Commune.objects.filter(schema_name=schema_name)
        server = communes.values_list("placement", flat=True).first() or DEFAULT_DB_ALIAS
        applied = tenant_migrations_applied(schema_name, using=server)
        communes.update(applied_migrations=applied, migrated_at=timezone.now())


@receiver(post_save, sender="tenants.Commune", dispatch_uid="tenants.route_commune_saved")
@receiver(post_delete, sender="tenants.Commune", dispatch_uid="tenants.route_commune_deleted")
def forget_commune_route(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Stop routing with the old state in this process at once; the database trigger tells the
    other processes when the change commits."""
    routing.forget_commune(instance.pk)


@receiver(post_save, sender="tenants.Domain", dispatch_uid="tenants.route_domain_saved")
@receiver(post_delete, sender="tenants.Domain", dispatch_uid="tenants.route_domain_deleted")
def forget_host_route(sender: Any, instance: Any, **kwargs: Any) -> None:
    routing.forget_host(instance.domain)
