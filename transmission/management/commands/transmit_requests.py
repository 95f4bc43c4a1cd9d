"""``kommunal transmit_requests``: due delivery attempts and pending answers of every commune.

With a Celery broker retries and event polls are queued with their delay and this command is a
safety net; without one run it every minute. One query over the public index finds the
communes with work, so communes without deliveries are never visited.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import tenant_context

from transmission import services
from transmission.index.models import DeliveryIndex


class Command(BaseCommand):
    help = "Attempt due deliveries and read the event log of submitted ones, in every commune."

    def handle(self, *args: Any, **options: Any) -> None:
        work: dict[Any, list[DeliveryIndex]] = defaultdict(list)
        due = Q(status="pending", next_attempt_at__lte=timezone.now()) | Q(status="submitted")
        for row in DeliveryIndex.objects.filter(due).select_related("commune").order_by("commune_id"):
            work[row.commune].append(row)
        attempted = polled = 0
        for commune, rows in work.items():
            with tenant_context(commune):
                for row in rows:
                    status = row.status
                    if status == "pending":
                        status = services.attempt_delivery(row.delivery_id).status
                        attempted += 1
                    if status == "submitted":
                        services.poll_events(row.delivery_id)
                        polled += 1
        self.stdout.write(f"{attempted} deliveries attempted, {polled} event logs read.")
