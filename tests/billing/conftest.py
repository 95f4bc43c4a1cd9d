"""Billing fixtures: a fake Stripe on loopback, billing switched on, signed webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from typing import Any, cast

import pytest
from django.test import Client

from billing.models import ServicePrice
from catalog.models import Service
from devservices import stripe as fake_stripe
from tests.factories import ServiceVersionFactory

WEBHOOK_SECRET = "whsec_test_kommunal"


@pytest.fixture
def fake(stripe_server, settings) -> fake_stripe.FakeStripe:
    """Billing on, against a fresh fake Stripe."""
    settings.STRIPE_API_KEY = "sk_test_kommunal"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{stripe_server.server_address[1]}"
    stripe_server.state = fake_stripe.FakeStripe(settings.STRIPE_API_BASE, webhook_secret=WEBHOOK_SECRET)
    return stripe_server.state


@pytest.fixture
def closed_port() -> str:
    """A loopback address nobody listens on: Stripe 'down'."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def priced_service(amount_cents: int = 1250, interval: str = "month") -> ServicePrice:
    """A published catalogue service with a price (not yet in Stripe)."""
    service = cast(Service, ServiceVersionFactory().service)
    return ServicePrice.objects.create(
        service=service, interval=interval, amount_cents=amount_cents, lookup_key=f"svc-{service.slug}"
    )


def signature(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send for ``payload``."""
    timestamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_type: str, obj: dict[str, Any], *, created: int, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{event_type}_{obj['id']}_{created}",
        "object": "event",
        "type": event_type,
        "created": created,
        "api_version": "2026-10-28.endive",
        "livemode": False,
        "data": {"object": obj},
    }


def deliver(payload: dict[str, Any], *, secret: str = WEBHOOK_SECRET, client: Client | None = None) -> Any:
    """POST the event to the webhook on the platform host, signed like Stripe signs."""
    body = json.dumps(payload)
    client = client or Client(HTTP_HOST="localhost")
    return client.post(
        "/billing/stripe/webhook/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature(body, secret)
    )
