"""Background delivery of webhooks; tenant-schemas-celery runs each task in its commune's schema."""

from __future__ import annotations

from integrations import services
from integrations.models import WebhookDelivery
from kommunal.celery import app

# Celery beat: deliveries that could not be queued (broker down) and due retries go out each minute.
app.conf.beat_schedule.update(
    {"integrations-deliver-due": {"task": "integrations.tasks.deliver_due", "schedule": 60.0}}
)


@app.task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """Attempt one delivery; with a broker, queue the retry with its backoff delay.

    Without a broker (tasks run eagerly) the retry is picked up by ``kommunal deliver_webhooks``.
    """
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return
    delivery = services.attempt_delivery(delivery)
    if delivery.status == WebhookDelivery.Status.PENDING and not deliver_webhook.app.conf.task_always_eager:
        deliver_webhook.apply_async((delivery.pk,), eta=delivery.next_attempt_at)


@app.task(ignore_result=True)
def deliver_due() -> tuple[int, int]:
    """Attempt every due delivery in every commune (the outbox sweep; see ``deliver_webhooks``)."""
    return services.deliver_due_everywhere()
