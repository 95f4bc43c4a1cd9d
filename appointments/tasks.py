"""Periodic work of the appointments: waitlist offers that ran out and reminders the day before."""

from __future__ import annotations

from appointments import services
from kommunal.celery import app

app.conf.beat_schedule.update(
    {"appointments-housekeeping": {"task": "appointments.tasks.housekeeping", "schedule": 300.0}}
)


@app.task(ignore_result=True)
def housekeeping() -> tuple[int, int]:
    """Expire offers and send reminders in the communes where some are due."""
    return services.run_housekeeping()
