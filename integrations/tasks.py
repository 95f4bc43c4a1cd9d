"""Background delivery of webhooks; tenant-schemas-celery runs each task in its commune's schema."""

from __future__ import annotations

from django.core.management import call_command

from integrations import services
from integrations.models import WebhookDelivery
from kommunal.celery import app

# Celery beat: send due deliveries (retries, and those the broker never got) every minute.
app.conf.beat_schedule.update(
    {"integrations-deliver-due-webhooks": {"task": "integrations.tasks.deliver_due_webhooks", "schedule": 60.0}}
)


@app.task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """Attempt one delivery; with a broker, queue the retry with its backoff delay.

    Without a broker (tasks run eagerly) the retry is picked up by ``kommunal deliver_webhooks``.
    """
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return
    attempted = services.attempt_delivery(delivery)
    if (
        attempted is not None
        and attempted.status == WebhookDelivery.Status.PENDING
        and not deliver_webhook.app.conf.task_always_eager
    ):
        deliver_webhook.apply_async((attempted.pk,), eta=attempted.next_attempt_at)


@app.task(ignore_result=True)
def deliver_due_webhooks() -> None:
    """The scheduler's sweep: every due delivery of every commune (``kommunal deliver_webhooks``)."""
    call_command("deliver_webhooks")
