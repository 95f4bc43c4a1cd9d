"""The length of each Celery queue as a CloudWatch metric, published by the scheduler process.

The broker is Redis, which CloudWatch cannot look into; the ``Kommunal/Celery QueueDepth`` alarm
of ``infra/terraform/modules/monitoring`` reads this metric. It runs in ``celery beat`` (not as a
task on a worker) so that it keeps coming exactly when the workers are stuck, and it treats a
missing metric as an alarm, so a stopped scheduler is noticed too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

import boto3
import redis
from django.conf import settings

logger = logging.getLogger(__name__)

METRIC_NAME = "QueueDepth"


def queue_depths(broker_url: str, queues: Iterable[str]) -> dict[str, int]:
    """Waiting tasks per queue: ``LLEN`` of each queue's list on the Redis broker (one round trip)."""
    client = redis.Redis.from_url(broker_url)
    names = list(queues)
    with client.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.llen(name)
        return dict(zip(names, (int(n) for n in pipe.execute()), strict=True))


def publish(depths: dict[str, int], *, environment: str, namespace: str, cloudwatch: Any | None = None) -> None:
    """Put one ``QueueDepth`` datum per queue, with the dimensions the alarms select on."""
    cloudwatch = cloudwatch or boto3.client("cloudwatch", endpoint_url=settings.KOMMUNAL_CLOUDWATCH_ENDPOINT_URL)
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": METRIC_NAME,
                "Unit": "Count",
                "Value": depth,
                "Dimensions": [{"Name": "Environment", "Value": environment}, {"Name": "Queue", "Value": queue}],
            }
            for queue, depth in depths.items()
        ],
    )


def publish_once() -> dict[str, int]:
    """Measure and publish the configured queues once; returns what was published."""
    depths = queue_depths(settings.CELERY_BROKER_URL, settings.KOMMUNAL_QUEUE_NAMES)
    publish(depths, environment=settings.KOMMUNAL_ENV, namespace=settings.KOMMUNAL_QUEUE_DEPTH_NAMESPACE)
    return depths


def publishing_enabled() -> bool:
    """Publish in a deployed environment with a Redis broker (``KOMMUNAL_ENV`` set), never locally."""
    return bool(settings.KOMMUNAL_ENV) and settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


def run_forever(stop: threading.Event, interval: float = 60.0) -> None:
    """Publish every ``interval`` seconds until ``stop`` is set; a failed round is logged and retried."""
    while not stop.is_set():
        try:
            publish_once()
        except Exception:
            logger.exception("could not publish the Celery queue depth")
        stop.wait(interval)


def start_in_background() -> threading.Event | None:
    """Start publishing in a daemon thread of this (the beat) process; returns its stop switch."""
    if not publishing_enabled():
        return None
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="queue-depth-metric", daemon=True).start()
    return stop
