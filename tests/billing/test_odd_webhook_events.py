"""Signed Stripe events of odd shape: recorded, acknowledged with 200, never a 500 (issue 13)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from billing.models import Invoice, Subscription, WebhookEvent
from tests.billing.conftest import WEBHOOK_SECRET, deliver, event, signature
from tests.billing.test_webhooks import NOW, invoice, subscription, zeitz_account  # noqa: F401

pytestmark = pytest.mark.django_db


def deliver_raw(body: str) -> Any:
    return Client(HTTP_HOST="localhost").post(
        "/billing/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body, WEBHOOK_SECRET),
    )


def _without(obj: dict, key: str) -> dict:
    return {name: value for name, value in obj.items() if name != key}


ODD_EVENTS = {
    "list": [],
    "empty object": {},
    "string": "invoice.paid",
    "no data.object": {**event("invoice.paid", invoice("paid"), created=NOW), "data": {}},
    "data.object a list": {**event("invoice.paid", invoice("paid"), created=NOW), "data": {"object": []}},
    "invoice without status": event("invoice.paid", _without(invoice("paid"), "status"), created=NOW),
    "subscription without status": event(
        "customer.subscription.updated", _without(subscription("active"), "status"), created=NOW
    ),
    "created not an integer": event("invoice.paid", invoice("paid"), created="yesterday"),  # type: ignore[arg-type]
    "created a float string": {**event("invoice.paid", invoice("paid"), created=NOW), "created": "1.5"},
    "amount_due of 2^40": event("invoice.paid", {**invoice("paid"), "amount_due": 2**40}, created=NOW),
    "unknown invoice status": event("invoice.finalized", invoice("pending_review"), created=NOW),
    "invoice period_end a string": event("invoice.paid", {**invoice("paid"), "period_end": "soon"}, created=NOW),
    "id not a string": {**event("invoice.paid", invoice("paid"), created=NOW), "id": 42},
}


@pytest.mark.parametrize("name", list(ODD_EVENTS))
def test_unusable_event_is_recorded_and_acknowledged(zeitz_account, caplog, name) -> None:  # noqa: F811
    caplog.set_level(logging.WARNING, logger="billing.webhooks")
    response = deliver_raw(json.dumps(ODD_EVENTS[name]))
    assert response.status_code == 200
    assert response.content.startswith(b"ignored")
    recorded = WebhookEvent.objects.get()
    assert recorded.processed_at is not None, "Stripe must not retry it for days"
    assert recorded.last_error.startswith("unusable: ")
    assert "shape is unusable" in caplog.text
    assert not Invoice.objects.exists()
    assert Subscription.objects.get().status == "active"


def test_an_unusable_event_never_breaks_later_events(zeitz_account) -> None:  # noqa: F811
    assert deliver(event("invoice.finalized", invoice("pending_review"), created=NOW - 10)).status_code == 200
    assert deliver(event("invoice.finalized", invoice("open"), created=NOW - 5)).status_code == 200
    assert deliver(event("invoice.paid", invoice("paid"), created=NOW)).status_code == 200
    assert Invoice.objects.get().status == "paid"
    assert WebhookEvent.objects.filter(processed_at__isnull=False).count() == 3


def test_the_same_unusable_body_twice_is_recorded_once(zeitz_account) -> None:  # noqa: F811
    assert deliver_raw("[]").status_code == 200
    assert deliver_raw("[]").status_code == 200
    assert WebhookEvent.objects.count() == 1


def test_an_unsigned_odd_body_is_still_refused(zeitz_account, client) -> None:  # noqa: F811
    response = client.post("/billing/stripe/webhook/", "[]", content_type="application/json", HTTP_HOST="localhost")
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
