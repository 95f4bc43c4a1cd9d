"""Periodic jobs find due work in the public index and never visit a commune without any."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from integrations import services
from integrations.models import WebhookDelivery
from kommunal.api.models import IdempotencyRecord
from tenants import due_work
from tenants.db import connection
from tenants.models import DueWork

UNREACHABLE = "http://127.0.0.1:9/hook"


@pytest.fixture
def visited() -> Iterator[list[str]]:
    """The schema names the connection is switched to while the fixture is active."""
    names: list[str] = []
    real = connection.set_tenant

    def spy(tenant, include_public=True):  # type: ignore[no-untyped-def]
        names.append(tenant.schema_name)
        real(tenant, include_public)

    with mock.patch.object(connection, "set_tenant", spy):
        yield names


def _pending_delivery(commune) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        admin = User.objects.get(email=f"admin@{commune.slug}.example")
        subscription = services.create_subscription(url=UNREACHABLE, events=["service.activated"], actor=admin)
        services.send_test_event(subscription)  # its first attempt would run on commit


def test_webhook_sweep_visits_only_the_commune_with_a_due_delivery(communes, visited) -> None:
    DueWork.objects.all().delete()
    _pending_delivery(communes.zeitz)
    visited.clear()

    attempted, succeeded = services.deliver_due()

    assert (attempted, succeeded) == (1, 0)
    assert communes.zeitz.schema_name in visited
    assert communes.borna.schema_name not in visited
    with tenant_context(communes.zeitz):
        retry_at = WebhookDelivery.objects.get().next_attempt_at
    row = DueWork.objects.get(kind=DueWork.Kind.WEBHOOK_DELIVERY)
    assert (row.schema_name, row.due_at) == (communes.zeitz.schema_name, retry_at)


def test_a_sweep_with_nothing_due_is_one_query_and_visits_no_schema(communes, visited) -> None:
    DueWork.objects.all().delete()
    _pending_delivery(communes.zeitz)
    services.deliver_due()  # the retry is now 30 s away
    visited.clear()

    with CaptureQueriesContext(connection) as captured:
        assert services.deliver_due() == (0, 0)
    assert [q["sql"] for q in captured.captured_queries if "duework" in q["sql"]] == [
        q["sql"] for q in captured.captured_queries
    ]
    assert len(captured.captured_queries) <= 2  # the claim, and SET search_path when it changed
    assert not set(visited) - {"public"}


def test_a_delivery_noted_while_a_sweep_runs_is_not_lost(communes) -> None:
    DueWork.objects.all().delete()
    _pending_delivery(communes.zeitz)

    def deliver_and_meanwhile_get_more() -> None:
        _pending_delivery(communes.zeitz)  # noted during the sweep, due now

    with tenant_context(communes.zeitz):
        due_work.run_due(DueWork.Kind.WEBHOOK_DELIVERY, lambda: deliver_and_meanwhile_get_more())  # type: ignore[func-returns-value]
    assert DueWork.objects.get(kind=DueWork.Kind.WEBHOOK_DELIVERY).due_at <= timezone.now()


def test_idempotency_purge_visits_only_schemas_with_expiring_records(communes, visited) -> None:
    DueWork.objects.all().delete()
    with tenant_context(communes.zeitz):
        IdempotencyRecord.objects.create(caller="c", key="k", fingerprint="f", status=201)
        due_work.note(DueWork.Kind.IDEMPOTENCY_PURGE, timezone.now() + timedelta(hours=24))
    visited.clear()

    call_command("purge_idempotency_keys")  # nothing expired yet: nothing visited
    assert not set(visited) - {"public"}

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=25)):
        call_command("purge_idempotency_keys")
    assert communes.zeitz.schema_name in visited
    assert communes.borna.schema_name not in visited
    with tenant_context(communes.zeitz):
        assert not IdempotencyRecord.objects.exists()
    assert not DueWork.objects.filter(kind=DueWork.Kind.IDEMPOTENCY_PURGE).exists()


def test_due_work_of_an_offboarded_commune_is_not_visited(communes, visited) -> None:
    DueWork.objects.all().delete()
    _pending_delivery(communes.zeitz)
    type(communes.zeitz).objects.filter(pk=communes.zeitz.pk).update(status="offboarded")
    visited.clear()
    assert services.deliver_due() == (0, 0)
    assert communes.zeitz.schema_name not in visited
