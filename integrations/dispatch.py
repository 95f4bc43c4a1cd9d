"""Where webhook deliveries run: never in the request that caused them.

An event becomes durable ``WebhookDelivery`` rows in the transaction of the change. Once that
committed, ``hand_over`` passes them on:

- with a Celery broker, to the worker (one task per delivery, in the commune's schema);
- without a broker (Celery would run the task eagerly, inside the request), to one background
  thread of this process, which delivers them right after the response is on its way.

Neither can fail the request: a broker that refuses the task is logged and the rows wait. Rows
that nobody sent (broker down, process stopped before its thread got to them) and retries are
sent by the scheduler: ``kommunal deliver_webhooks`` every minute (Celery beat runs it with a
broker; cron or a systemd timer without one). Claiming a delivery skips rows another sender
holds (``attempt_delivery``), so the three never send the same attempt twice.
"""

from __future__ import annotations

import logging
import queue
import threading

from django.db import connections
from django_tenants.utils import schema_context

from integrations import services
from integrations.models import WebhookDelivery
from tenants.db import connection

logger = logging.getLogger(__name__)

_jobs: queue.Queue[tuple[str, list[int]]] = queue.Queue()
_worker_lock = threading.Lock()
_worker: threading.Thread | None = None


def hand_over(delivery_ids: list[int]) -> None:
    """Pass committed deliveries of the current schema to the worker or the background thread."""
    from integrations.tasks import deliver_webhook

    if not deliver_webhook.app.conf.task_always_eager:
        for delivery_id in delivery_ids:
            try:
                deliver_webhook.delay(delivery_id)
            except Exception:  # the broker is unreachable or refused the task: the scheduler sends it
                logger.warning(
                    "webhook deliveries %s not queued; the scheduler sends them", delivery_ids, exc_info=True
                )
                return
        return
    _jobs.put((connection.schema_name, delivery_ids))
    _ensure_worker()


def _ensure_worker() -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="webhook-deliveries", daemon=True)
            _worker.start()


def _work() -> None:
    while True:
        schema_name, delivery_ids = _jobs.get()
        try:
            with schema_context(schema_name):
                for delivery_id in delivery_ids:
                    services.attempt_delivery(WebhookDelivery(pk=delivery_id))
        except Exception:  # one commune's failure must not stop the others' deliveries
            logger.exception(
                "webhook deliveries %s of %s failed; the scheduler retries them", delivery_ids, schema_name
            )
        finally:
            connections.close_all()
            _jobs.task_done()
