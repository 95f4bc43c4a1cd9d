"""``kommunal purge_idempotency_keys``: delete stored idempotency records older than 24 hours.

Run it daily (or more often: it costs one query when nothing is due). It visits only the schemas
the index of due work names, the public one included, with one DELETE each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Min

from kommunal.api.idempotency import RETENTION, purge_expired
from kommunal.api.models import IdempotencyRecord
from tenants import due_work
from tenants.models import DueWork


class Command(BaseCommand):
    help = "Delete idempotency records older than 24 hours in every schema that has some."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = 0

        def purge_in_schema() -> datetime | None:
            nonlocal deleted
            deleted += purge_expired()
            oldest: datetime | None = IdempotencyRecord.objects.aggregate(oldest=Min("created_at"))["oldest"]
            return oldest + RETENTION if oldest else None

        due_work.run_due(DueWork.Kind.IDEMPOTENCY_PURGE, purge_in_schema)
        self.stdout.write(f"{deleted} idempotency records deleted.")
