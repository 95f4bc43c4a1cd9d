"""Payments against the local Stripe stand-in, with Zeitz connected and its parking permit paid online."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from activations.models import PaymentMode
from devservices import stripe as fake_stripe
from payments import services as payments
from tests.catalog_helpers import activate, load_shipped_catalogue

CONNECT_SECRET = "whsec_test_connect"


@pytest.fixture
def fake(stripe_server, settings) -> fake_stripe.FakeStripe:
    base = f"http://127.0.0.1:{stripe_server.server_address[1]}"
    stripe_server.state = fake_stripe.FakeStripe(base)
    settings.STRIPE_API_KEY = "sk_test_kommunal"
    settings.STRIPE_API_BASE = base
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_SECRET
    return stripe_server.state


def connect(fake: fake_stripe.FakeStripe, commune: Any) -> str:
    """Connect ``commune`` and complete the onboarding at the stand-in; returns the account id."""
    payments.onboarding_url(commune, email="kasse@example.org", return_url="http://x/", actor="test")
    account = payments.account_of(commune)
    assert account is not None
    fake.complete_onboarding(account.account_id)
    return account.account_id


@pytest.fixture
def paying(catalogue, communes, fake):  # type: ignore[no-untyped-def]
    """Zeitz and Borna offer the bulky-waste pick-up for 25 EUR, paid before submission."""
    for commune in (communes.zeitz, communes.borna):
        activate(commune, "sperrmuell", fee=Decimal("25.00"), payment_mode=PaymentMode.BEFORE_SUBMISSION)
        connect(fake, commune)
    return communes


def deliver(event: dict[str, Any], secret: str = CONNECT_SECRET) -> Any:
    body = json.dumps(event)
    return Client(HTTP_HOST="localhost").post(
        "/payments/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=fake_stripe.sign(body, secret),
    )


@pytest.fixture
def catalogue(db) -> None:  # type: ignore[no-untyped-def]
    load_shipped_catalogue()
