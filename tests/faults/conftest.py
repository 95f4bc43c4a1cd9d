"""Fixtures of the fault suite: its own Redis, S3 and Stripe stand-ins, which the tests stop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from kommunal.settings import cache_settings
from tests.api.test_webhooks import receiver  # noqa: F401 (fixture)
from tests.billing.conftest import closed_port, fake  # noqa: F401 (fixtures)
from tests.faults.servers import Redis


@pytest.fixture
def redis_server(settings) -> Iterator[Redis]:
    """A Redis of this test alone as the platform's cache (the production backend and options)."""
    server = Redis()
    server.start()
    settings.CACHES = cache_settings(server.url)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Cached branding or counters of one test never leak into the next (the cache outlives rollbacks)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def broker_gone(closed_port: str) -> Iterator[None]:  # noqa: F811 (the imported fixture)
    """Celery publishes to a broker address where nothing listens (instead of running tasks eagerly)."""
    from kommunal.celery import app

    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.update(task_always_eager=False, broker_url="redis://" + closed_port.removeprefix("http://") + "/0")
    _forget_connections(app)
    yield
    app.conf.update(saved)
    _forget_connections(app)


def _forget_connections(app) -> None:  # type: ignore[no-untyped-def]
    app._pool = None
    app.amqp._producer_pool = None
