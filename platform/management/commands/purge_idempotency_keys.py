"""``kommunal purge_idempotency_keys``: delete stored idempotency records older than 24 hours.

Run it daily. It visits the public schema and each commune's schema once (one DELETE each).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from kommunal.api.idempotency import purge_expired
from tenants.db import connection
from tenants.selectors import communes_with_schema


class Command(BaseCommand):
    help = "Delete idempotency records older than 24 hours in every schema."

    def handle(self, *args: Any, **options: Any) -> None:
        connection.set_schema_to_public()
        deleted = purge_expired()
        for commune in communes_with_schema().iterator():
            with tenant_context(commune):
                deleted += purge_expired()
        self.stdout.write(f"{deleted} idempotency records deleted.")
