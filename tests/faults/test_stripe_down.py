"""Stripe down: every billing change waits in the outbox, pages render, and all of it arrives later."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from activations.services import activate_service, deactivate_service
from billing import services
from billing.models import PendingSync
from tests.billing.conftest import priced_service
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def test_changes_made_while_stripe_is_down_all_reach_it_afterwards(
    fake, communes, closed_port, settings, django_capture_on_commit_callbacks
) -> None:
    kept, dropped, added = priced_service(1000), priced_service(500), priced_service(250)
    services.sync_catalog()
    working_base, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, closed_port

    with tenant_context(communes.zeitz):
        for price in (kept, dropped):
            with django_capture_on_commit_callbacks(execute=True):
                activation = activate_service(service_slug=price.service.slug, actor="admin@zeitz.example")
        with django_capture_on_commit_callbacks(execute=True):
            deactivate_service(activation, actor="admin@zeitz.example")
        with django_capture_on_commit_callbacks(execute=True):
            activate_service(service_slug=added.service.slug, actor="admin@zeitz.example")

    queued = PendingSync.objects.filter(commune=communes.zeitz)
    assert queued.count() == 4  # one outbox row per change, none lost
    assert all(row.last_error for row in queued)
    assert fake.of_type("subscription") == []
    invoices = signed_in_client(communes.zeitz, "admin@zeitz.example").get("/verwaltung/rechnungen/")
    assert invoices.status_code == 200  # the commune's billing page renders from our own records

    settings.STRIPE_API_BASE = working_base
    queued.update(next_attempt_at=queued.order_by("created_at").first().created_at)  # the retry is due
    assert services.sync_due() == (1, 0)

    assert not PendingSync.objects.exists()
    [subscription] = [s for s in fake.of_type("subscription") if s["status"] != "canceled"]
    billed = sorted(item["price"]["id"] for item in subscription["items"]["data"])
    for price in (kept, added):
        price.refresh_from_db()
    assert billed == sorted([kept.stripe_price_id, added.stripe_price_id])
