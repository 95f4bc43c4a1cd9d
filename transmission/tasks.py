"""Background delivery; tenant-schemas-celery runs each task in the schema of its commune.

Without a broker (tasks run eagerly) the attempt and the first look at the event log happen at
once, and ``kommunal transmit_requests`` picks up retries and later answers.
"""

from __future__ import annotations

from kommunal.celery import app
from transmission import services
from transmission.models import Delivery

POLL_SECONDS = 300


@app.task(ignore_result=True)
def deliver_request(delivery_id: int) -> None:
    if not Delivery.objects.filter(pk=delivery_id).exists():
        return
    delivery = services.attempt_delivery(delivery_id)
    eager = deliver_request.app.conf.task_always_eager
    if delivery.status == Delivery.Status.PENDING and not eager:
        deliver_request.apply_async((delivery.pk,), eta=delivery.next_attempt_at)
    elif delivery.status == Delivery.Status.SUBMITTED:
        poll_delivery.apply_async((delivery.pk,), countdown=0 if eager else POLL_SECONDS)


@app.task(ignore_result=True)
def poll_delivery(delivery_id: int) -> None:
    delivery = services.poll_events(delivery_id)
    if delivery.status == Delivery.Status.SUBMITTED and not poll_delivery.app.conf.task_always_eager:
        poll_delivery.apply_async((delivery.pk,), countdown=POLL_SECONDS)
