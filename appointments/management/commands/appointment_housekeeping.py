"""``kommunal appointment_housekeeping``: release expired waitlist offers and send tomorrow's reminders.

Run it every few minutes (cron, a systemd timer or Celery beat): offers are passed on to the next
citizen soon after they expire, and each booking gets its reminder once, on the day before.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from appointments import services
from tenants.selectors import communes_with_schema


class Command(BaseCommand):
    help = "Release expired waitlist offers and e-mail reminders for tomorrow's appointments, in every commune."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = reminded = 0
        for commune in communes_with_schema().iterator():
            with tenant_context(commune):
                expired += services.expire_offers()
                reminded += services.send_reminders()
        self.stdout.write(f"{expired} expired offers passed on, {reminded} reminders sent.")
