"""The billing sweep finds due changes in the public outbox and visits no other commune."""

from __future__ import annotations

from unittest import mock

from billing import services
from billing.models import PendingSync
from tenants.db import connection


def test_billing_sweep_visits_only_the_commune_with_a_queued_change(communes, fake) -> None:
    services.queue_sync(communes.zeitz, reason="test")  # the immediate attempt would run on commit
    names: list[str] = []
    real = connection.set_tenant

    def spy(tenant, include_public=True):  # type: ignore[no-untyped-def]
        names.append(tenant.schema_name)
        real(tenant, include_public)

    with mock.patch.object(connection, "set_tenant", spy):
        assert services.sync_due() == (1, 0)
        assert services.sync_due() == (0, 0)
    assert communes.borna.schema_name not in names
    assert not PendingSync.objects.exists()
