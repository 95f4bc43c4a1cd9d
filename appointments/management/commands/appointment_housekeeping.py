"""``kommunal appointment_housekeeping``: release expired waitlist offers and send tomorrow's reminders.

Celery beat runs the same work every five minutes (``appointments.tasks.housekeeping``); without a
broker run this command as often (cron or a systemd timer). It visits only the communes whose
offers expire or whose reminders are due (``tenants.DueWork``), found in one query.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from appointments import services


class Command(BaseCommand):
    help = "Release expired waitlist offers and e-mail reminders for tomorrow's appointments, where due."

    def handle(self, *args: Any, **options: Any) -> None:
        expired, reminded = services.run_housekeeping()
        self.stdout.write(f"{expired} expired offers passed on, {reminded} reminders sent.")
