"""``kommunal deliver_webhooks``: attempt every due webhook delivery of every commune.

With a Celery broker, deliveries and their retries are queued for the worker and Celery beat
runs this every minute as a safety net; without one (tasks run eagerly) it is what sends every
delivery: run it every minute (cron or a systemd timer). Deliveries never run in a request. It visits
each commune's schema once with one indexed query for due deliveries.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from integrations import services
from integrations.models import WebhookDelivery
from tenants.selectors import communes_with_schema


class Command(BaseCommand):
    help = "Attempt every webhook delivery whose next attempt is due, in every commune."

    def handle(self, *args: Any, **options: Any) -> None:
        attempted = succeeded = 0
        for commune in communes_with_schema().iterator():
            with tenant_context(commune):
                for delivery_id in services.due_deliveries():
                    delivery = services.attempt_delivery(WebhookDelivery(pk=delivery_id))
                    attempted += 1
                    succeeded += delivery is not None and delivery.status == WebhookDelivery.Status.SUCCEEDED
        self.stdout.write(f"{attempted} deliveries attempted, {succeeded} succeeded.")
