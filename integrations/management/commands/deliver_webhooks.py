"""``kommunal deliver_webhooks``: attempt every due webhook delivery of every commune.

With a Celery broker, deliveries and their retries are queued for the worker and Celery beat
runs the same sweep every minute as a safety net (``integrations.tasks.deliver_due``); without
one (tasks run eagerly) it is what sends every delivery: run it every minute (cron or a systemd
timer). Deliveries never run in a request. It finds the schemas with due deliveries in one query
over the index of due work and visits only those.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from integrations import services


class Command(BaseCommand):
    help = "Attempt every webhook delivery whose next attempt is due, in every commune."

    def handle(self, *args: Any, **options: Any) -> None:
        attempted, succeeded = services.deliver_due()
        self.stdout.write(f"{attempted} deliveries attempted, {succeeded} succeeded.")
