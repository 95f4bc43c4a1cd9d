"""The index of due background work (``tenants.DueWork``): note it, and visit only where it is due.

Code that creates work in a schema (a webhook delivery, an idempotency record) calls ``note`` in
the same transaction; the periodic job calls ``run_due``, which finds the schemas with due work
in one query over the public table and visits those only. A commune without due work is never
visited.

``run_due`` claims a schema's row by moving it ``LEASE`` into the future before the work starts:
a second job running at the same time skips it, and a job that dies half-way leaves the row to
be retried when the lease ends. Afterwards the row carries the schema's next due time, or is
removed; work noted meanwhile moved the row off the lease time and is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.db import connection
from tenants.models import Commune, DueWork

LEASE = timedelta(minutes=10)
logger = logging.getLogger(__name__)


def note(kind: str, due_at: datetime) -> None:
    """Record that the current schema has work of ``kind`` due at ``due_at`` (keeps the earliest)."""
    table = f"{connection.ops.quote_name(get_public_schema_name())}.tenants_duework"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (schema_name, kind, due_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (schema_name, kind) DO UPDATE SET due_at = LEAST(tenants_duework.due_at, EXCLUDED.due_at)",
            [connection.schema_name, kind, due_at],
        )


def _claim(kind: str, now: datetime, lease_until: datetime) -> list[str]:
    """The schemas with work of ``kind`` due, their rows leased; one statement over the index."""
    with schema_context(get_public_schema_name()), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenants_duework SET due_at = %s WHERE kind = %s AND due_at <= %s "
            "AND (schema_name = %s OR schema_name IN (SELECT schema_name FROM tenants_commune WHERE status = ANY(%s))) "
            "RETURNING schema_name",
            [
                lease_until,
                kind,
                now,
                get_public_schema_name(),
                [Commune.Status.ACTIVE.value, Commune.Status.SUSPENDED.value],
            ],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _release(schema_name: str, kind: str, lease_until: datetime, next_due: datetime | None) -> None:
    with schema_context(get_public_schema_name()), transaction.atomic():
        leased = DueWork.objects.filter(schema_name=schema_name, kind=kind, due_at=lease_until)
        if next_due is None:
            leased.delete()
        elif not leased.update(due_at=next_due):
            DueWork.objects.filter(schema_name=schema_name, kind=kind, due_at__gt=next_due).update(due_at=next_due)


def run_due(kind: str, work: Callable[[], datetime | None]) -> list[str]:
    """Run ``work`` in each schema with work of ``kind`` due; returns the schemas visited.

    ``work`` runs with the connection set to the schema and returns when that schema next has
    work of this kind (``None``: nothing left).
    """
    now = timezone.now()
    lease_until = now + LEASE
    schemas = _claim(kind, now, lease_until)
    for schema_name in schemas:
        try:
            with schema_context(schema_name):
                next_due = work()
        except Exception:
            # The lease brings this schema back later; the other schemas' work goes on now.
            logger.exception("%s in schema %s failed", kind, schema_name)
            continue
        _release(schema_name, kind, lease_until, next_due)
    return schemas
