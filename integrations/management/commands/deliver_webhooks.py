"""``kommunal deliver_webhooks``: attempt every due webhook delivery of every commune.

With a Celery broker, retries are queued with their delay and Celery beat runs the same sweep
every minute (``integrations.tasks.deliver_due``) as a safety net for deliveries that could not be
queued; without a broker (tasks run eagerly) run this every minute (cron or a systemd timer). It visits
each commune's schema once with one indexed query for due deliveries.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from integrations import services


class Command(BaseCommand):
    help = "Attempt every webhook delivery whose next attempt is due, in every commune."

    def handle(self, *args: Any, **options: Any) -> None:
        attempted, succeeded = services.deliver_due_everywhere()
        self.stdout.write(f"{attempted} deliveries attempted, {succeeded} succeeded.")
