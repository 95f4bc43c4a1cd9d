"""The task broker gone: changes are saved and their follow-up work waits in the outbox, not lost."""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from integrations import services as integrations
from integrations.models import WebhookDelivery
from integrations.tasks import deliver_due
from tests.catalog_helpers import BULKY_WASTE, activate, load_shipped_catalogue
from tests.helpers import host_client

pytestmark = pytest.mark.django_db


def test_a_request_submitted_without_broker_is_stored_and_its_webhook_sent_by_the_sweep(
    communes, receiver, broker_gone, django_capture_on_commit_callbacks
) -> None:
    load_shipped_catalogue()
    activate(communes.zeitz, "sperrmuell")
    with tenant_context(communes.zeitz):
        admin = User.objects.get(email="admin@zeitz.example")
        integrations.create_subscription(url=receiver.url, events=["request.submitted"], actor=admin)
    body = {"service": "sperrmuell", "email": "erika@example.org", "data": BULKY_WASTE}

    with django_capture_on_commit_callbacks(execute=True):
        response = host_client(communes.zeitz).post(
            "/api/v1/requests/", json.dumps(body), content_type="application/json"
        )

    assert response.status_code == 201  # the citizen's request is saved and acknowledged
    assert receiver.received == []
    with tenant_context(communes.zeitz):
        delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)

    deliver_due.apply()  # what Celery beat runs every minute once a broker is back

    assert len(receiver.received) == 1
    assert response.json()["tracking_number"].encode() in receiver.received[0][1]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
