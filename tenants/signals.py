"""Keep each commune's recorded migration state in step with its schema."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone
from django_tenants.signals import schema_migrated
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.migration_state import schema_fingerprint


@receiver(schema_migrated, dispatch_uid="tenants.record_migration_state")
def record_migration_state(sender: Any, schema_name: str, **kwargs: Any) -> None:
    """After ``migrate_schemas`` ran on a tenant schema, store that schema's fingerprint."""
    if schema_name == get_public_schema_name():
        return
    from tenants.models import Commune

    state = schema_fingerprint(schema_name)
    with schema_context(get_public_schema_name()):
        Commune.objects.filter(schema_name=schema_name).update(migration_state=state, migrated_at=timezone.now())
