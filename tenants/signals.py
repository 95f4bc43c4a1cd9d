"""Keep each commune's recorded migration state in step with its schema."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.dispatch import receiver
from django.utils import timezone
from django_tenants.signals import schema_migrated
from django_tenants.utils import get_public_schema_name, schema_context

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
