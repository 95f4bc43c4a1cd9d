"""The scheduler's queue depth metric reaches CloudWatch (moto's server on loopback) with the
dimensions the Terraform alarm selects on."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
import redis
from moto.server import ThreadedMotoServer

from kommunal import queue_metrics

REDIS_URL = os.environ.get("KOMMUNAL_TEST_REDIS_URL", "")
# Parametrised on the Redis server CI provides; without one there is no broker to measure.
BROKERS = [REDIS_URL] if REDIS_URL else []


@pytest.fixture(scope="module")
def cloudwatch() -> Iterator[object]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield boto3.client(
        "cloudwatch",
        endpoint_url=f"http://{host}:{port}",
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    server.stop()


@pytest.mark.parametrize("broker_url", BROKERS)
def test_queue_depth_is_published_per_queue_with_environment_and_queue(cloudwatch, broker_url, settings) -> None:
    queues = ["kommunal-test-default", "kommunal-test-mail"]
    client = redis.Redis.from_url(broker_url)
    client.delete(*queues)
    client.rpush(queues[0], "t1", "t2", "t3")
    try:
        depths = queue_metrics.queue_depths(broker_url, queues)
        assert depths == {"kommunal-test-default": 3, "kommunal-test-mail": 0}
        queue_metrics.publish(depths, environment="staging", namespace="Kommunal/Celery", cloudwatch=cloudwatch)
    finally:
        client.delete(*queues)
    metrics = cloudwatch.list_metrics(Namespace="Kommunal/Celery", MetricName="QueueDepth")["Metrics"]
    dimensions = {tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])) for m in metrics}
    assert (("Environment", "staging"), ("Queue", "kommunal-test-default")) in dimensions
    assert (("Environment", "staging"), ("Queue", "kommunal-test-mail")) in dimensions


def test_nothing_is_published_locally_without_an_environment_or_a_redis_broker(settings) -> None:
    settings.KOMMUNAL_ENV = ""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert queue_metrics.start_in_background() is None
    settings.KOMMUNAL_ENV = "production"
    settings.CELERY_BROKER_URL = ""
    assert not queue_metrics.publishing_enabled()
    settings.CELERY_BROKER_URL = "rediss://cache.internal:6379/0"
    assert queue_metrics.publishing_enabled()
