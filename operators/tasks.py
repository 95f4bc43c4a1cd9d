"""Periodic jobs of the operator console (schedule them with Celery beat or cron)."""

from celery import shared_task

from operators import actions, stats


@shared_task(name="operators.refresh_tenant_stats")
def refresh_tenant_stats() -> int:
    """Recount all communes' figures; returns how many schemas were read."""
    return stats.refresh_tenant_stats().schemas


@shared_task(name="operators.purge_offboarded")
def purge_offboarded() -> int:
    """Purge communes past their offboarding retention period; returns how many."""
    return len(actions.purge_offboarded())
