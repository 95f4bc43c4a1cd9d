"""Background jobs of billing: sending queued changes to Stripe and enforcing dunning."""

from __future__ import annotations

from celery.schedules import crontab
from django_tenants.utils import get_public_schema_name, schema_context

from billing import dunning, services
from kommunal.celery import app
from tenants.models import Commune

# Celery beat: retry queued Stripe changes every minute, enforce dunning every morning.
app.conf.beat_schedule.update(
    {
        "billing-sync-pending": {"task": "billing.tasks.sync_pending", "schedule": 60.0},
        "billing-enforce-dunning": {"task": "billing.tasks.enforce_dunning", "schedule": crontab(hour=6, minute=0)},
    }
)


@app.task(ignore_result=True)
def sync_commune(commune_id: int) -> bool:
    """Send one commune's queued billing changes to Stripe; failures stay queued for ``sync_pending``."""
    with schema_context(get_public_schema_name()):
        commune = Commune.objects.filter(pk=commune_id).first()
        return services.sync_commune(commune) if commune is not None else True


@app.task(ignore_result=True)
def sync_pending() -> tuple[int, int]:
    """Retry every queued billing change that is due (run every minute by Celery beat)."""
    return services.sync_due()


@app.task(ignore_result=True)
def enforce_dunning() -> int:
    """Suspend communes overdue past the grace period (run daily by Celery beat)."""
    return len(dunning.enforce_dunning())
